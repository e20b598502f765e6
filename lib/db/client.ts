import "server-only";

import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

import { env } from "@/lib/config/env";
import { PrismaClient } from "@/lib/db/generated/client";

const globalForDb = globalThis as unknown as { pool?: pg.Pool; prisma?: PrismaClient };

/**
 * Returns the process's PostgreSQL pool. The Prisma client and the in-process job worker
 * share it, so DATABASE_POOL_SIZE bounds every connection the process opens.
 */
export function pool(): pg.Pool {
  globalForDb.pool ??= new pg.Pool({ connectionString: env().DATABASE_URL, max: env().DATABASE_POOL_SIZE });
  return globalForDb.pool;
}

/** Returns the app's shared client, kept on globalThis so that Next.js hot reloads reuse the pool. */
export function db(): PrismaClient {
  globalForDb.prisma ??= new PrismaClient({ adapter: new PrismaPg(pool()) });
  return globalForDb.prisma;
}
