import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";

/** The database itself keeps audit and KMS call rows append-only, whatever the application does. */

let client: pg.Client;

beforeAll(async () => {
  client = new pg.Client({ connectionString: inject("databaseUrl") });
  await client.connect();
});

afterAll(async () => {
  await client.end();
});

describe.each([
  ["audit_events", `INSERT INTO audit_events (actor_type, action, outcome) VALUES ('SYSTEM', 'test.append_only', 'SUCCESS') RETURNING id`],
  [
    "kms_calls",
    `INSERT INTO kms_calls (account_id, key_arn, operation, encryption_context, ok, cause, latency_ms, instance)
     VALUES ('0b7c5a36-2f05-4d3c-9a57-8f6cdb3a1e11', 'arn', 'Decrypt', '{}', true, 'VALIDATION', 1, 'test') RETURNING id`,
  ],
])("%s", (table, insert) => {
  it("accepts inserts", async () => {
    const { rows } = await client.query<{ id: string }>(insert);
    expect(rows).toHaveLength(1);
  });

  it("rejects UPDATE", async () => {
    const { rows } = await client.query<{ id: string }>(insert);
    await expect(client.query(`UPDATE ${table} SET created_at = now() WHERE id = $1`, [rows[0]!.id])).rejects.toThrow("append-only");
  });

  it("rejects DELETE", async () => {
    const { rows } = await client.query<{ id: string }>(insert);
    await expect(client.query(`DELETE FROM ${table} WHERE id = $1`, [rows[0]!.id])).rejects.toThrow("append-only");
  });

  it("rejects TRUNCATE", async () => {
    await expect(client.query(`TRUNCATE ${table}`)).rejects.toThrow("append-only");
  });
});
