import { hostname } from "node:os";

import { parseEnv } from "@/lib/config/env";
import { createPrismaClient } from "@/lib/db/create-client";
import { notifierFrom } from "@/lib/health/notifier";
import { healthSettingsFrom } from "@/lib/health/settings";
import { createKmsClient } from "@/lib/kms/client";
import { log } from "@/lib/log";
import { startKeyHealthWorker } from "@/lib/jobs/key-health-worker";

// `npm run worker`: the background jobs as a process of their own, next to any number of
// app instances on the same database. It runs with the react-server condition, because it
// shares server-only modules with the app.
const config = parseEnv(process.env);
const prisma = createPrismaClient(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
const kms = createKmsClient({ region: config.SERVICE_REGION, endpoint: config.AWS_ENDPOINT_URL_KMS, timeoutMs: config.KMS_TIMEOUT_MS, maxAttempts: config.KMS_MAX_ATTEMPTS });
const interval = config.HEALTH_CHECK_INTERVAL_SECONDS * 1000;

const worker = await startKeyHealthWorker({
  connection: { connectionString: config.DATABASE_URL },
  deps: {
    prisma,
    kms,
    settings: {
      serviceName: config.SERVICE_NAME,
      serviceRegion: config.SERVICE_REGION,
      principalArn: config.PLATFORM_PRINCIPAL_ARN,
      platformKeyArn: config.PLATFORM_KMS_KEY_ARN,
      kmsTimeoutMs: config.KMS_TIMEOUT_MS,
      kmsMaxAttempts: config.KMS_MAX_ATTEMPTS,
      healthCheckIntervalMs: interval,
      instance: `${hostname()}:${process.pid}`,
    },
    health: healthSettingsFrom(config),
    events: notifierFrom(config, prisma),
  },
  sweepEveryMs: Math.min(10_000, interval),
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log.info("worker.stopping", { signal });
    void worker.stop().then(() => process.exit(0));
  });
}
