import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

import type { PrismaClient } from "@/lib/db/generated/client";

/**
 * API keys of the tenant data API. A token is `byok_<prefix>_<secret>`: the prefix (12 hex
 * digits) finds the key and is shown in lists, the secret is 32 random bytes in base64url.
 * Only the SHA-256 of the whole token is stored. A fast hash suffices here, unlike for
 * passwords, because the secret has 256 bits of entropy.
 */

const TOKEN_PATTERN = /^byok_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
const LAST_USED_RESOLUTION_MS = 60_000;

export interface NewApiKey {
  token: string;
  prefix: string;
  secretHash: string;
}

export function generateApiKey(): NewApiKey {
  const prefix = randomBytes(6).toString("hex");
  const token = `byok_${prefix}_${randomBytes(32).toString("base64url")}`;
  return { token, prefix, secretHash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export interface ApiCaller {
  accountId: string;
  apiKeyId: string;
  /** Set when the account was suspended because its key stayed unavailable too long. */
  suspendedAt: Date | null;
}

// When each key's last-used time was last written, so a busy key costs one write a minute.
const lastUsedWrites = new Map<string, number>();

/** Returns the caller of a request's `Authorization: Bearer <token>`, or null for a missing, unknown or revoked key. */
export async function authenticateApiKey(prisma: PrismaClient, authorization: string | null): Promise<ApiCaller | null> {
  const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const match = token?.match(TOKEN_PATTERN);
  if (!token || !match) return null;

  const key = await prisma.apiKey.findUnique({
    where: { prefix: match[1]! },
    select: { id: true, accountId: true, secretHash: true, revokedAt: true, account: { select: { encryptionConfig: { select: { suspendedAt: true } } } } },
  });
  if (!key || key.revokedAt) return null;
  const expected = Buffer.from(key.secretHash, "hex");
  const actual = Buffer.from(hashToken(token), "hex");
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return null;

  const now = Date.now();
  if (now - (lastUsedWrites.get(key.id) ?? 0) >= LAST_USED_RESOLUTION_MS) {
    lastUsedWrites.set(key.id, now);
    await prisma.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date(now) } });
  }
  return { accountId: key.accountId, apiKeyId: key.id, suspendedAt: key.account.encryptionConfig?.suspendedAt ?? null };
}
