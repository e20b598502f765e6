import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TestProject } from "vitest/node";

import { migrateDatabase } from "../../lib/db/migrate";

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
  const name = `byok_test_${Date.now()}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `Cannot reach the test PostgreSQL server at ${ADMIN_URL} (${(error as Error).message}). ` +
        "Start PostgreSQL, or set TEST_DATABASE_ADMIN_URL to a server where this user may create databases.",
    );
  }
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();

  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString());
  project.provide("databaseUrl", url.toString());

  return async () => {
    const client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.end();
  };
}
