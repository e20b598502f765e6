import type { Env } from "@/lib/config/env";
import type { HealthSettings } from "@/lib/health/transitions";

/** First retry of a degraded key, in milliseconds; later retries double up to the check interval. */
const RETRY_BASE_MS = 5_000;

export function healthSettingsFrom(config: Env): HealthSettings {
  return {
    intervalMs: config.HEALTH_CHECK_INTERVAL_SECONDS * 1000,
    retryBaseMs: Math.min(RETRY_BASE_MS, config.HEALTH_CHECK_INTERVAL_SECONDS * 1000),
    suspendAfterMs: config.SUSPEND_AFTER_HOURS * 3_600_000,
    degradedNotifyAfterMs: config.DEGRADED_NOTIFY_AFTER_MINUTES * 60_000,
  };
}
