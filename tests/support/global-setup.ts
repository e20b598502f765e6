import type { TestProject } from "vitest/node";

import { migrateDatabase } from "../../lib/db/migrate";
import { createScratchDatabase } from "../../lib/db/scratch-database";

/**
 * Creates one fresh PostgreSQL database for the whole test run, applies the
 * migrations to it, and drops it afterwards. Tests create their own accounts with
 * random ids, so files can share the database and run in parallel.
 */

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let database: Awaited<ReturnType<typeof createScratchDatabase>>;
  try {
    database = await createScratchDatabase(ADMIN_URL, "byok_test");
  } catch (error) {
    throw new Error(
      `Cannot create a test database on the PostgreSQL server at ${ADMIN_URL} (${(error as Error).message}). ` +
        "Start PostgreSQL, or set TEST_DATABASE_ADMIN_URL to a server where this user may create databases.",
    );
  }

  await migrateDatabase(database.url);
  project.provide("databaseUrl", database.url);

  return database.drop;
}
