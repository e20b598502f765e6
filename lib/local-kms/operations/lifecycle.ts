/** Key state changes (enable, disable, schedule and cancel deletion) and key material rotation. */
import { createKeyMaterial } from "../blob";
import { KmsError, invalidStateError, unsupportedOperationError } from "../errors";
import type { KeyMaterialRecord, KeyRecord } from "../store";
import {
  authorizeOrThrow,
  keyArnOf,
  requireEnabled,
  requireNotPendingDeletion,
  resolveKeyOrThrow,
  type CallContext,
} from "./context";
import { readOptionalInteger, readString, type RequestInput } from "./input";
import { toEpochSeconds } from "./metadata";

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_ROTATION_PERIOD_DAYS = 365;
/** Limit per key from the AWS KMS Developer Guide, "Perform on-demand key rotation" (older API reference pages give 10). */
const MAX_ON_DEMAND_ROTATIONS = 25;

export function enableKey(ctx: CallContext, input: RequestInput): Record<string, unknown> {
  const key = resolveKeyOrThrow(ctx, readString(input, "KeyId"));
  authorizeOrThrow(ctx, key, "EnableKey");
  requireNotPendingDeletion(key);

  key.state = "Enabled";
  ctx.store.putKey(key);
  ctx.log({ level: "info", event: "key_enabled", keyArn: keyArnOf(key), principalArn: ctx.caller.principalArn });
  return {};
}

export function disableKey(ctx: CallContext, input: RequestInput): Record<string, unknown> {
  const key = resolveKeyOrThrow(ctx, readString(input, "KeyId"));
  authorizeOrThrow(ctx, key, "DisableKey");
  requireNotPendingDeletion(key);

  key.state = "Disabled";
  ctx.store.putKey(key);
  ctx.log({ level: "info", event: "key_disabled", keyArn: keyArnOf(key), principalArn: ctx.caller.principalArn });
  return {};
}

/**
 * Moves the key to PendingDeletion with a deletion date 7 to 30 days ahead (30 by default).
 * NOTE: the server never deletes a key when that date passes, and a multi-region primary with
 * replicas goes straight to PendingDeletion, where AWS would use PendingReplicaDeletion.
 */
export function scheduleKeyDeletion(ctx: CallContext, input: RequestInput): Record<string, unknown> {
  const keyIdValue = readString(input, "KeyId");
  const pendingWindowInDays = readOptionalInteger(input, "PendingWindowInDays", 7, 30) ?? 30;

  const key = resolveKeyOrThrow(ctx, keyIdValue);
  authorizeOrThrow(ctx, key, "ScheduleKeyDeletion");
  requireNotPendingDeletion(key);

  key.state = "PendingDeletion";
  key.pendingWindowInDays = pendingWindowInDays;
  key.deletionDate = Date.now() + pendingWindowInDays * DAY_MS;
  ctx.store.putKey(key);
  ctx.log({ level: "info", event: "key_deletion_scheduled", keyArn: keyArnOf(key), pendingWindowInDays });

  return {
    KeyId: keyArnOf(key),
    DeletionDate: toEpochSeconds(key.deletionDate),
    KeyState: key.state,
    PendingWindowInDays: pendingWindowInDays,
  };
}

/** Cancels a scheduled deletion. As in AWS, the key comes back Disabled, not Enabled. */
export function cancelKeyDeletion(ctx: CallContext, input: RequestInput): Record<string, unknown> {
  const key = resolveKeyOrThrow(ctx, readString(input, "KeyId"));
  authorizeOrThrow(ctx, key, "CancelKeyDeletion");
  if (key.state !== "PendingDeletion") {
    throw invalidStateError(`${keyArnOf(key)} is not pending deletion.`);
  }

  key.state = "Disabled";
  delete key.deletionDate;
  delete key.pendingWindowInDays;
  ctx.store.putKey(key);
  ctx.log({ level: "info", event: "key_deletion_canceled", keyArn: keyArnOf(key) });
  return { KeyId: keyArnOf(key) };
}

function materialOrThrow(ctx: CallContext, key: KeyRecord): KeyMaterialRecord {
  const material = ctx.store.getMaterial(key.account, key.keyId);
  if (!material) {
    throw new KmsError("KMSInternalException", `Key material of ${keyArnOf(key)} is missing from the local KMS state.`, 500);
  }
  return material;
}

/** Throws UnsupportedOperationException unless the key can rotate: a SYMMETRIC_DEFAULT key that is not a replica. */
function requireRotatable(key: KeyRecord): void {
  if (key.keySpec !== "SYMMETRIC_DEFAULT") {
    throw unsupportedOperationError(`${keyArnOf(key)} has key spec ${key.keySpec}; only SYMMETRIC_DEFAULT keys rotate.`);
  }
  if (key.multiRegion && key.primaryRegion !== key.region) {
    throw unsupportedOperationError(
      `${keyArnOf(key)} is a multi-Region replica; rotation is managed on the primary key in ${key.primaryRegion ?? "its primary Region"}.`,
    );
  }
}

/**
 * Turns on automatic rotation. NOTE: this only records the setting; no material is added when
 * the period passes. Use RotateKeyOnDemand to add a material version.
 */
export function enableKeyRotation(ctx: CallContext, input: RequestInput): Record<string, unknown> {
  const keyIdValue = readString(input, "KeyId");
  const rotationPeriodInDays = readOptionalInteger(input, "RotationPeriodInDays", 90, 2560) ?? DEFAULT_ROTATION_PERIOD_DAYS;

  const key = resolveKeyOrThrow(ctx, keyIdValue);
  authorizeOrThrow(ctx, key, "EnableKeyRotation");
  requireRotatable(key);
  requireEnabled(key);

  const material = materialOrThrow(ctx, key);
  material.rotationEnabled = true;
  material.rotationPeriodInDays = rotationPeriodInDays;
  ctx.store.putMaterial(material);
  return {};
}

export function disableKeyRotation(ctx: CallContext, input: RequestInput): Record<string, unknown> {
  const key = resolveKeyOrThrow(ctx, readString(input, "KeyId"));
  authorizeOrThrow(ctx, key, "DisableKeyRotation");
  requireRotatable(key);
  requireEnabled(key);

  const material = materialOrThrow(ctx, key);
  material.rotationEnabled = false;
  delete material.rotationPeriodInDays;
  ctx.store.putMaterial(material);
  return {};
}

export function getKeyRotationStatus(ctx: CallContext, input: RequestInput): Record<string, unknown> {
  const key = resolveKeyOrThrow(ctx, readString(input, "KeyId"));
  authorizeOrThrow(ctx, key, "GetKeyRotationStatus");

  const material = materialOrThrow(ctx, key);
  const current = material.versions.at(-1);
  const status: Record<string, unknown> = { KeyId: keyArnOf(key), KeyRotationEnabled: material.rotationEnabled };
  if (material.rotationEnabled && material.rotationPeriodInDays !== undefined && current) {
    status.RotationPeriodInDays = material.rotationPeriodInDays;
    status.NextRotationDate = toEpochSeconds(current.createdAt + material.rotationPeriodInDays * DAY_MS);
  }
  return status;
}

/**
 * Adds a key material version at once. New blobs use it; blobs made under earlier versions
 * keep decrypting. Replicas of a multi-region key share the new version.
 */
export function rotateKeyOnDemand(ctx: CallContext, input: RequestInput): Record<string, unknown> {
  const key = resolveKeyOrThrow(ctx, readString(input, "KeyId"));
  authorizeOrThrow(ctx, key, "RotateKeyOnDemand");
  requireRotatable(key);
  requireEnabled(key);

  const material = materialOrThrow(ctx, key);
  if (material.onDemandRotationCount >= MAX_ON_DEMAND_ROTATIONS) {
    throw new KmsError(
      "LimitExceededException",
      `${keyArnOf(key)} has reached the limit of ${MAX_ON_DEMAND_ROTATIONS} on-demand rotations.`,
    );
  }
  material.versions.push({ material: createKeyMaterial().toString("base64"), createdAt: Date.now() });
  material.onDemandRotationCount += 1;
  ctx.store.putMaterial(material);

  ctx.log({ level: "info", event: "key_rotated", keyArn: keyArnOf(key), materialVersion: material.versions.length - 1 });
  return { KeyId: keyArnOf(key) };
}
