import "server-only";

import { hostname } from "node:os";

import { env } from "@/lib/config/env";

/** Platform settings that BYOK operations need, read from the validated environment. */
export interface ByokSettings {
  serviceName: string;
  serviceRegion: string;
  principalArn: string;
  /** The platform's own KMS key, which wraps the data keys of accounts without an active tenant key. */
  platformKeyArn: string;
  kmsTimeoutMs: number;
  kmsMaxAttempts: number;
  healthCheckIntervalMs: number;
  /** Names this process in the KMS call log, so calls can be traced to an app instance. */
  instance: string;
}

export function byokSettings(): ByokSettings {
  const config = env();
  return {
    serviceName: config.SERVICE_NAME,
    serviceRegion: config.SERVICE_REGION,
    principalArn: config.PLATFORM_PRINCIPAL_ARN,
    platformKeyArn: config.PLATFORM_KMS_KEY_ARN,
    kmsTimeoutMs: config.KMS_TIMEOUT_MS,
    kmsMaxAttempts: config.KMS_MAX_ATTEMPTS,
    healthCheckIntervalMs: config.HEALTH_CHECK_INTERVAL_SECONDS * 1000,
    instance: `${hostname()}:${process.pid}`,
  };
}
