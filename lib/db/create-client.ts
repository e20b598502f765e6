import { PrismaPg } from "@prisma/adapter-pg";

import { PrismaClient } from "@/lib/db/generated/client";

/**
 * Creates a Prisma client on the PostgreSQL driver adapter. The app uses the shared
 * client from lib/db/client.ts; scripts and tests create their own with this.
 */
export function createPrismaClient(databaseUrl: string, poolSize = 10): PrismaClient {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: poolSize });
  return new PrismaClient({ adapter });
}
