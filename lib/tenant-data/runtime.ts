import "server-only";

import { hostname } from "node:os";

import { env } from "@/lib/config/env";
import { DataKeyCache } from "@/lib/data-keys/cache";
import { DataKeyService } from "@/lib/data-keys/service";
import { db } from "@/lib/db/client";
import { healthDeps } from "@/lib/health/runtime";
import { recordLiveRefusal } from "@/lib/health/service";
import { kmsClient } from "@/lib/kms/client";
import { withTenantEncryption, type TenantDataClient } from "@/lib/tenant-data/extension";

/** Milliseconds for which an instance keeps its view of an account's key choice (see data-keys/service.ts). */
export const KEY_CHOICE_REFRESH_MS = 5_000;
const RESERVE_BATCH = 1_000;

interface TenantDataRuntime {
  client: TenantDataClient;
  dataKeys: DataKeyService;
  cache: DataKeyCache;
}

const globalForTenantData = globalThis as unknown as { tenantData?: TenantDataRuntime };

/** Returns the process-wide encrypted client for tenant records and its data key service. */
export function tenantData(): TenantDataRuntime {
  if (globalForTenantData.tenantData) return globalForTenantData.tenantData;
  const config = env();
  const cache = new DataKeyCache({ ttlMs: config.DEK_CACHE_TTL_SECONDS * 1000, maxEntries: config.DEK_CACHE_MAX_ENTRIES });
  const dataKeys = new DataKeyService({
    prisma: db(),
    kms: kmsClient(),
    cache,
    onKeyRefused: (accountId, kmsKeyArn, failure) => recordLiveRefusal(healthDeps(), accountId, kmsKeyArn, failure),
    settings: {
      serviceName: config.SERVICE_NAME,
      platformKeyArn: config.PLATFORM_KMS_KEY_ARN,
      maxEncryptionsPerKey: config.DEK_MAX_ENCRYPTIONS,
      maxKeyAgeMs: config.DEK_MAX_AGE_HOURS * 3_600_000,
      reserveBatch: RESERVE_BATCH,
      writeLeaseMs: KEY_CHOICE_REFRESH_MS,
      instance: `${hostname()}:${process.pid}`,
    },
  });
  globalForTenantData.tenantData = { client: withTenantEncryption(db(), dataKeys), dataKeys, cache };
  return globalForTenantData.tenantData;
}
