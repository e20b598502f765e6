/** The KMS operations that the local server implements, by the name in `X-Amz-Target: TrentService.<name>`. */
import type { CallContext } from "./context";
import type { RequestInput } from "./input";
import { createAlias, deleteAlias, listAliases, updateAlias } from "./aliases";
import { decrypt, encrypt, generateDataKey, generateDataKeyWithoutPlaintext, reEncrypt } from "./data";
import { getKeyPolicy, putKeyPolicy } from "./key-policy";
import { createKey, describeKey, listKeys, replicateKey } from "./keys";
import {
  cancelKeyDeletion,
  disableKey,
  disableKeyRotation,
  enableKey,
  enableKeyRotation,
  getKeyRotationStatus,
  rotateKeyOnDemand,
  scheduleKeyDeletion,
} from "./lifecycle";

export type OperationHandler = (ctx: CallContext, input: RequestInput) => Record<string, unknown>;

const OPERATIONS: Readonly<Record<string, OperationHandler>> = {
  CreateKey: createKey,
  ReplicateKey: replicateKey,
  DescribeKey: describeKey,
  ListKeys: listKeys,
  PutKeyPolicy: putKeyPolicy,
  GetKeyPolicy: getKeyPolicy,
  EnableKey: enableKey,
  DisableKey: disableKey,
  ScheduleKeyDeletion: scheduleKeyDeletion,
  CancelKeyDeletion: cancelKeyDeletion,
  GenerateDataKey: generateDataKey,
  GenerateDataKeyWithoutPlaintext: generateDataKeyWithoutPlaintext,
  Encrypt: encrypt,
  Decrypt: decrypt,
  ReEncrypt: reEncrypt,
  EnableKeyRotation: enableKeyRotation,
  DisableKeyRotation: disableKeyRotation,
  GetKeyRotationStatus: getKeyRotationStatus,
  RotateKeyOnDemand: rotateKeyOnDemand,
  CreateAlias: createAlias,
  UpdateAlias: updateAlias,
  DeleteAlias: deleteAlias,
  ListAliases: listAliases,
};

/** Returns the handler of a KMS operation, or undefined for a name this server does not implement. */
export function findOperation(name: string): OperationHandler | undefined {
  return Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
}
