import "server-only";

import { recordAuditEvent } from "@/lib/audit/record";
import type { DataKeySource, Prisma, PrismaClient, RewrapJob, RewrapJobKind } from "@/lib/db/generated/client";
import { DataKeyUnavailableError } from "@/lib/data-keys/errors";
import { AppError } from "@/lib/errors";
import type { KeyFailure } from "@/lib/kms/failures";
import { log } from "@/lib/log";
import { rewrapDataKey, type RewrapKmsDeps } from "@/lib/rewrap/kms";
import { switchAccountKey } from "@/lib/rewrap/switch";

/**
 * Runs re-wrap jobs: moves an account's stored data keys from one KMS key to another (or,
 * for ROTATION, onto the newest material of the same key) without touching a record.
 * lib/rewrap/kms.ts makes the KMS calls; this file keeps the job's progress.
 *
 * Progress is durable: each moved data key and the job's cursor (the last serial handled)
 * commit in one transaction. A data key is moved only if it is still wrapped by the source
 * key, so a run that resumes after a crash or overlaps another run moves and counts each
 * data key once. The cost grows with the number of data keys, never with records.
 *
 * When a call fails:
 * - KMS unreachable, busy or timing out: the run throws and leaves the job RUNNING; the
 *   worker runs it again later and it resumes after the cursor.
 * - One data key that does not open (wrong context or key): counted in `failed`, skipped.
 * - The tenant key refusing a Decrypt that moves data away from it (TO_PLATFORM, after
 *   support disabled BYOK): counted in `failed`, skipped, so what can be saved is saved.
 * - A key refusing a ReEncrypt: the job ends FAILED with the reason, because every
 *   further call would be refused the same way until the tenant changes the key or its
 *   policy. Starting the job again after the fix skips the keys already moved.
 * - The platform key refusing an Encrypt: the run throws, since only the platform can fix it.
 *
 * A KEY_CHANGE job ends by switching the account to the new key (see switch.ts).
 */

export type RewrapDeps = RewrapKmsDeps;

export interface RewrapOptions {
  /** Data keys read from the database per query. */
  batchSize?: number;
}

const DEFAULT_BATCH_SIZE = 100;
/** Passes over data keys created while a key change ran, before the job gives up switching. */
const MAX_SWITCH_ATTEMPTS = 5;

type DataKeyRow = Pick<Prisma.DataKeyGetPayload<object>, "id" | "serial" | "kmsKeyArn" | "wrappedKey" | "encryptionContext" | "createdAt">;

/** Raised when another run of the same job moved its cursor first, so this run stops and each data key is counted once. */
export class RewrapConflictError extends AppError {
  constructor(jobId: string, serial: number) {
    const message = `Rewrap job ${jobId} is no longer running, or another run already passed data key ${serial}. This run stopped.`;
    super("REWRAP_CONFLICT", "The key migration is already being handled by another worker.", message);
    this.name = "RewrapConflictError";
  }
}

/** Returns the `source` of a data key after a job of `kind` moved it. */
function targetSourceOf(kind: RewrapJobKind): DataKeySource {
  return kind === "TO_PLATFORM" ? "PLATFORM" : "TENANT";
}

/**
 * Runs a queued or interrupted re-wrap job to completion and returns the job's final row.
 * A job that is no longer PENDING or RUNNING is returned unchanged. Throws
 * `DataKeyUnavailableError` when KMS cannot be reached, leaving the job RUNNING to be retried.
 */
export async function runRewrapJob(deps: RewrapDeps, jobId: string, options: RewrapOptions = {}): Promise<RewrapJob> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}.`);
  }
  const job = await claimJob(deps.prisma, jobId);
  if (job.status !== "RUNNING") return job;
  try {
    return await runClaimedJob(deps, job, batchSize);
  } catch (error) {
    if (!(error instanceof RewrapConflictError)) throw error;
    // Someone cancelled the job while this run worked on it, and its row records that.
    const current = await deps.prisma.rewrapJob.findUniqueOrThrow({ where: { id: jobId } });
    if (current.status === "CANCELLED") return current;
    throw error;
  }
}

async function runClaimedJob(deps: RewrapDeps, claimed: RewrapJob, batchSize: number): Promise<RewrapJob> {
  const jobId = claimed.id;
  let job = claimed;
  for (let attempt = 1; ; attempt++) {
    const stopped = await moveDataKeysAfterCursor(deps, job, batchSize);
    if (stopped) return stopped;
    if (job.kind !== "KEY_CHANGE") return finishJob(deps.prisma, jobId, null);

    job = await deps.prisma.rewrapJob.findUniqueOrThrow({ where: { id: jobId } });
    const switched = await switchAccountKey(deps.prisma, job);
    if (switched.status === "switched") return finishJob(deps.prisma, jobId, null);
    if (switched.status === "blocked") return finishJob(deps.prisma, jobId, switched.reason);
    // Instances made new data keys under the old key while this pass ran; move them too.
    if (attempt === MAX_SWITCH_ATTEMPTS) {
      return finishJob(deps.prisma, jobId, `Data keys kept being created under ${job.sourceKeyArn} after ${attempt} passes, so the account was not switched. Start the change again.`);
    }
  }
}

// Handles every data key after the job's cursor. Returns the final job row when the job
// ended early (it was cancelled, or a key refused a ReEncrypt), otherwise null.
async function moveDataKeysAfterCursor(deps: RewrapDeps, job: RewrapJob, batchSize: number): Promise<RewrapJob | null> {
  let cursor = (await deps.prisma.rewrapJob.findUniqueOrThrow({ where: { id: job.id }, select: { cursor: true } })).cursor;
  for (;;) {
    const stale = await staleReason(deps.prisma, job);
    if (stale) return finishJob(deps.prisma, job.id, stale);
    const batch = await deps.prisma.dataKey.findMany({
      where: { accountId: job.accountId, serial: { gt: cursor } },
      orderBy: { serial: "asc" },
      take: batchSize,
      select: { id: true, serial: true, kmsKeyArn: true, wrappedKey: true, encryptionContext: true, createdAt: true },
    });
    if (batch.length === 0) return null;
    for (const dataKey of batch) {
      const ended = await handleDataKey(deps, job, dataKey);
      if (ended) return ended;
      cursor = dataKey.serial;
    }
  }
}

// Returns why the job may no longer move data keys, or null. A job that moves data keys to
// or within the tenant's key needs that key to still be the account's key, and a job that
// moves them to the platform key needs BYOK to still be off. Inside a move's
// transaction the row is locked FOR SHARE, so a disable or a key switch (which update it)
// waits for the move, and no data key moves under a tenant key after BYOK is off.
async function staleReason(writer: Prisma.TransactionClient | PrismaClient, job: RewrapJob): Promise<string | null> {
  const [config] = await writer.$queryRaw<{ key_arn: string; state: string }[]>`
    SELECT "key_arn", "state" FROM "encryption_configs" WHERE "account_id" = ${job.accountId}::uuid FOR SHARE`;
  if (job.kind === "TO_PLATFORM") {
    // Moving data off the tenant's keys is only right while BYOK stays off.
    return config && config.state !== "DISABLED" ? "BYOK was turned on again while the job ran, so the job stopped." : null;
  }
  const expected = job.kind === "KEY_CHANGE" ? job.sourceKeyArn : job.targetKeyArn;
  if (!config || config.state === "DISABLED") return "BYOK was turned off for the account while the job ran, so the job stopped.";
  if (config.key_arn !== expected) return `The account's key changed to ${config.key_arn} while the job ran, so the job stopped.`;
  return null;
}

// Marks the job RUNNING. The first claim also sets startedAt and total and records the
// audit event. Concurrent first claims wait for the row lock taken by the UPDATE.
async function claimJob(prisma: PrismaClient, jobId: string): Promise<RewrapJob> {
  return prisma.$transaction(async (tx) => {
    const claimed = await tx.rewrapJob.updateMany({ where: { id: jobId, status: { in: ["PENDING", "RUNNING"] } }, data: { status: "RUNNING" } });
    const job = await tx.rewrapJob.findUnique({ where: { id: jobId } });
    if (!job) throw new Error(`Rewrap job ${jobId} does not exist.`);
    if (claimed.count === 0 || job.startedAt) return job;
    const total = await tx.dataKey.count({ where: { accountId: job.accountId, kmsKeyArn: job.sourceKeyArn } });
    const started = await tx.rewrapJob.update({ where: { id: jobId }, data: { startedAt: new Date(), total } });
    await recordAuditEvent(tx, {
      accountId: job.accountId,
      actor: { type: "SYSTEM" },
      action: "rewrap.started",
      outcome: "SUCCESS",
      keyArn: job.sourceKeyArn,
      details: { jobId, kind: job.kind, sourceKeyArn: job.sourceKeyArn, targetKeyArn: job.targetKeyArn, total, requestedBy: job.requestedBy },
    });
    log.info("rewrap.started", { accountId: job.accountId, jobId, kind: job.kind, sourceKeyArn: job.sourceKeyArn, targetKeyArn: job.targetKeyArn, total });
    return started;
  });
}

async function handleDataKey(deps: RewrapDeps, job: RewrapJob, dataKey: DataKeyRow): Promise<RewrapJob | null> {
  const { prisma } = deps;
  // Keys under another KMS key are not this job's to move.
  if (dataKey.kmsKeyArn !== job.sourceKeyArn) {
    await advance(prisma, job.id, dataKey.serial, {});
    return null;
  }
  // A data key made after the job started was not in its total.
  const added = job.startedAt && dataKey.createdAt > job.startedAt ? 1 : 0;
  const call = { accountId: job.accountId, kind: job.kind, sourceKeyArn: job.sourceKeyArn, targetKeyArn: job.targetKeyArn };
  const outcome = await rewrapDataKey(deps, call, { serial: dataKey.serial, wrappedKey: dataKey.wrappedKey, encryptionContext: dataKey.encryptionContext as Record<string, string> });

  if (outcome.ok) {
    const stale = await prisma.$transaction(async (tx) => {
      const reason = await staleReason(tx, job);
      if (reason) return reason;
      const moved = await tx.dataKey.updateMany({
        where: { id: dataKey.id, kmsKeyArn: job.sourceKeyArn },
        data: { wrappedKey: outcome.wrappedKey, kmsKeyArn: job.targetKeyArn, source: targetSourceOf(job.kind), rewrappedAt: new Date() },
      });
      await advance(tx, job.id, dataKey.serial, { moved: moved.count, total: added });
      return null;
    });
    return stale ? finishJob(prisma, job.id, stale) : null;
  }

  const { failure, keyArn } = outcome;
  const lastError = describeFailure(failure, keyArn, dataKey.serial);
  const logFields = { accountId: job.accountId, jobId: job.id, kind: job.kind, serial: dataKey.serial, kmsKeyArn: keyArn, code: failure.code, requestId: failure.requestId };
  const onlyThisKey = failure.code === "CONTEXT_MISMATCH" || failure.code === "KEY_MISMATCH";
  const sourceRefusedDecrypt = job.kind === "TO_PLATFORM" && failure.keyRefused && keyArn === job.sourceKeyArn;
  if (onlyThisKey || sourceRefusedDecrypt) {
    await advance(prisma, job.id, dataKey.serial, { failed: 1, total: added, lastError });
    log.warn("rewrap.key_failed", logFields);
    return null;
  }
  if (failure.keyRefused && job.kind !== "TO_PLATFORM") {
    log.warn("rewrap.refused", logFields);
    return finishJob(prisma, job.id, lastError);
  }
  // KMS was unreachable or busy, or the platform key refused: a later run can succeed.
  await prisma.rewrapJob.updateMany({ where: { id: job.id, status: "RUNNING" }, data: { lastError } });
  log.warn("rewrap.interrupted", logFields);
  throw new DataKeyUnavailableError(job.accountId, keyArn, failure);
}

// Moves the cursor past `serial` only if no other run did, so each data key is counted once.
async function advance(
  writer: Prisma.TransactionClient | PrismaClient,
  jobId: string,
  serial: number,
  change: { moved?: number; failed?: number; total?: number; lastError?: string },
): Promise<void> {
  const updated = await writer.rewrapJob.updateMany({
    where: { id: jobId, status: "RUNNING", cursor: { lt: serial } },
    data: {
      cursor: serial,
      moved: { increment: change.moved ?? 0 },
      failed: { increment: change.failed ?? 0 },
      total: { increment: change.total ?? 0 },
      ...(change.lastError === undefined ? {} : { lastError: change.lastError }),
    },
  });
  if (updated.count === 0) throw new RewrapConflictError(jobId, serial);
}

// The stored lastError: the failure code, the call and the key, never the raw AWS message.
function describeFailure(failure: KeyFailure, keyArn: string, serial: number): string {
  const awsError = failure.awsErrorName ? ` (${failure.awsErrorName})` : "";
  const sentence = `${failure.code}: ${failure.operation} with ${keyArn} failed for data key ${serial}${awsError}.`;
  if (failure.operation === "ReEncrypt" && failure.code === "KEY_ACCESS_DENIED") {
    return `${sentence} The key policy must allow the platform role kms:ReEncryptFrom on the key the data keys leave and kms:ReEncryptTo on the key they move to.`;
  }
  return sentence;
}

/**
 * Ends a RUNNING job: COMPLETED when `stopReason` is null, FAILED with it otherwise. A job
 * that another caller ended first (cancelled, or finished by an overlapping run) is
 * returned as it is.
 */
async function finishJob(prisma: PrismaClient, jobId: string, stopReason: string | null): Promise<RewrapJob> {
  return prisma.$transaction(async (tx) => {
    const status = stopReason === null ? "COMPLETED" : "FAILED";
    const ended = await tx.rewrapJob.updateMany({
      where: { id: jobId, status: "RUNNING" },
      data: { status, finishedAt: new Date(), ...(stopReason === null ? {} : { lastError: stopReason }) },
    });
    // A job that moved every data key keeps no error from an interrupted attempt.
    await tx.rewrapJob.updateMany({ where: { id: jobId, status: "COMPLETED", failed: 0 }, data: { lastError: null } });
    const job = await tx.rewrapJob.findUniqueOrThrow({ where: { id: jobId } });
    if (ended.count === 0) return job;
    await recordAuditEvent(tx, {
      accountId: job.accountId,
      actor: { type: "SYSTEM" },
      action: status === "COMPLETED" ? "rewrap.completed" : "rewrap.failed",
      outcome: status === "COMPLETED" && job.failed === 0 ? "SUCCESS" : "FAILURE",
      keyArn: job.sourceKeyArn,
      details: { jobId, kind: job.kind, sourceKeyArn: job.sourceKeyArn, targetKeyArn: job.targetKeyArn, total: job.total, moved: job.moved, failed: job.failed, lastError: job.lastError },
    });
    log.info(status === "COMPLETED" ? "rewrap.completed" : "rewrap.failed", { accountId: job.accountId, jobId, kind: job.kind, moved: job.moved, failed: job.failed });
    return job;
  });
}
