import "server-only";

import { env } from "@/lib/config/env";
import { pool } from "@/lib/db/client";
import { healthDeps } from "@/lib/health/runtime";
import { startKeyHealthWorker } from "@/lib/jobs/key-health-worker";

/** Starts the job worker inside this server process, sharing its database pool. */
export async function startInProcessWorker(): Promise<void> {
  const interval = env().HEALTH_CHECK_INTERVAL_SECONDS * 1000;
  await startKeyHealthWorker({
    connection: { db: { executeSql: (text, values) => pool().query(text, values) } },
    deps: healthDeps(),
    sweepEveryMs: Math.min(10_000, interval),
  });
}
