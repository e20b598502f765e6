import "server-only";

import type { KeyState, PrismaClient } from "@/lib/db/generated/client";

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
  disabled: { by: { name: string; email: string } | null; at: Date | null; reason: string | null } | null;
  recentChecks: { trigger: string; ok: boolean; errorCode: string | null; latencyMs: number; checkedAt: Date }[];
}

export async function loadEncryptionStatus(prisma: PrismaClient, accountId: string): Promise<EncryptionStatus | null> {
  const config = await prisma.encryptionConfig.findUnique({
    where: { accountId },
    include: {
      enabledBy: { select: { name: true, email: true } },
      disabledBy: { select: { name: true, email: true } },
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
  };
}
