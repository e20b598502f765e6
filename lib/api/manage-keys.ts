import "server-only";

import { generateApiKey } from "@/lib/api/api-keys";
import { recordAuditEvent } from "@/lib/audit/record";
import type { AccountAccess } from "@/lib/auth/authorize";
import type { PrismaClient } from "@/lib/db/generated/client";

/** Creating, listing and revoking an account's API keys; owners and admins only (callers authorize). */

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  createdBy: string | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export async function listApiKeys(prisma: PrismaClient, accountId: string): Promise<ApiKeyView[]> {
  const keys = await prisma.apiKey.findMany({ where: { accountId }, orderBy: { createdAt: "desc" } });
  const creatorIds = [...new Set(keys.map((key) => key.createdById).filter((id): id is string => id !== null))];
  const creators = new Map((await prisma.user.findMany({ where: { id: { in: creatorIds } }, select: { id: true, email: true } })).map((user) => [user.id, user.email]));
  return keys.map((key) => ({
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    createdAt: key.createdAt,
    createdBy: key.createdById ? (creators.get(key.createdById) ?? null) : null,
    lastUsedAt: key.lastUsedAt,
    revokedAt: key.revokedAt,
  }));
}

/** Creates a key and returns its token, which is shown once and never stored. */
export async function createApiKey(prisma: PrismaClient, access: AccountAccess, name: string): Promise<{ id: string; token: string }> {
  const { token, prefix, secretHash } = generateApiKey();
  const key = await prisma.$transaction(async (tx) => {
    const created = await tx.apiKey.create({ data: { accountId: access.account.id, name, prefix, secretHash, createdById: access.user.id } });
    await recordAuditEvent(tx, {
      accountId: access.account.id,
      actor: { type: "USER", userId: access.user.id, email: access.user.email },
      action: "api_key.create",
      outcome: "SUCCESS",
      after: { id: created.id, name, prefix },
    });
    return created;
  });
  return { id: key.id, token };
}

/** Revokes a key of the caller's account; returns false when the account has no such active key. */
export async function revokeApiKey(prisma: PrismaClient, access: AccountAccess, id: string): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const revoked = await tx.apiKey.updateMany({
      where: { id, accountId: access.account.id, revokedAt: null },
      data: { revokedAt: new Date(), revokedById: access.user.id },
    });
    if (revoked.count === 0) return false;
    await recordAuditEvent(tx, {
      accountId: access.account.id,
      actor: { type: "USER", userId: access.user.id, email: access.user.email },
      action: "api_key.revoke",
      outcome: "SUCCESS",
      details: { id },
    });
    return true;
  });
}
