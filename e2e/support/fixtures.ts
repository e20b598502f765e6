import { test as base } from "@playwright/test";

import { createPrismaClient } from "@/lib/db/create-client";
import type { PrismaClient } from "@/lib/db/generated/client";

import { createTenant, type SeededTenant, type TenantOptions } from "./seed";
import { e2eDatabaseUrl } from "./settings";
import { TenantKms } from "./tenant-kms";

interface WorkerFixtures {
  /** Prisma client on the e2e database, for seeding and for checking what the app wrote. */
  db: PrismaClient;
  /** The tenant's client of the local KMS, which creates, disables and enables keys. */
  tenantKms: TenantKms;
}

interface TestFixtures {
  /** Factory for a new account and its users: createTenant on `db`. */
  createTenant: (options?: TenantOptions) => Promise<SeededTenant>;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  db: [
    // Playwright reads a fixture's dependencies from its first parameter, which must be an object pattern even when empty.
    async ({}, use) => {
      const prisma = createPrismaClient(e2eDatabaseUrl(), 2);
      await use(prisma);
      await prisma.$disconnect();
    },
    { scope: "worker" },
  ],
  tenantKms: [
    async ({}, use) => {
      const kms = new TenantKms();
      await use(kms);
      kms.destroy();
    },
    { scope: "worker" },
  ],
  createTenant: async ({ db }, use) => {
    await use((options) => createTenant(db, options));
  },
});

export { expect } from "@playwright/test";
