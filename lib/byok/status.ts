import "server-only";

import { hasRotationStatusForKey, ROTATION_STATUS_REFRESH_MS } from "@/lib/byok/rotation";
import { byokSettings } from "@/lib/byok/settings";
import type { EncryptionConfig, GlobalRole, KeyState, KmsCallCause, PrismaClient } from "@/lib/db/generated/client";

/** Number of key checks in the health history that the status card draws. */
export const CHECK_HISTORY_LENGTH = 48;
/** Number of key checks that the status card lists in its table. */
const RECENT_CHECKS_LISTED = 10;

export interface KeyCheckSummary {
  trigger: string;
  ok: boolean;
  errorCode: string | null;
  latencyMs: number;
  checkedAt: Date;
}

/** Automatic rotation of the key as KMS last reported it to the health check. */
export type RotationStatus =
  | { kind: "on"; periodDays: number | null; nextRotationAt: Date | null; checkedAt: Date }
  | { kind: "off"; checkedAt: Date }
  /** The key policy does not grant `principalArn` kms:GetKeyRotationStatus. */
  | { kind: "denied"; checkedAt: Date; principalArn: string }
  /** KMS failed the read for another reason. The health check reads again from `retryAfter` on. */
  | { kind: "failed"; errorCode: string; checkedAt: Date; retryAfter: Date }
  /** Not read yet for the current key. */
  | { kind: "unchecked" };

/** Key status that the Encryption page shows to every member of the account. */
export interface EncryptionStatus {
  state: KeyState;
  stateChangedAt: Date;
  keyArn: string;
  keyRegion: string;
  keyAwsAccountId: string;
  keyId: string;
  multiRegion: boolean;
  lastValidatedAt: Date;
  lastError: { code: string; message: string | null; at: Date | null } | null;
  enabledBy: { name: string; email: string } | null;
  enabledAt: Date;
  disabled: { by: { name: string; email: string; globalRole: GlobalRole | null } | null; at: Date | null; reason: string | null } | null;
  /** The newest checks first, at most RECENT_CHECKS_LISTED. */
  recentChecks: KeyCheckSummary[];
  /** The newest CHECK_HISTORY_LENGTH checks at most, oldest first, with the number that passed. */
  checkHistory: { checks: KeyCheckSummary[]; passed: number };
  /** The newest successful KMS call with the current key, of any cause, or null when there is none. */
  lastUse: { at: Date; operation: string; cause: KmsCallCause } | null;
  rotation: RotationStatus;
  /** Days between scheduled re-wraps (null: off) and the next one. */
  rewrapSchedule: { intervalDays: number | null; nextRewrapAt: Date | null };
  health: {
    nextCheckAt: Date | null;
    unavailableSince: Date | null;
    /** Latest time at which any instance can still hold a plaintext data key: reads fail after it. */
    cachedKeysExpireAt: Date | null;
    suspendedAt: Date | null;
    restoredAt: Date | null;
  };
}

/**
 * Loads the key status of an account, or null when no key was ever connected.
 * `principalArn` is the platform role named when the key policy denies reading the rotation
 * status. It defaults to the configured role, and the environment is read only in that case.
 */
export async function loadEncryptionStatus(
  prisma: PrismaClient,
  accountId: string,
  cacheTtlMs: number,
  principalArn?: string,
): Promise<EncryptionStatus | null> {
  const config = await prisma.encryptionConfig.findUnique({
    where: { accountId },
    include: {
      enabledBy: { select: { name: true, email: true } },
      disabledBy: { select: { name: true, email: true, globalRole: true } },
    },
  });
  if (!config) return null;

  const [newestChecks, lastUse] = await Promise.all([
    prisma.keyCheck.findMany({
      where: { accountId },
      orderBy: { checkedAt: "desc" },
      take: CHECK_HISTORY_LENGTH,
      select: { trigger: true, ok: true, errorCode: true, latencyMs: true, checkedAt: true },
    }),
    // GetKeyRotationStatus reads metadata and does not use the key, so it does not count as a use.
    prisma.kmsCall.findFirst({
      where: { accountId, keyArn: config.keyArn, ok: true, operation: { not: "GetKeyRotationStatus" } },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      select: { createdAt: true, operation: true, cause: true },
    }),
  ]);
  const history = [...newestChecks].reverse();

  return {
    state: config.state,
    stateChangedAt: config.stateChangedAt,
    keyArn: config.keyArn,
    keyRegion: config.keyRegion,
    keyAwsAccountId: config.keyAwsAccountId,
    keyId: config.keyId,
    multiRegion: config.multiRegion,
    lastValidatedAt: config.lastValidatedAt,
    lastError: config.lastErrorCode ? { code: config.lastErrorCode, message: config.lastErrorMessage, at: config.lastErrorAt } : null,
    enabledBy: config.enabledBy,
    enabledAt: config.enabledAt,
    disabled: config.state === "DISABLED" ? { by: config.disabledBy, at: config.disabledAt, reason: config.disabledReason } : null,
    recentChecks: newestChecks.slice(0, RECENT_CHECKS_LISTED),
    checkHistory: { checks: history, passed: history.filter((check) => check.ok).length },
    lastUse: lastUse ? { at: lastUse.createdAt, operation: lastUse.operation, cause: lastUse.cause } : null,
    rotation: rotationStatus(config, () => principalArn ?? byokSettings().principalArn),
    rewrapSchedule: { intervalDays: config.rewrapIntervalDays, nextRewrapAt: config.nextRewrapAt },
    health: {
      nextCheckAt: config.nextHealthCheckAt,
      unavailableSince: config.unavailableSince,
      // Keys unwrapped before the key became unavailable leave every cache within one TTL.
      cachedKeysExpireAt: config.unavailableSince ? new Date(config.unavailableSince.getTime() + cacheTtlMs) : null,
      suspendedAt: config.suspendedAt,
      restoredAt: config.restoredAt,
    },
  };
}

function rotationStatus(config: EncryptionConfig, principalArn: () => string): RotationStatus {
  const checkedAt = config.rotationCheckedAt;
  if (checkedAt === null || !hasRotationStatusForKey(config)) return { kind: "unchecked" };
  if (config.rotationErrorCode === "AccessDeniedException") return { kind: "denied", checkedAt, principalArn: principalArn() };
  if (config.rotationErrorCode !== null) {
    return { kind: "failed", errorCode: config.rotationErrorCode, checkedAt, retryAfter: new Date(checkedAt.getTime() + ROTATION_STATUS_REFRESH_MS) };
  }
  if (config.rotationEnabled === true) {
    return { kind: "on", periodDays: config.rotationPeriodDays, nextRotationAt: config.nextRotationAt, checkedAt };
  }
  return { kind: "off", checkedAt };
}
