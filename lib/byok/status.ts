import "server-only";

import type { GlobalRole, KeyState, PrismaClient } from "@/lib/db/generated/client";

/** Key status that the Encryption page shows to every member of the account. */
export interface EncryptionStatus {
  state: KeyState;
  stateChangedAt: Date;
  keyArn: string;
  keyRegion: string;
  keyAwsAccountId: string;
  keyId: string;
  multiRegion: boolean;
  lastValidatedAt: Date;
  lastError: { code: string; message: string | null; at: Date | null } | null;
  enabledBy: { name: string; email: string } | null;
  enabledAt: Date;
  disabled: { by: { name: string; email: string; globalRole: GlobalRole | null } | null; at: Date | null; reason: string | null } | null;
  recentChecks: { trigger: string; ok: boolean; errorCode: string | null; latencyMs: number; checkedAt: Date }[];
  health: {
    nextCheckAt: Date | null;
    unavailableSince: Date | null;
    /** Latest time at which any instance can still hold a plaintext data key: reads fail after it. */
    cachedKeysExpireAt: Date | null;
    suspendedAt: Date | null;
    restoredAt: Date | null;
  };
}

export async function loadEncryptionStatus(prisma: PrismaClient, accountId: string, cacheTtlMs: number): Promise<EncryptionStatus | null> {
  const config = await prisma.encryptionConfig.findUnique({
    where: { accountId },
    include: {
      enabledBy: { select: { name: true, email: true } },
      disabledBy: { select: { name: true, email: true, globalRole: true } },
    },
  });
  if (!config) return null;

  const recentChecks = await prisma.keyCheck.findMany({
    where: { accountId },
    orderBy: { checkedAt: "desc" },
    take: 10,
    select: { trigger: true, ok: true, errorCode: true, latencyMs: true, checkedAt: true },
  });
  return {
    state: config.state,
    stateChangedAt: config.stateChangedAt,
    keyArn: config.keyArn,
    keyRegion: config.keyRegion,
    keyAwsAccountId: config.keyAwsAccountId,
    keyId: config.keyId,
    multiRegion: config.multiRegion,
    lastValidatedAt: config.lastValidatedAt,
    lastError: config.lastErrorCode ? { code: config.lastErrorCode, message: config.lastErrorMessage, at: config.lastErrorAt } : null,
    enabledBy: config.enabledBy,
    enabledAt: config.enabledAt,
    disabled: config.state === "DISABLED" ? { by: config.disabledBy, at: config.disabledAt, reason: config.disabledReason } : null,
    recentChecks,
    health: {
      nextCheckAt: config.nextHealthCheckAt,
      unavailableSince: config.unavailableSince,
      // Keys unwrapped before the key became unavailable leave every cache within one TTL.
      cachedKeysExpireAt: config.unavailableSince ? new Date(config.unavailableSince.getTime() + cacheTtlMs) : null,
      suspendedAt: config.suspendedAt,
      restoredAt: config.restoredAt,
    },
  };
}

/** Data keys and records of an account by the KMS key that wraps their data key. */
export type KeyUsage = Record<"TENANT" | "PLATFORM", { dataKeys: number; records: number }>;

export async function loadKeyUsage(prisma: PrismaClient, accountId: string): Promise<KeyUsage> {
  const usage: KeyUsage = { TENANT: { dataKeys: 0, records: 0 }, PLATFORM: { dataKeys: 0, records: 0 } };
  const keys = await prisma.dataKey.groupBy({ by: ["source"], where: { accountId }, _count: { _all: true } });
  for (const row of keys) usage[row.source].dataKeys = row._count._all;

  const records = await prisma.$queryRaw<{ source: "TENANT" | "PLATFORM"; records: bigint }[]>`
    SELECT dk.source, count(*) AS records FROM (
      SELECT data_key_id FROM memory_sessions WHERE account_id = ${accountId}::uuid AND data_key_id IS NOT NULL
      UNION ALL SELECT data_key_id FROM messages WHERE account_id = ${accountId}::uuid
      UNION ALL SELECT data_key_id FROM facts WHERE account_id = ${accountId}::uuid
    ) AS r JOIN data_keys dk ON dk.id = r.data_key_id
    GROUP BY dk.source`;
  for (const row of records) usage[row.source].records = Number(row.records);
  return usage;
}
