import "server-only";

import { env } from "@/lib/config/env";
import { createPrismaClient } from "@/lib/db/create-client";
import type { PrismaClient } from "@/lib/db/generated/client";

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };

/** Returns the app's shared client, kept on globalThis so that Next.js hot reloads reuse the pool. */
export function db(): PrismaClient {
  globalForPrisma.prisma ??= createPrismaClient(env().DATABASE_URL, env().DATABASE_POOL_SIZE);
  return globalForPrisma.prisma;
}
