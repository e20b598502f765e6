import type { Prisma, PrismaClient, RewrapJob, RewrapJobKind } from "@/lib/db/generated/client";

export interface RewrapJobRequest {
  accountId: string;
  kind: RewrapJobKind;
  sourceKeyArn: string;
  targetKeyArn: string;
  /** Email of the person who asked, or a name such as "schedule" for the platform. */
  requestedBy: string;
}

/** Raised when an account already has a key change to another key pending or running. */
export class KeyChangeInProgressError extends Error {
  constructor(readonly running: RewrapJob) {
    super(`Account ${running.accountId} already has key change ${running.id} to ${running.targetKeyArn} pending or running.`);
    this.name = "KeyChangeInProgressError";
  }
}

/**
 * Queues a job that moves an account's data keys from `sourceKeyArn` to `targetKeyArn`.
 * Idempotent: while a job of the same kind for the same account and keys is pending or
 * running, that job is returned instead of a new one. An account has at most one key
 * change at a time: a KEY_CHANGE to another key throws `KeyChangeInProgressError`. The
 * checks and the insert run under one lock per account. lib/jobs runs queued jobs (see
 * rewrap/run.ts).
 */
export async function queueRewrapJob(prisma: PrismaClient, request: RewrapJobRequest): Promise<RewrapJob> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`rewrap:${request.accountId}`}, 0))`;
    const existing = await tx.rewrapJob.findFirst({
      where: { accountId: request.accountId, kind: request.kind, sourceKeyArn: request.sourceKeyArn, targetKeyArn: request.targetKeyArn, status: { in: ["PENDING", "RUNNING"] } },
    });
    if (existing) return existing;
    if (request.kind === "KEY_CHANGE") {
      const running = await findActiveKeyChange(tx, request.accountId);
      if (running) throw new KeyChangeInProgressError(running);
    }
    return tx.rewrapJob.create({ data: { ...request, status: "PENDING" } });
  });
}

/** Returns the account's key change that is pending or running, or null. */
export function findActiveKeyChange(writer: Pick<PrismaClient, "rewrapJob"> | Prisma.TransactionClient, accountId: string): Promise<RewrapJob | null> {
  return writer.rewrapJob.findFirst({ where: { accountId, kind: "KEY_CHANGE", status: { in: ["PENDING", "RUNNING"] } } });
}
