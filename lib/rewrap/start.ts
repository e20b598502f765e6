import type { PrismaClient, RewrapJob } from "@/lib/db/generated/client";

/**
 * Queues a job that moves an account's data keys from `sourceKeyArn` to `targetKeyArn`.
 * Idempotent: while a job for the same account and keys is pending or running, that job
 * is returned instead of a new one. lib/jobs runs queued jobs (see rewrap/run.ts).
 */
export async function queueRewrapJob(
  prisma: PrismaClient,
  input: { accountId: string; sourceKeyArn: string; targetKeyArn: string; requestedBy: string },
): Promise<RewrapJob> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`rewrap:${input.accountId}`}, 0))`;
    const existing = await tx.rewrapJob.findFirst({
      where: { accountId: input.accountId, sourceKeyArn: input.sourceKeyArn, targetKeyArn: input.targetKeyArn, status: { in: ["PENDING", "RUNNING"] } },
    });
    if (existing) return existing;
    return tx.rewrapJob.create({ data: { ...input, status: "PENDING" } });
  });
}
