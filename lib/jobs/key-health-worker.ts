import PgBoss from "pg-boss";

import { queueScheduledRewraps } from "@/lib/byok/rewrap-requests";
import { claimDueAccounts, runHealthCheck, type HealthDeps } from "@/lib/health/service";
import { log } from "@/lib/log";
import { RewrapConflictError, runRewrapJob } from "@/lib/rewrap";

/**
 * Background key health checks on pg-boss, a job queue kept in PostgreSQL (schema
 * `pgboss`), so any number of app and worker instances share it without another server.
 *
 * Every `sweepEveryMs`, each worker queues a sweep job. A sweep claims the accounts whose
 * check is due with one UPDATE ... FOR UPDATE SKIP LOCKED, so each due account is claimed by
 * exactly one sweep however many workers run, and queues one check job per account. pg-boss
 * retries a check job with backoff when it fails unexpectedly. The sooner retry of a
 * degraded key comes from the key state itself (see health/transitions.ts).
 */

export const SWEEP_QUEUE = "key-health-sweep";
export const CHECK_QUEUE = "key-health-check";
/**
 * Runs re-wrap jobs (lib/rewrap). The "short" policy keeps at most one queued run per job.
 * Runs of one job may overlap: the job's cursor lets one win, and the other stops with
 * RewrapConflictError. A "singleton" queue was seen to stall instead: a re-sent run of an
 * active job held back every job queued after it, for every account.
 */
export const REWRAP_QUEUE = "rewrap-jobs";
const SWEEP_BATCH = 50;
/** Re-wrap jobs sent per sweep; a send for a job whose run is still queued is dropped by the queue's short policy. */
const REWRAP_SWEEP_BATCH = 500;

export interface KeyHealthWorkerOptions {
  /** pg-boss connection: a connection string, or a `db` that runs SQL on an existing pool. */
  connection: { connectionString: string } | { db: PgBoss.Db };
  deps: HealthDeps;
  sweepEveryMs: number;
}

export interface KeyHealthWorker {
  /** Queues a sweep now, instead of waiting for the next tick. */
  sweepNow(): Promise<void>;
  stop(): Promise<void>;
}

export async function startKeyHealthWorker(options: KeyHealthWorkerOptions): Promise<KeyHealthWorker> {
  const boss = new PgBoss({ ...options.connection, schema: "pgboss", schedule: false });
  boss.on("error", (error) => log.error("jobs.error", { error }));
  await boss.start();
  await boss.createQueue(SWEEP_QUEUE, { name: SWEEP_QUEUE, policy: "short", retryLimit: 0, expireInSeconds: 60 });
  await boss.createQueue(CHECK_QUEUE, { name: CHECK_QUEUE, retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInSeconds: 120 });
  await boss.createQueue(REWRAP_QUEUE, { name: REWRAP_QUEUE, policy: "short", retryLimit: 5, retryDelay: 10, retryBackoff: true, expireInSeconds: 3_600 });

  // A claim keeps other sweeps away from an account for as long as its check job may take.
  const claimLeaseMs = 2 * 60_000;
  await boss.work(SWEEP_QUEUE, { pollingIntervalSeconds: 0.5 }, async () => {
    const accountIds = await claimDueAccounts(options.deps, SWEEP_BATCH, claimLeaseMs);
    for (const accountId of accountIds) await boss.send(CHECK_QUEUE, { accountId });
    const scheduled = await queueScheduledRewraps(options.deps.prisma, SWEEP_BATCH);
    // Re-wrap jobs queued, scheduled or interrupted get a run. The queue's short policy
    // drops the send while a run of the same job is still queued.
    // Oldest first, and many per sweep, so jobs that keep failing cannot starve newer ones.
    const rewraps = await options.deps.prisma.rewrapJob.findMany({
      where: { status: { in: ["PENDING", "RUNNING"] } },
      orderBy: { createdAt: "asc" },
      select: { id: true },
      take: REWRAP_SWEEP_BATCH,
    });
    for (const job of rewraps) await boss.send(REWRAP_QUEUE, { jobId: job.id }, { singletonKey: job.id });
    if (accountIds.length > 0 || rewraps.length > 0) log.info("jobs.sweep", { checks: accountIds.length, rewraps: rewraps.length, scheduled: scheduled.length });
  });
  await boss.work<{ jobId: string }>(REWRAP_QUEUE, { pollingIntervalSeconds: 1 }, async ([job]) => {
    if (!job) return;
    let result;
    try {
      result = await runRewrapJob({ prisma: options.deps.prisma, kms: options.deps.kms, instance: options.deps.settings.instance }, job.data.jobId);
    } catch (error) {
      if (!(error instanceof RewrapConflictError)) throw error;
      log.info("rewrap.run_overlapped", { jobId: job.data.jobId });
      return;
    }
    log.info("rewrap.run", { jobId: result.id, accountId: result.accountId, status: result.status, moved: result.moved, failed: result.failed, total: result.total });
  });
  await boss.work<{ accountId: string }>(CHECK_QUEUE, { pollingIntervalSeconds: 0.5 }, async ([job]) => {
    if (job) await runHealthCheck(options.deps, job.data.accountId);
  });

  const sweepNow = async () => {
    await boss.send(SWEEP_QUEUE, {});
  };
  const timer = setInterval(() => sweepNow().catch((error: unknown) => log.error("jobs.sweep_failed", { error })), options.sweepEveryMs);
  timer.unref();
  await sweepNow();
  log.info("jobs.started", { sweepEveryMs: options.sweepEveryMs });

  return {
    sweepNow,
    stop: async () => {
      clearInterval(timer);
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
      log.info("jobs.stopped");
    },
  };
}
