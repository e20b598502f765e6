import "server-only";

import { recordAuditEvent } from "@/lib/audit/record";
import type { AccountAccess } from "@/lib/auth/authorize";
import type { FormResult } from "@/lib/byok/schema";
import type { PrismaClient } from "@/lib/db/generated/client";
import { log } from "@/lib/log";
import { findActiveKeyChange, queueRewrapJob } from "@/lib/rewrap/start";

/**
 * Re-wrap requests from the Encryption page (start one now, set a schedule, cancel one),
 * and the schedule's sweep for the worker. Re-wrapping onto the
 * newest key material is a ROTATION job: one ReEncrypt per data key, which the key policy
 * must allow with kms:ReEncryptFrom and kms:ReEncryptTo.
 */

/** Days between scheduled re-wraps that the page offers. */
export const REWRAP_INTERVALS_DAYS = [30, 90, 180, 365] as const;

const DAY_MS = 86_400_000;

function userActor(access: AccountAccess) {
  return { type: "USER" as const, userId: access.user.id, email: access.user.email };
}

function failure(code: string, message: string, causes: string[] = []): FormResult {
  return { status: "error", formError: { code, message, causes } };
}

/** Queues a re-wrap of every data key under the account's key onto its newest material. */
export async function requestRotationRewrap(prisma: PrismaClient, access: AccountAccess): Promise<FormResult> {
  const accountId = access.account.id;
  const actor = userActor(access);
  const config = await prisma.encryptionConfig.findUnique({ where: { accountId } });
  if (!config || config.state === "DISABLED") {
    return failure("NO_KEY_CONFIGURED", "No key is connected, so there is nothing to re-wrap.", ["Connect a key first."]);
  }
  if (config.state === "UNAVAILABLE") {
    await recordAuditEvent(prisma, { accountId, actor, action: "byok.rewrap.request", outcome: "FAILURE", errorCode: "KEY_UNAVAILABLE", keyArn: config.keyArn });
    return failure("KEY_UNAVAILABLE", `The platform cannot use ${config.keyArn} right now, so its data keys cannot be re-wrapped.`, [
      "Restore the platform's access to the key (see the status above), run Test connection, then start the re-wrap again.",
    ]);
  }
  const change = await findActiveKeyChange(prisma, accountId);
  if (change) {
    return failure("KEY_CHANGE_IN_PROGRESS", `A change to ${change.targetKeyArn} is in progress; it re-wraps every data key anyway.`, ["Wait for the key change to finish."]);
  }
  const job = await queueRewrapJob(prisma, { accountId, kind: "ROTATION", sourceKeyArn: config.keyArn, targetKeyArn: config.keyArn, requestedBy: access.user.email });
  await recordAuditEvent(prisma, { accountId, actor, action: "byok.rewrap.request", outcome: "SUCCESS", keyArn: config.keyArn, details: { jobId: job.id, kind: job.kind } });
  return { status: "success", message: `Re-wrap of the data keys under ${config.keyArn} queued. Progress shows below.` };
}

/**
 * Queues the move of the account's data keys under the platform key (data written before
 * BYOK was activated) to the account's key, so revoking that key locks the older data too.
 * Offered on activation, and again from the Re-wrap card, for example after the first
 * attempt failed for want of kms:ReEncryptTo.
 */
export async function requestOlderDataProtection(prisma: PrismaClient, access: AccountAccess, platformKeyArn: string): Promise<FormResult> {
  const accountId = access.account.id;
  const config = await prisma.encryptionConfig.findUnique({ where: { accountId } });
  if (!config || config.state === "DISABLED" || config.state === "UNAVAILABLE") {
    return failure("NO_KEY_CONFIGURED", "No working key is connected, so older data cannot be moved under it.", ["Connect a key, or restore access to it, first."]);
  }
  const change = await findActiveKeyChange(prisma, accountId);
  if (change) {
    return failure("KEY_CHANGE_IN_PROGRESS", `A change to ${change.targetKeyArn} is in progress, so older data is not moved now.`, [
      "Start this again when the key change has finished, so the data moves under the new key.",
    ]);
  }
  const dataKeys = await prisma.dataKey.count({ where: { accountId, kmsKeyArn: platformKeyArn } });
  if (dataKeys === 0) return { status: "success", message: "No data was written before activation, so there is nothing older to protect." };
  const job = await queueRewrapJob(prisma, { accountId, kind: "FROM_PLATFORM", sourceKeyArn: platformKeyArn, targetKeyArn: config.keyArn, requestedBy: access.user.email });
  await recordAuditEvent(prisma, { accountId, actor: userActor(access), action: "byok.rewrap.request", outcome: "SUCCESS", keyArn: config.keyArn, details: { jobId: job.id, kind: job.kind, dataKeys } });
  const plural = dataKeys === 1 ? "" : "s";
  return { status: "success", message: `The ${dataKeys} data key${plural} of data written before activation ${dataKeys === 1 ? "is" : "are"} moving under your key; the progress is shown under "Re-wrap".` };
}

/** Sets how often the account's data keys are re-wrapped onto the newest key material; null turns it off. */
export async function setRewrapSchedule(prisma: PrismaClient, access: AccountAccess, intervalDays: number | null): Promise<FormResult> {
  const accountId = access.account.id;
  const config = await prisma.encryptionConfig.findUnique({ where: { accountId } });
  if (!config || config.state === "DISABLED") {
    return failure("NO_KEY_CONFIGURED", "No key is connected, so there is nothing to schedule.", ["Connect a key first."]);
  }
  const nextRewrapAt = intervalDays === null ? null : new Date(Date.now() + intervalDays * DAY_MS);
  await prisma.$transaction(async (tx) => {
    const after = await tx.encryptionConfig.update({ where: { accountId }, data: { rewrapIntervalDays: intervalDays, nextRewrapAt, version: { increment: 1 } } });
    await recordAuditEvent(tx, {
      accountId,
      actor: userActor(access),
      action: "byok.rewrap.schedule",
      outcome: "SUCCESS",
      keyArn: config.keyArn,
      before: { rewrapIntervalDays: config.rewrapIntervalDays, nextRewrapAt: config.nextRewrapAt?.toISOString() ?? null },
      after: { rewrapIntervalDays: after.rewrapIntervalDays, nextRewrapAt: after.nextRewrapAt?.toISOString() ?? null },
    });
  });
  if (intervalDays === null) return { status: "success", message: "Scheduled re-wraps are off." };
  return { status: "success", message: `Data keys will be re-wrapped every ${intervalDays} days, first on ${nextRewrapAt!.toISOString().slice(0, 10)}.` };
}

/**
 * Cancels a pending or running re-wrap job of the account. Data keys already moved stay
 * where they are, and they remain readable. Jobs that support started (TO_PLATFORM) are
 * not the tenant's to cancel.
 */
export async function cancelRewrap(prisma: PrismaClient, access: AccountAccess, jobId: string): Promise<FormResult> {
  const accountId = access.account.id;
  const actor = userActor(access);
  const job = await prisma.rewrapJob.findFirst({ where: { id: jobId, accountId } });
  if (!job || job.kind === "TO_PLATFORM") {
    await recordAuditEvent(prisma, { accountId, actor, action: "byok.rewrap.cancel", outcome: "DENIED", errorCode: "JOB_NOT_FOUND", details: { jobId } });
    return failure("JOB_NOT_FOUND", "That re-wrap job does not exist in this account. Reload the page.");
  }
  // Stored with the job, so the page keeps saying what the cancellation left behind.
  const lastError =
    job.kind === "KEY_CHANGE"
      ? `Cancelled by ${access.user.email}. The account keeps ${job.sourceKeyArn}; data keys already moved stay under ${job.targetKeyArn}, so keep that key usable too.`
      : `Cancelled by ${access.user.email}.`;
  const cancelled = await prisma.$transaction(async (tx) => {
    const updated = await tx.rewrapJob.updateMany({ where: { id: jobId, status: { in: ["PENDING", "RUNNING"] } }, data: { status: "CANCELLED", finishedAt: new Date(), lastError } });
    if (updated.count === 0) return false;
    await recordAuditEvent(tx, {
      accountId,
      actor,
      action: "byok.rewrap.cancel",
      outcome: "SUCCESS",
      keyArn: job.targetKeyArn,
      before: { status: job.status },
      after: { status: "CANCELLED" },
      details: { jobId, kind: job.kind, moved: job.moved, total: job.total },
    });
    return true;
  });
  if (!cancelled) return failure("JOB_FINISHED", "That job has already finished, so there is nothing to cancel.");
  if (job.kind === "KEY_CHANGE") {
    return { status: "success", message: `Key change cancelled. The account keeps ${job.sourceKeyArn}; data keys already moved stay under ${job.targetKeyArn}, so keep that key too.` };
  }
  return { status: "success", message: "Re-wrap cancelled. Data keys already re-wrapped stay re-wrapped." };
}

/**
 * Queues a ROTATION job for each account whose scheduled re-wrap is due, claiming each
 * account with FOR UPDATE SKIP LOCKED so concurrent sweeps queue it once, and moves its
 * next date one interval on. Returns the ids of the accounts queued.
 */
export async function queueScheduledRewraps(prisma: PrismaClient, limit: number): Promise<string[]> {
  const due = await prisma.$queryRaw<{ account_id: string; key_arn: string }[]>`
    UPDATE "encryption_configs" SET "next_rewrap_at" = now() + make_interval(days => "rewrap_interval_days")
    WHERE "account_id" IN (
      SELECT "account_id" FROM "encryption_configs"
      WHERE "next_rewrap_at" <= now() AND "rewrap_interval_days" IS NOT NULL AND "state" = 'ACTIVE'
      ORDER BY "next_rewrap_at" LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING "account_id", "key_arn"`;
  for (const { account_id: accountId, key_arn: keyArn } of due) {
    const job = await queueRewrapJob(prisma, { accountId, kind: "ROTATION", sourceKeyArn: keyArn, targetKeyArn: keyArn, requestedBy: "schedule" });
    await recordAuditEvent(prisma, { accountId, actor: { type: "SYSTEM" }, action: "byok.rewrap.request", outcome: "SUCCESS", keyArn, details: { jobId: job.id, kind: job.kind, scheduled: true } });
    log.info("rewrap.scheduled", { accountId, jobId: job.id, kmsKeyArn: keyArn });
  }
  return due.map((row) => row.account_id);
}
