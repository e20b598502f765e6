/**
 * Shared steps of every operation: the caller, the region, key lookup by any KeyId form,
 * key policy checks and key state checks. Each check throws the error AWS KMS would send.
 */
import { KmsError, keyNotFoundError, invalidStateError, notFoundError } from "../errors";
import { accessDeniedError, formatAliasArn, formatKeyArn, parseKeyReference } from "../identifiers";
import type { LocalKmsLogger } from "../log";
import { evaluatePolicy, parsePolicyOrThrow, type UnsupportedCondition } from "../policy";
import type { KeyRecord, KmsStore } from "../store";
import type { EncryptionContext } from "../blob";

export interface Caller {
  accessKeyId: string;
  principalArn: string;
  account: string;
}

export interface CallContext {
  store: KmsStore;
  caller: Caller;
  /** Region from the SigV4 credential scope of the request. */
  region: string;
  log: LocalKmsLogger;
  /** Reports a policy condition that the evaluator does not support, once per policy and condition. */
  reportUnsupportedCondition(keyArn: string, condition: UnsupportedCondition): void;
}

export function keyArnOf(key: KeyRecord): string {
  return formatKeyArn(key.region, key.account, key.keyId);
}

/**
 * Finds the key named by a KeyId value: a key id or alias name (looked up in the caller's
 * account), or a key ARN or alias ARN. An ARN of another region is NotFoundException, because
 * keys live in one region.
 */
export function resolveKeyOrThrow(ctx: CallContext, keyIdValue: string): KeyRecord {
  const reference = parseKeyReference(keyIdValue);

  if (reference.kind === "invalid") {
    throw notFoundError(`Invalid keyId '${keyIdValue}'. Use a key id, key ARN, alias name (alias/...) or alias ARN.`);
  }

  const account = reference.account ?? ctx.caller.account;
  const region = reference.region ?? ctx.region;

  if (reference.kind === "alias") {
    const aliasArn = formatAliasArn(region, account, reference.aliasName);
    const alias = region === ctx.region ? ctx.store.getAlias(account, region, reference.aliasName) : undefined;
    if (!alias) {
      throw notFoundError(`Alias ${aliasArn} is not found.`);
    }
    const target = ctx.store.getKey(account, region, alias.targetKeyId);
    if (!target) {
      throw keyNotFoundError(formatKeyArn(region, account, alias.targetKeyId));
    }
    return target;
  }

  const key = region === ctx.region ? ctx.store.getKey(account, region, reference.keyId) : undefined;
  if (!key) {
    throw keyNotFoundError(formatKeyArn(region, account, reference.keyId));
  }
  return key;
}

/** Throws AccessDeniedException unless the key's policy lets the caller perform `operation` (a KMS operation name). */
export function authorizeOrThrow(
  ctx: CallContext,
  key: KeyRecord,
  operation: string,
  encryptionContext?: EncryptionContext,
): void {
  const keyArn = keyArnOf(key);
  const action = `kms:${operation}`;
  const decision = evaluatePolicy(
    parsePolicyOrThrow(key.policy),
    {
      principalArn: ctx.caller.principalArn,
      principalAccount: ctx.caller.account,
      action,
      keyArn,
      encryptionContext,
    },
    (condition) => ctx.reportUnsupportedCondition(keyArn, condition),
  );

  if (decision !== "allow") {
    throw accessDeniedError(ctx.caller.principalArn, action, keyArn, decision);
  }
}

/** Throws DisabledException or KMSInvalidStateException unless the key is Enabled. */
export function requireEnabled(key: KeyRecord): void {
  if (key.state === "Disabled") {
    throw new KmsError("DisabledException", `${keyArnOf(key)} is disabled.`);
  }
  if (key.state === "PendingDeletion") {
    throw invalidStateError(`${keyArnOf(key)} is pending deletion.`);
  }
}

/** Throws KMSInvalidStateException when the key is pending deletion. */
export function requireNotPendingDeletion(key: KeyRecord): void {
  if (key.state === "PendingDeletion") {
    throw invalidStateError(`${keyArnOf(key)} is pending deletion.`);
  }
}

/** Throws InvalidKeyUsageException unless the key is a SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key. */
export function requireSymmetricEncryptionKey(key: KeyRecord, operation: string): void {
  if (key.keySpec !== "SYMMETRIC_DEFAULT" || key.keyUsage !== "ENCRYPT_DECRYPT") {
    throw new KmsError(
      "InvalidKeyUsageException",
      `${keyArnOf(key)} key usage is ${key.keyUsage} (key spec ${key.keySpec}) which is not valid for ${operation}.`,
    );
  }
}

/** Throws InvalidKeyUsageException for an encryption algorithm other than SYMMETRIC_DEFAULT, the only one this server implements. */
export function requireSymmetricAlgorithm(key: KeyRecord, algorithm: string | undefined): void {
  if (algorithm !== undefined && algorithm !== "SYMMETRIC_DEFAULT") {
    throw new KmsError(
      "InvalidKeyUsageException",
      `Encryption algorithm ${algorithm} is not valid for ${keyArnOf(key)}; its key spec supports only SYMMETRIC_DEFAULT.`,
    );
  }
}

export const ENCRYPTION_ALGORITHMS = ["SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE"] as const;
