import { recordAuditEvent, type AuditActor } from "@/lib/audit/record";
import { checkKeyForAccount, type ByokDeps } from "@/lib/byok/key-check";
import { isRotationStatusDue, refreshRotationStatus } from "@/lib/byok/rotation";
import type { KeyCheckTrigger, NotificationKind } from "@/lib/db/generated/client";
import { applyCheck, type CheckOutcome, type HealthSettings, type Transition } from "@/lib/health/transitions";
import { describeKeyFailure, type KeyFailure } from "@/lib/kms/failures";
import { log } from "@/lib/log";

/**
 * Key health: the periodic round trip of every BYOK account. This is also the one place
 * where a check's outcome (health check, Test connection, or a refusal seen on live
 * traffic) is applied to the account's key state, recorded, and passed on to notifications.
 */

export interface KeyEvent {
  accountId: string;
  kind: NotificationKind;
  keyArn: string;
  cause?: string;
  causeMessage?: string;
  occurredAt: Date;
}

/** Receives key events; lib/notifications sends them by email. */
export interface KeyEventSink {
  notify(event: KeyEvent): Promise<unknown>;
}

export interface HealthDeps extends ByokDeps {
  health: HealthSettings;
  events: KeyEventSink | null;
}

const SYSTEM: AuditActor = { type: "SYSTEM" };

/**
 * Runs the round trip for one account and applies its outcome. Returns null when BYOK is
 * off or not configured. After a passing round trip it also reads the key's rotation
 * status, when the last read is older than ROTATION_STATUS_REFRESH_MS or was of another key.
 */
export async function runHealthCheck(deps: HealthDeps, accountId: string): Promise<Transition | null> {
  const config = await deps.prisma.encryptionConfig.findUnique({
    where: { accountId },
    select: { keyArn: true, state: true, enabledAt: true, rotationCheckedAt: true },
  });
  if (!config || config.state === "DISABLED") return null;

  const check = await checkKeyForAccount(deps, accountId, config.keyArn, "HEALTH_CHECK");
  const outcome: CheckOutcome = check.ok ? { ok: true } : { ok: false, failure: check.failure, message: check.description.message };
  const transition = await applyKeyOutcome(deps, { accountId, keyArn: config.keyArn, outcome, trigger: "HEALTH_CHECK", latencyMs: check.latencyMs, actor: SYSTEM, action: "byok.key.health_check" });

  if (check.ok && transition && isRotationStatusDue(config, new Date())) {
    await refreshRotationStatusOrLog(deps, accountId, config.keyArn);
  }
  return transition;
}

/**
 * The check's outcome is already applied, so an error here must not fail the job: the
 * job queue would retry it and repeat the round trip for a value that is only displayed.
 */
async function refreshRotationStatusOrLog(deps: HealthDeps, accountId: string, keyArn: string): Promise<void> {
  try {
    await refreshRotationStatus(deps, accountId, keyArn);
  } catch (error) {
    log.error("key.rotation_status.store_failed", { accountId, keyArn, error });
  }
}

/** Marks the key unavailable at once when live traffic (a data key creation or unwrap) saw the key refuse. */
export async function recordLiveRefusal(deps: HealthDeps, accountId: string, keyArn: string, failure: KeyFailure): Promise<void> {
  const message = describeKeyFailure(failure, {
    keyArn,
    region: deps.settings.serviceRegion,
    principalArn: deps.settings.principalArn,
    encryptionContext: { service: deps.settings.serviceName, account_uuid: accountId },
    timeoutMs: deps.settings.kmsTimeoutMs,
    maxAttempts: deps.settings.kmsMaxAttempts,
  }).message;
  await applyKeyOutcome(deps, { accountId, keyArn, outcome: { ok: false, failure, message }, trigger: null, actor: SYSTEM, action: "byok.key.live_refusal" });
}

export interface OutcomeInput {
  accountId: string;
  keyArn: string;
  outcome: CheckOutcome;
  /** Recorded in the key's check history; null for refusals seen on live traffic. */
  trigger: KeyCheckTrigger | null;
  latencyMs?: number;
  actor: AuditActor;
  action: string;
}

/**
 * Applies a check outcome under a row lock, so concurrent checks of one account apply in
 * turn, then sends the resulting notifications. Does nothing when the account's key has
 * changed since the check started.
 */
export async function applyKeyOutcome(deps: HealthDeps, input: OutcomeInput): Promise<Transition | null> {
  const now = new Date();
  const { accountId, keyArn, outcome } = input;

  const transition = await deps.prisma.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ key_arn: string }[]>`SELECT key_arn FROM encryption_configs WHERE account_id = ${accountId}::uuid FOR UPDATE`;
    if (rows[0]?.key_arn !== keyArn) return null;
    const current = await tx.encryptionConfig.findUniqueOrThrow({ where: { accountId } });
    const result = applyCheck(current, outcome, now, deps.health);

    // The version counts settings changes, so routine check results leave it alone.
    const version = current.state === result.state ? {} : { version: { increment: 1 } };
    await tx.encryptionConfig.update({ where: { accountId }, data: { ...result.update, ...version } });
    if (input.trigger) {
      await tx.keyCheck.create({
        data: { accountId, keyArn, trigger: input.trigger, ok: outcome.ok, errorCode: outcome.ok ? null : outcome.failure.code, latencyMs: input.latencyMs ?? 0 },
      });
    }
    // Routine passing health checks would flood the audit log; state changes and every
    // user-triggered check are recorded.
    if (current.state !== result.state || input.actor.type !== "SYSTEM" || !outcome.ok) {
      await recordAuditEvent(tx, {
        accountId,
        actor: input.actor,
        action: input.action,
        outcome: outcome.ok ? "SUCCESS" : "FAILURE",
        errorCode: outcome.ok ? undefined : outcome.failure.code,
        keyArn,
        before: { state: current.state, suspended: current.suspendedAt !== null },
        after: { state: result.state, suspended: result.update.suspendedAt !== null },
        details: outcome.ok ? { latencyMs: input.latencyMs ?? null } : { operation: outcome.failure.operation, requestId: outcome.failure.requestId ?? null },
      });
    }
    return result;
  });

  if (!transition) return null;
  if (transition.state !== "ACTIVE" || transition.notifications.length > 0) {
    log.info("key.health", { accountId, keyArn, state: transition.state, notifications: transition.notifications, code: outcome.ok ? null : outcome.failure.code });
  }
  for (const kind of transition.notifications) {
    await deps.events?.notify({
      accountId,
      kind,
      keyArn,
      cause: outcome.ok ? undefined : outcome.failure.code,
      causeMessage: outcome.ok ? undefined : outcome.message,
      occurredAt: now,
    });
  }
  return transition;
}

/**
 * Claims up to `limit` accounts whose health check is due, pushing their next check out by
 * `leaseMs` so that no other worker claims them meanwhile. Safe with many workers.
 */
export async function claimDueAccounts(deps: Pick<HealthDeps, "prisma">, limit: number, leaseMs: number): Promise<string[]> {
  const rows = await deps.prisma.$queryRaw<{ account_id: string }[]>`
    UPDATE encryption_configs SET next_health_check_at = now() + ${leaseMs} * interval '1 millisecond'
    WHERE account_id IN (
      SELECT account_id FROM encryption_configs
      WHERE state <> 'DISABLED' AND next_health_check_at IS NOT NULL AND next_health_check_at <= now()
      ORDER BY next_health_check_at LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING account_id`;
  return rows.map((row) => row.account_id);
}
