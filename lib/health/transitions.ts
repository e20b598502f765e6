import type { KeyState, NotificationKind } from "@/lib/db/generated/client";
import type { KeyFailure } from "@/lib/kms/failures";

/**
 * State changes caused by one check of a tenant key (a health check, Test connection, or a
 * refusal seen on live traffic). Pure, so every path applies the same rules:
 *
 * - a pass makes the key ACTIVE and lifts UNAVAILABLE, DEGRADED and a suspension;
 * - a refusal by the key (denied, disabled, pending deletion, not found) makes it
 *   UNAVAILABLE, and the account is suspended once it has been unavailable for
 *   `suspendAfterMs`;
 * - KMS being unreachable, slow or throttled makes an ACTIVE key DEGRADED, which keeps
 *   writing, and the next check comes sooner, backing off to the normal interval. It does
 *   not lift UNAVAILABLE, because it proves nothing about the key;
 * - DISABLED (BYOK turned off) is left alone.
 */

export interface HealthSettings {
  intervalMs: number;
  /** First retry delay while DEGRADED; it doubles with each failure, up to `intervalMs`. */
  retryBaseMs: number;
  suspendAfterMs: number;
  /** Time the key must stay DEGRADED before the admins are notified. */
  degradedNotifyAfterMs: number;
}

export interface KeyHealthRecord {
  state: KeyState;
  stateChangedAt: Date;
  consecutiveFailures: number;
  unavailableSince: Date | null;
  suspendedAt: Date | null;
}

export type CheckOutcome = { ok: true } | { ok: false; failure: KeyFailure; message: string };

export interface Transition {
  state: KeyState;
  /** Columns of encryption_configs to write. */
  update: {
    state: KeyState;
    stateChangedAt: Date;
    consecutiveFailures: number;
    nextHealthCheckAt: Date | null;
    unavailableSince: Date | null;
    suspendedAt: Date | null;
    restoredAt?: Date;
    lastValidatedAt?: Date;
    lastErrorCode: string | null;
    lastErrorMessage: string | null;
    lastErrorAt: Date | null;
  };
  /** Notifications for the account's owners and admins, in order. */
  notifications: NotificationKind[];
}

export function applyCheck(current: KeyHealthRecord, outcome: CheckOutcome, now: Date, settings: HealthSettings): Transition {
  const next = (state: KeyState) => (state === current.state ? current.stateChangedAt : now);
  const nextCheck = (delayMs: number) => new Date(now.getTime() + delayMs);

  if (current.state === "DISABLED") {
    return {
      state: "DISABLED",
      update: {
        state: "DISABLED",
        stateChangedAt: current.stateChangedAt,
        consecutiveFailures: 0,
        nextHealthCheckAt: null,
        unavailableSince: null,
        suspendedAt: null,
        lastErrorCode: outcome.ok ? null : outcome.failure.code,
        lastErrorMessage: outcome.ok ? null : outcome.message,
        lastErrorAt: outcome.ok ? null : now,
        ...(outcome.ok ? { lastValidatedAt: now } : {}),
      },
      notifications: [],
    };
  }

  if (outcome.ok) {
    const wasDown = current.state === "UNAVAILABLE" || current.suspendedAt !== null;
    const wasNotifiedDegraded = current.state === "DEGRADED" && now.getTime() - current.stateChangedAt.getTime() >= settings.degradedNotifyAfterMs;
    return {
      state: "ACTIVE",
      update: {
        state: "ACTIVE",
        stateChangedAt: next("ACTIVE"),
        consecutiveFailures: 0,
        nextHealthCheckAt: nextCheck(settings.intervalMs),
        unavailableSince: null,
        suspendedAt: null,
        lastValidatedAt: now,
        lastErrorCode: null,
        lastErrorMessage: null,
        lastErrorAt: null,
        ...(wasDown || wasNotifiedDegraded ? { restoredAt: now } : {}),
      },
      notifications: wasDown || wasNotifiedDegraded ? ["KEY_RESTORED"] : [],
    };
  }

  const failures = current.consecutiveFailures + 1;
  const error = { lastErrorCode: outcome.failure.code, lastErrorMessage: outcome.message, lastErrorAt: now };

  if (outcome.failure.keyRefused) {
    const unavailableSince = current.unavailableSince ?? now;
    const suspend = current.suspendedAt === null && now.getTime() - unavailableSince.getTime() >= settings.suspendAfterMs;
    const notifications: NotificationKind[] = [];
    if (current.state !== "UNAVAILABLE") notifications.push("KEY_UNAVAILABLE");
    if (suspend) notifications.push("ACCOUNT_SUSPENDED");
    return {
      state: "UNAVAILABLE",
      update: {
        state: "UNAVAILABLE",
        stateChangedAt: next("UNAVAILABLE"),
        consecutiveFailures: failures,
        nextHealthCheckAt: nextCheck(settings.intervalMs),
        unavailableSince,
        suspendedAt: suspend ? now : current.suspendedAt,
        ...error,
      },
      notifications,
    };
  }

  const state: KeyState = current.state === "UNAVAILABLE" ? "UNAVAILABLE" : "DEGRADED";
  const stateChangedAt = next(state);
  const retryMs = Math.min(settings.retryBaseMs * 2 ** (failures - 1), settings.intervalMs);
  const degradedFor = now.getTime() - stateChangedAt.getTime();
  return {
    state,
    update: {
      state,
      stateChangedAt,
      consecutiveFailures: failures,
      nextHealthCheckAt: nextCheck(retryMs),
      unavailableSince: current.unavailableSince,
      suspendedAt: current.suspendedAt,
      ...error,
    },
    notifications: state === "DEGRADED" && degradedFor >= settings.degradedNotifyAfterMs ? ["KEY_DEGRADED"] : [],
  };
}
