import "server-only";

import { GetKeyRotationStatusCommand } from "@aws-sdk/client-kms";

import type { ByokDeps } from "@/lib/byok/key-check";
import type { ByokSettings } from "@/lib/byok/settings";
import type { KmsCallCause } from "@/lib/db/generated/client";
import { classifyKmsError } from "@/lib/kms/failures";
import { log } from "@/lib/log";

/**
 * Automatic rotation of a tenant key, as AWS KMS reports it through GetKeyRotationStatus.
 * The result is shown to the tenant and nothing depends on it: data stays readable whether
 * rotation is on, off or unreadable. So a failed read is stored on the encryption config and
 * never changes the key state. Many key policies do not grant kms:GetKeyRotationStatus, and
 * that is a normal setup, not a fault of the key.
 */

/** Minimum time between two reads of an account's rotation status by the health check. */
export const ROTATION_STATUS_REFRESH_MS = 6 * 60 * 60 * 1000;

export interface RotationDeps {
  prisma: ByokDeps["prisma"];
  kms: ByokDeps["kms"];
  settings: Pick<ByokSettings, "instance">;
}

export type RotationRead =
  | { ok: true; enabled: boolean; periodDays: number | null; nextRotationAt: Date | null }
  | { ok: false; awsErrorName: string };

interface RotationCheckTimes {
  rotationCheckedAt: Date | null;
  /** When the current key was connected or BYOK was last enabled. */
  enabledAt: Date;
}

/**
 * Returns true when the stored rotation status was read for the current key. A read from before
 * `enabledAt` belongs to the previous key, or to the time before BYOK was enabled again.
 * NOTE: this relies on every change of the key ARN either setting `enabledAt` (saving a new
 * key does) or clearing `rotationCheckedAt` (the key change job does).
 */
export function hasRotationStatusForKey(config: RotationCheckTimes): boolean {
  return config.rotationCheckedAt !== null && config.rotationCheckedAt >= config.enabledAt;
}

/** Returns true when the health check should read the rotation status again at `now`. */
export function isRotationStatusDue(config: RotationCheckTimes, now: Date): boolean {
  if (!hasRotationStatusForKey(config) || config.rotationCheckedAt === null) return true;
  return now.getTime() - config.rotationCheckedAt.getTime() >= ROTATION_STATUS_REFRESH_MS;
}

/**
 * Reads the rotation status of `keyArn` from KMS, appends the call to the KMS call log
 * (with `cause`, HEALTH_CHECK by default) and stores the result on the account's encryption config, unless
 * the account has switched to another key meanwhile. A KMS error is stored as its AWS error
 * name with the rotation fields cleared, and returned, not thrown. Database errors are thrown.
 */
export async function refreshRotationStatus(
  deps: RotationDeps,
  accountId: string,
  keyArn: string,
  cause: Extract<KmsCallCause, "HEALTH_CHECK" | "TEST_CONNECTION"> = "HEALTH_CHECK",
): Promise<RotationRead> {
  const started = performance.now();
  let read: RotationRead;
  let requestId: string | undefined;
  try {
    const output = await deps.kms.send(new GetKeyRotationStatusCommand({ KeyId: keyArn }));
    requestId = output.$metadata.requestId;
    const enabled = output.KeyRotationEnabled === true;
    read = {
      ok: true,
      enabled,
      periodDays: enabled ? (output.RotationPeriodInDays ?? null) : null,
      nextRotationAt: enabled ? (output.NextRotationDate ?? null) : null,
    };
  } catch (error) {
    const failure = classifyKmsError(error, "GetKeyRotationStatus");
    requestId = failure.requestId;
    read = { ok: false, awsErrorName: failure.awsErrorName ?? "Error" };
    // A key policy without kms:GetKeyRotationStatus is a normal setup, so its denial is no warning.
    const level = read.awsErrorName === "AccessDeniedException" ? "info" : "warn";
    log[level]("kms.rotation_status.failed", { accountId, keyArn, requestId, awsError: read.awsErrorName, code: failure.code, error });
  }
  const latencyMs = Math.round(performance.now() - started);

  const checkedAt = new Date();
  const rotation = read.ok
    ? { rotationEnabled: read.enabled, rotationPeriodDays: read.periodDays, nextRotationAt: read.nextRotationAt, rotationErrorCode: null }
    : { rotationEnabled: null, rotationPeriodDays: null, nextRotationAt: null, rotationErrorCode: read.awsErrorName };

  await deps.prisma.$transaction([
    deps.prisma.kmsCall.create({
      data: {
        accountId,
        keyArn,
        operation: "GetKeyRotationStatus",
        // The call takes no encryption context.
        encryptionContext: {},
        requestId: requestId ?? null,
        ok: read.ok,
        errorCode: read.ok ? null : read.awsErrorName,
        cause,
        latencyMs,
        instance: deps.settings.instance,
      },
    }),
    // Matching the key ARN keeps a slow read of the old key off a config that has a new key.
    deps.prisma.encryptionConfig.updateMany({ where: { accountId, keyArn }, data: { ...rotation, rotationCheckedAt: checkedAt } }),
  ]);
  return read;
}
