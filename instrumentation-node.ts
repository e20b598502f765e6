import { env } from "./lib/config/env";

try {
  env();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

// With WORKER_IN_PROCESS=true (as `npm run dev` sets it) this server also runs the
// background jobs, on its own connection pool; otherwise run `npm run worker`.
if (env().WORKER_IN_PROCESS) {
  const { startInProcessWorker } = await import("./lib/jobs/in-process");
  await startInProcessWorker();
}
