import "server-only";

import { env } from "@/lib/config/env";
import { pool } from "@/lib/db/client";
import { healthDeps } from "@/lib/health/runtime";
import { startKeyHealthWorker, type KeyHealthWorker } from "@/lib/jobs/key-health-worker";
import { log } from "@/lib/log";

// Kept on globalThis because Next.js may load this module more than once (instrumentation
// and the server actions are bundled apart).
const globalForWorker = globalThis as unknown as { inProcessWorker?: KeyHealthWorker };

/** Starts the job worker inside this server process, sharing its database pool. */
export async function startInProcessWorker(): Promise<void> {
  const interval = env().HEALTH_CHECK_INTERVAL_SECONDS * 1000;
  globalForWorker.inProcessWorker = await startKeyHealthWorker({
    connection: { db: { executeSql: (text, values) => pool().query(text, values) } },
    deps: healthDeps(),
    sweepEveryMs: Math.min(10_000, interval),
  });
}

/**
 * Asks this server's in-process worker, when it runs one, to sweep now, so a job just
 * queued starts at once instead of at the next tick. A separate worker process picks the
 * job up at its next sweep.
 */
export function wakeInProcessWorker(): void {
  globalForWorker.inProcessWorker?.sweepNow().catch((error: unknown) => log.error("jobs.wake_failed", { error }));
}
