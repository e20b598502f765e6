import { createHash } from "node:crypto";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";

import { migrateDatabase, MIGRATIONS_DIR } from "@/lib/db/migrate";
import { createScratchDatabase } from "@/tests/support/database";

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function scratch() {
  const database = await createScratchDatabase();
  cleanups.push(database.drop);
  return database.url;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("migrateDatabase", () => {
  it("applies every migration once and records Prisma's checksum", async () => {
    const url = await scratch();

    const first = await migrateDatabase(url);
    const second = await migrateDatabase(url);

    expect(first.applied.length).toBeGreaterThan(0);
    expect(first.skipped).toEqual([]);
    expect(second.applied).toEqual([]);
    expect(second.skipped).toEqual(first.applied);

    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      url,
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((row) => row.migration_name)).toEqual(first.applied);
    for (const row of rows) {
      const sql = await readFile(path.join(MIGRATIONS_DIR, row.migration_name, "migration.sql"));
      expect(row.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
      expect(row.finished_at).not.toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it("runs safely from two processes at once", async () => {
    const url = await scratch();

    const results = await Promise.all([migrateDatabase(url), migrateDatabase(url)]);

    const appliedTwice = results.flatMap((result) => result.applied);
    expect(new Set(appliedTwice).size).toBe(appliedTwice.length);
  });

  it("refuses a migration that changed after it was applied", async () => {
    const url = await scratch();
    const copy = await mkdtemp(path.join(tmpdir(), "migrations-"));
    cleanups.push(() => rm(copy, { recursive: true, force: true }));
    await cp(MIGRATIONS_DIR, copy, { recursive: true });
    const result = await migrateDatabase(url, copy);
    const name = result.applied[0]!;
    await writeFile(path.join(copy, name, "migration.sql"), "-- edited\n", { flag: "a" });

    await expect(migrateDatabase(url, copy)).rejects.toThrow(`Migration ${name} was changed after it was applied`);
  });

  it("rolls back a failing migration and leaves no record of it", async () => {
    const url = await scratch();
    const broken = await mkdtemp(path.join(tmpdir(), "migrations-"));
    cleanups.push(() => rm(broken, { recursive: true, force: true }));
    await cp(MIGRATIONS_DIR, broken, { recursive: true });
    const brokenDir = path.join(broken, "99990101000000_broken");
    await cp(path.join(MIGRATIONS_DIR, (await migrateDatabase(url)).applied[0]!), brokenDir, { recursive: true });
    await writeFile(path.join(brokenDir, "migration.sql"), `CREATE TABLE "half_done" ("id" INT);\nSELECT * FROM "no_such_table";\n`);

    await expect(migrateDatabase(url, broken)).rejects.toThrow("Migration 99990101000000_broken failed");

    const tables = await query<{ tablename: string }>(url, `SELECT tablename FROM pg_tables WHERE tablename = 'half_done'`);
    expect(tables).toEqual([]);
    const rows = await query<{ migration_name: string }>(url, `SELECT migration_name FROM "_prisma_migrations" WHERE migration_name = '99990101000000_broken'`);
    expect(rows).toEqual([]);
  });
});
