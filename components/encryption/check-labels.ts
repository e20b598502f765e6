import type { KmsCallCause } from "@/lib/db/generated/enums";

/** Labels of the key-check triggers, as the status card shows them. */
export const TRIGGER_LABELS: Record<string, string> = { SAVE: "Save", TEST_CONNECTION: "Test connection", HEALTH_CHECK: "Health check" };

/** Labels of the causes of KMS calls, as the status card shows them. */
export const CAUSE_LABELS: Record<KmsCallCause, string> = {
  VALIDATION: "validation on save",
  TEST_CONNECTION: "Test connection",
  HEALTH_CHECK: "health check",
  DATA_KEY_CREATE: "new data key",
  DECRYPT_CACHE_MISS: "data key unwrap on a cache miss",
  REWRAP: "re-wrap",
};
