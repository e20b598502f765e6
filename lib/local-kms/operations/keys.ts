/** CreateKey, ReplicateKey, DescribeKey and ListKeys. */
import { createKeyMaterial } from "../blob";
import { KmsError, unsupportedOperationError, validationError } from "../errors";
import { createKeyId, formatKeyArn, requireRegionName } from "../identifiers";
import { defaultKeyPolicy, MAX_POLICY_LENGTH } from "../policy";
import type { KeyRecord } from "../store";
import { authorizeOrThrow, keyArnOf, requireNotPendingDeletion, resolveKeyOrThrow, type CallContext } from "./context";
import {
  paginate,
  readOptionalBoolean,
  readOptionalEnum,
  readOptionalString,
  readPage,
  readString,
  type RequestInput,
} from "./input";
import { validateNewPolicyOrThrow } from "./key-policy";
import { buildKeyMetadata, KEY_SPECS, KEY_USAGES, UNIMPLEMENTED_KEY_SPECS } from "./metadata";

const ALL_KEY_SPECS = [...Object.keys(KEY_SPECS), ...UNIMPLEMENTED_KEY_SPECS];

function readKeySpecAndUsage(input: RequestInput): { keySpec: string; keyUsage: string } {
  const keySpec =
    readOptionalEnum(input, "KeySpec", ALL_KEY_SPECS) ??
    readOptionalEnum(input, "CustomerMasterKeySpec", ALL_KEY_SPECS) ??
    "SYMMETRIC_DEFAULT";
  const keyUsage = readOptionalEnum(input, "KeyUsage", KEY_USAGES) ?? "ENCRYPT_DECRYPT";

  const spec = KEY_SPECS[keySpec];
  if (!spec) {
    throw unsupportedOperationError(`KeySpec ${keySpec} is not implemented by the local KMS server.`);
  }
  if (spec.unimplementedUsages.includes(keyUsage)) {
    throw unsupportedOperationError(
      `KeySpec ${keySpec} with KeyUsage ${keyUsage} is not implemented by the local KMS server; it supports ${spec.usages.join(", ")}.`,
    );
  }
  if (!spec.usages.includes(keyUsage)) {
    throw validationError(`KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}; use ${spec.usages.join(" or ")}.`);
  }
  return { keySpec, keyUsage };
}

export function createKey(ctx: CallContext, input: RequestInput): Record<string, unknown> {
  const { keySpec, keyUsage } = readKeySpecAndUsage(input);
  const multiRegion = readOptionalBoolean(input, "MultiRegion") ?? false;
  // AWS accepts an empty Description, which the generic string reader rejects.
  const description = input.Description === "" ? "" : (readOptionalString(input, "Description", 8192) ?? "");
  const requestedPolicy = readOptionalString(input, "Policy", MAX_POLICY_LENGTH);
  const origin = readOptionalString(input, "Origin");
  if (origin !== undefined && origin !== "AWS_KMS") {
    throw unsupportedOperationError(`Origin ${origin} is not implemented by the local KMS server; omit it or use AWS_KMS.`);
  }
  if (input.CustomKeyStoreId !== undefined || input.XksKeyId !== undefined) {
    throw unsupportedOperationError("Custom key stores are not implemented by the local KMS server.");
  }

  const account = ctx.caller.account;
  const keyId = createKeyId(multiRegion);
  const keyArn = formatKeyArn(ctx.region, account, keyId);
  if (requestedPolicy !== undefined) {
    validateNewPolicyOrThrow(ctx, requestedPolicy, keyArn, input);
  }

  const key: KeyRecord = {
    account,
    region: ctx.region,
    keyId,
    keySpec,
    keyUsage,
    description,
    state: "Enabled",
    createdAt: Date.now(),
    policy: requestedPolicy ?? defaultKeyPolicy(account),
    multiRegion,
    ...(multiRegion ? { primaryRegion: ctx.region } : {}),
  };
  ctx.store.putKey(key);
  ctx.store.putMaterial({
    account,
    keyId,
    versions: keySpec === "SYMMETRIC_DEFAULT" ? [{ material: createKeyMaterial().toString("base64"), createdAt: key.createdAt }] : [],
    rotationEnabled: false,
    onDemandRotationCount: 0,
  });

  ctx.log({ level: "info", event: "key_created", keyArn, keySpec, keyUsage, principalArn: ctx.caller.principalArn });
  return { KeyMetadata: buildKeyMetadata(ctx.store, key) };
}

/** Copies a multi-region primary key into another region: same key id and material, its own policy and state. */
export function replicateKey(ctx: CallContext, input: RequestInput): Record<string, unknown> {
  const keyIdValue = readString(input, "KeyId");
  const replicaRegion = requireRegionName(readString(input, "ReplicaRegion", 32), "ReplicaRegion");
  const description = readOptionalString(input, "Description", 8192);
  const requestedPolicy = readOptionalString(input, "Policy", MAX_POLICY_LENGTH);

  const primary = resolveKeyOrThrow(ctx, keyIdValue);
  authorizeOrThrow(ctx, primary, "ReplicateKey");
  if (!primary.multiRegion) {
    throw unsupportedOperationError(`${keyArnOf(primary)} is not a multi-Region key, so it cannot be replicated.`);
  }
  if (primary.primaryRegion !== primary.region) {
    throw unsupportedOperationError(
      `${keyArnOf(primary)} is a replica key; call ReplicateKey on the primary key in ${primary.primaryRegion ?? "its primary Region"}.`,
    );
  }
  requireNotPendingDeletion(primary);
  if (replicaRegion === primary.region) {
    throw validationError(`ReplicaRegion ${replicaRegion} is the Region of the primary key; choose another Region.`);
  }

  const replicaArn = formatKeyArn(replicaRegion, primary.account, primary.keyId);
  if (ctx.store.getKey(primary.account, replicaRegion, primary.keyId)) {
    throw new KmsError("AlreadyExistsException", `Replica key ${replicaArn} already exists.`);
  }
  if (requestedPolicy !== undefined) {
    validateNewPolicyOrThrow(ctx, requestedPolicy, replicaArn, input);
  }

  const replica: KeyRecord = {
    account: primary.account,
    region: replicaRegion,
    keyId: primary.keyId,
    keySpec: primary.keySpec,
    keyUsage: primary.keyUsage,
    description: description ?? primary.description,
    state: "Enabled",
    createdAt: Date.now(),
    policy: requestedPolicy ?? defaultKeyPolicy(primary.account),
    multiRegion: true,
    primaryRegion: primary.region,
  };
  ctx.store.putKey(replica);

  ctx.log({ level: "info", event: "key_replicated", keyArn: keyArnOf(primary), replicaArn });
  return {
    ReplicaKeyMetadata: buildKeyMetadata(ctx.store, replica),
    ReplicaPolicy: replica.policy,
    ReplicaTags: [],
  };
}

export function describeKey(ctx: CallContext, input: RequestInput): Record<string, unknown> {
  const keyIdValue = readString(input, "KeyId");

  const key = resolveKeyOrThrow(ctx, keyIdValue);
  authorizeOrThrow(ctx, key, "DescribeKey");
  return { KeyMetadata: buildKeyMetadata(ctx.store, key) };
}

/** Lists the caller's keys in the request's region. Access to ListKeys is an IAM matter, so no key policy applies. */
export function listKeys(ctx: CallContext, input: RequestInput): Record<string, unknown> {
  const page = readPage(input, 100);

  const keys = ctx.store.listKeys(ctx.caller.account, ctx.region);
  const { items, ...pagination } = paginate(keys, page);
  return { Keys: items.map((key) => ({ KeyId: key.keyId, KeyArn: keyArnOf(key) })), ...pagination };
}
