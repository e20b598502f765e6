import "server-only";

import { DecryptCommand, EncryptCommand, type KMSClient } from "@aws-sdk/client-kms";

import { recordAuditEvent } from "@/lib/audit/record";
import type { DataKeySource, Prisma, PrismaClient, RewrapJob } from "@/lib/db/generated/client";
import { DataKeyUnavailableError } from "@/lib/data-keys/errors";
import { AppError } from "@/lib/errors";
import { classifyKmsError, keyFailure, type KeyFailure, type KmsOperation } from "@/lib/kms/failures";
import { log } from "@/lib/log";

/**
 * Moves ("re-wraps") an account's data keys from one KMS key to another, so records stay
 * readable after the tenant revokes the source key. Each data key is unwrapped with
 * Decrypt (KeyId pinned to the source key, stored encryption context) and wrapped again
 * with Encrypt under the target key and the same context. ReEncrypt is not used because
 * the tenant's key policy grants the platform only kms:GenerateDataKey and kms:Decrypt.
 * The plaintext bytes of a data key do not change, so records and the caches of app
 * instances stay valid.
 *
 * Progress is durable: each moved data key and the job's cursor commit in one
 * transaction. A data key that the source key rejects is counted in `failed` and
 * skipped. When KMS cannot be reached, the run throws and leaves the job RUNNING, so a
 * later run resumes after the cursor.
 */

export interface RewrapDeps {
  prisma: PrismaClient;
  kms: KMSClient;
  /** Name of this worker, stored with each KMS call made with a tenant key. */
  instance: string;
}

export interface RewrapOptions {
  /** Data keys read from the database per query. */
  batchSize?: number;
  /** Owner of the target key, which decides the moved keys' `source` and whether its Encrypt calls are recorded in kms_calls. Defaults to PLATFORM. */
  targetSource?: DataKeySource;
}

const DEFAULT_BATCH_SIZE = 100;

type DataKeyRow = Pick<Prisma.DataKeyGetPayload<object>, "id" | "serial" | "source" | "kmsKeyArn" | "wrappedKey" | "encryptionContext">;

interface Run {
  deps: RewrapDeps;
  job: RewrapJob;
  targetSource: DataKeySource;
}

type KmsOutcome<T> = { ok: true; output: T } | { ok: false; failure: KeyFailure; keyArn: string };

/** Raised when another run of the same job moved its cursor first, so this run stops and each data key is counted once. */
export class RewrapConflictError extends AppError {
  constructor(jobId: string, serial: number) {
    const message = `Rewrap job ${jobId} is no longer running, or another run already passed data key ${serial}. This run stopped.`;
    super("REWRAP_CONFLICT", "The key migration is already being handled by another worker.", message);
    this.name = "RewrapConflictError";
  }
}

/**
 * Runs a queued or interrupted rewrap job to completion and returns the job's final row.
 * A COMPLETED or FAILED job is returned unchanged. Throws `DataKeyUnavailableError` when
 * KMS cannot be reached or the target key rejects a call, and leaves the job RUNNING to be retried.
 */
export async function runRewrapJob(deps: RewrapDeps, jobId: string, options: RewrapOptions = {}): Promise<RewrapJob> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}.`);
  }

  const job = await claimJob(deps.prisma, jobId);
  if (job.status !== "RUNNING") return job;

  const run: Run = { deps, job, targetSource: options.targetSource ?? "PLATFORM" };
  let cursor = job.cursor;
  for (;;) {
    const batch = await deps.prisma.dataKey.findMany({
      where: { accountId: job.accountId, serial: { gt: cursor } },
      orderBy: { serial: "asc" },
      take: batchSize,
      select: { id: true, serial: true, source: true, kmsKeyArn: true, wrappedKey: true, encryptionContext: true },
    });
    if (batch.length === 0) break;
    for (const dataKey of batch) {
      await handleDataKey(run, dataKey);
      cursor = dataKey.serial;
    }
  }

  return completeJob(deps.prisma, jobId);
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
      details: { jobId, sourceKeyArn: job.sourceKeyArn, targetKeyArn: job.targetKeyArn, total, requestedBy: job.requestedBy },
    });
    log.info("rewrap.started", { accountId: job.accountId, jobId, sourceKeyArn: job.sourceKeyArn, targetKeyArn: job.targetKeyArn, total });
    return started;
  });
}

async function handleDataKey(run: Run, dataKey: DataKeyRow): Promise<void> {
  const { prisma } = run.deps;
  const { job } = run;

  // Keys already under the target, or under a third key, are not this job's to move.
  if (dataKey.kmsKeyArn !== job.sourceKeyArn) {
    await prisma.$transaction((tx) => advanceJob(tx, job.id, dataKey.serial, {}));
    return;
  }

  const outcome = await rewrapDataKey(run, dataKey);
  if (outcome.ok) {
    await prisma.$transaction(async (tx) => {
      const moved = await tx.dataKey.updateMany({
        where: { id: dataKey.id, kmsKeyArn: job.sourceKeyArn },
        data: { wrappedKey: outcome.output, kmsKeyArn: job.targetKeyArn, source: run.targetSource, rewrappedAt: new Date() },
      });
      await advanceJob(tx, job.id, dataKey.serial, { moved: moved.count });
    });
    return;
  }

  const { failure, keyArn } = outcome;
  const lastError = describeFailure(failure, keyArn, dataKey.serial);
  if (failure.keyRefused && keyArn === job.sourceKeyArn) {
    await prisma.$transaction((tx) => advanceJob(tx, job.id, dataKey.serial, { failed: 1, lastError }));
    log.warn("rewrap.key_failed", { accountId: job.accountId, jobId: job.id, serial: dataKey.serial, kmsKeyArn: keyArn, code: failure.code, requestId: failure.requestId });
    return;
  }

  // KMS was unreachable or busy, or the target key rejected the call, so a later retry can succeed.
  await prisma.rewrapJob.updateMany({ where: { id: job.id, status: "RUNNING" }, data: { lastError } });
  log.warn("rewrap.interrupted", { accountId: job.accountId, jobId: job.id, serial: dataKey.serial, kmsKeyArn: keyArn, code: failure.code, requestId: failure.requestId });
  throw new DataKeyUnavailableError(job.accountId, keyArn, failure);
}

// Moves the cursor past `serial` only if no other run did, so each data key is counted once.
async function advanceJob(
  tx: Prisma.TransactionClient,
  jobId: string,
  serial: number,
  change: { moved?: number; failed?: number; lastError?: string },
): Promise<void> {
  const updated = await tx.rewrapJob.updateMany({
    where: { id: jobId, status: "RUNNING", cursor: { lt: serial } },
    data: {
      cursor: serial,
      moved: { increment: change.moved ?? 0 },
      failed: { increment: change.failed ?? 0 },
      ...(change.lastError === undefined ? {} : { lastError: change.lastError }),
    },
  });
  if (updated.count === 0) throw new RewrapConflictError(jobId, serial);
}

// Returns the data key wrapped by the target key. The plaintext key exists only between
// the two calls and is zeroed afterwards, whatever the outcome.
async function rewrapDataKey(run: Run, dataKey: DataKeyRow): Promise<KmsOutcome<Uint8Array<ArrayBuffer>>> {
  const { kms } = run.deps;
  const { sourceKeyArn, targetKeyArn } = run.job;
  const encryptionContext = dataKey.encryptionContext as Record<string, string>;

  const decrypted = await callKms(run, "Decrypt", sourceKeyArn, dataKey.source, encryptionContext, () =>
    kms.send(new DecryptCommand({ CiphertextBlob: dataKey.wrappedKey, KeyId: sourceKeyArn, EncryptionContext: encryptionContext })),
  );
  if (!decrypted.ok) return decrypted;

  const plaintext = decrypted.output.Plaintext;
  try {
    if (!plaintext || plaintext.length !== 32 || decrypted.output.KeyId !== sourceKeyArn) {
      return { ok: false, failure: keyFailure("KEY_MISMATCH", "Decrypt", decrypted.output.$metadata.requestId), keyArn: sourceKeyArn };
    }
    const encrypted = await callKms(run, "Encrypt", targetKeyArn, run.targetSource, encryptionContext, () =>
      kms.send(new EncryptCommand({ KeyId: targetKeyArn, Plaintext: plaintext, EncryptionContext: encryptionContext })),
    );
    if (!encrypted.ok) return encrypted;
    if (!encrypted.output.CiphertextBlob || encrypted.output.KeyId !== targetKeyArn) {
      return { ok: false, failure: keyFailure("KEY_MISMATCH", "Encrypt", encrypted.output.$metadata.requestId), keyArn: targetKeyArn };
    }
    return { ok: true, output: Uint8Array.from(encrypted.output.CiphertextBlob) };
  } finally {
    // NOTE: the SDK serializes Plaintext into a base64 string for the Encrypt request body,
    // and that string cannot be zeroed.
    plaintext?.fill(0);
  }
}

// Sends one KMS call and, for a tenant's key, records it in kms_calls so the tenant can
// match it to CloudTrail.
async function callKms<T extends { $metadata: { requestId?: string } }>(
  run: Run,
  operation: KmsOperation,
  keyArn: string,
  keySource: DataKeySource,
  encryptionContext: Record<string, string>,
  send: () => Promise<T>,
): Promise<KmsOutcome<T>> {
  const { accountId } = run.job;
  const started = performance.now();
  let output: T | undefined;
  let failure: KeyFailure | undefined;
  try {
    output = await send();
  } catch (error) {
    failure = classifyKmsError(error, operation);
    log.warn("kms.call.failed", { accountId, operation, kmsKeyArn: keyArn, requestId: failure.requestId, awsError: failure.awsErrorName, error });
  }
  const latencyMs = Math.round(performance.now() - started);

  if (keySource === "TENANT") {
    await run.deps.prisma.kmsCall.create({
      data: {
        accountId,
        keyArn,
        operation,
        encryptionContext: { ...encryptionContext },
        requestId: output?.$metadata.requestId ?? failure?.requestId ?? null,
        ok: failure === undefined,
        errorCode: failure?.awsErrorName ?? null,
        cause: "REWRAP",
        latencyMs,
        instance: run.deps.instance,
      },
    });
  }
  if (failure) return { ok: false, failure, keyArn };
  return { ok: true, output: output! };
}

// The stored lastError: the failure code, the call and the key, never the raw AWS message.
function describeFailure(failure: KeyFailure, keyArn: string, serial: number): string {
  const awsError = failure.awsErrorName ? ` (${failure.awsErrorName})` : "";
  return `${failure.code}: ${failure.operation} with ${keyArn} failed for data key ${serial}${awsError}.`;
}

async function completeJob(prisma: PrismaClient, jobId: string): Promise<RewrapJob> {
  return prisma.$transaction(async (tx) => {
    const completed = await tx.rewrapJob.updateMany({ where: { id: jobId, status: "RUNNING" }, data: { status: "COMPLETED", finishedAt: new Date() } });
    const job = await tx.rewrapJob.findUniqueOrThrow({ where: { id: jobId } });
    if (completed.count === 0) return job;

    await recordAuditEvent(tx, {
      accountId: job.accountId,
      actor: { type: "SYSTEM" },
      action: "rewrap.completed",
      outcome: job.failed === 0 ? "SUCCESS" : "FAILURE",
      keyArn: job.sourceKeyArn,
      details: { jobId, sourceKeyArn: job.sourceKeyArn, targetKeyArn: job.targetKeyArn, total: job.total, moved: job.moved, failed: job.failed, lastError: job.lastError },
    });
    log.info("rewrap.completed", { accountId: job.accountId, jobId, moved: job.moved, failed: job.failed });
    return job;
  });
}
