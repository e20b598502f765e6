import "server-only";

import { byokSettings } from "@/lib/byok/settings";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import type { HealthDeps } from "@/lib/health/service";
import { healthSettingsFrom } from "@/lib/health/settings";
import { kmsClient } from "@/lib/kms/client";
import { notifierFrom } from "@/lib/health/notifier";

/** Returns the health dependencies of this process, built from the validated environment. */
export function healthDeps(): HealthDeps {
  const config = env();
  return {
    prisma: db(),
    kms: kmsClient(),
    settings: byokSettings(),
    health: healthSettingsFrom(config),
    events: notifierFrom(config, db()),
  };
}
