/**
 * Bulk seeding of encrypted facts, for benchmarks that need more records than the
 * encrypting Prisma extension can write one at a time (about 600 a second, section 4 of
 * docs/benchmarks.md).
 *
 * The ciphertext is the one the extension writes: `encodeString` and `sealField` under the
 * data key that `DataKeyService.keyForWrite` returns, with the FieldLocation {account id,
 * "Fact", "content", record id}. Every data key is therefore made by a real
 * GenerateDataKey and stored by the service. Rows go in with one multi-row
 * `INSERT ... SELECT FROM unnest(...)` per batch over `pg`, with a few batches in flight
 * while the next ones are sealed. Facts get no session and no metadata.
 */
import pg from "pg";

import { encodeString, sealField } from "@/lib/crypto";
import type { DataKeyService } from "@/lib/data-keys/service";

import { RecordGenerator } from "./records";

export interface FactsPlan {
  accountId: string;
  /** 1 to 0xffffffff, written as the first 8 hex digits of every fact id, so plans with different prefixes never share an id. */
  idPrefix: number;
  dataKeys: number;
  factsPerDataKey: number;
}

export interface SeedTiming {
  /** Wall time of the whole seeding. */
  totalMs: number;
  /** Wall time spent in keyForWrite, which calls GenerateDataKey and stores the data key. */
  dataKeyMs: number;
  /** Wall time spent sealing contents in this process. */
  sealMs: number;
}

const INSERT_FACTS = `
  INSERT INTO "facts" ("id", "account_id", "data_key_id", "content", "created_at", "updated_at")
  SELECT "id", $1::uuid, $2::uuid, "content", now(), now()
  FROM unnest($3::uuid[], $4::bytea[]) AS rows ("id", "content")`;

const CONTENT_POOL_SIZE = 1_000;
let contentPool: string[] | undefined;

/** Returns fact `index`'s id under `idPrefix`, a UUID-shaped string computed from both. */
export function factId(idPrefix: number, index: number): string {
  return `${idPrefix.toString(16).padStart(8, "0")}-0000-4000-8000-${index.toString(16).padStart(12, "0")}`;
}

/** Returns fact `index`'s plaintext content: one of 1,000 seeded strings of 90 to 110 bytes, then ` #<index>`. */
export function factContent(index: number): string {
  contentPool ??= createContentPool();
  return `${contentPool[index % CONTENT_POOL_SIZE]} #${index}`;
}

function createContentPool(): string[] {
  const generator = new RecordGenerator(20_260_101);
  return Array.from({ length: CONTENT_POOL_SIZE }, () => generator.text(generator.integer(90, 110)));
}

/**
 * Creates `plan.dataKeys` data keys through `dataKeys` and `plan.factsPerDataKey` facts
 * under each, numbered from 0 in data key order. `dataKeys` must be configured with
 * `maxEncryptionsPerKey` and `reserveBatch` equal to `plan.factsPerDataKey`, so that each
 * keyForWrite call makes a new data key.
 */
export async function seedFacts(pool: pg.Pool, dataKeys: DataKeyService, plan: FactsPlan, options: { batchRows: number; inFlight: number }): Promise<SeedTiming> {
  const started = performance.now();
  let dataKeyMs = 0;
  let sealMs = 0;
  const pending = new Set<Promise<void>>();
  let failure: unknown;

  const insert = (dataKeyId: string, ids: string[], contents: Buffer[]) => {
    const promise = pool
      .query(INSERT_FACTS, [plan.accountId, dataKeyId, ids, contents])
      .then(() => undefined)
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => pending.delete(promise));
    pending.add(promise);
  };

  for (let key = 0; key < plan.dataKeys && failure === undefined; key++) {
    const keyStarted = performance.now();
    const writeKey = await dataKeys.keyForWrite(plan.accountId, plan.factsPerDataKey);
    const sealStarted = performance.now();
    dataKeyMs += sealStarted - keyStarted;

    // writeKey.key is valid only until the next await, so every fact of this data key is
    // sealed before the loop below awaits anything.
    const ids: string[] = [];
    const contents: Buffer[] = [];
    for (let offset = 0; offset < plan.factsPerDataKey; offset++) {
      const index = key * plan.factsPerDataKey + offset;
      const id = factId(plan.idPrefix, index);
      ids.push(id);
      contents.push(sealField(writeKey, encodeString(factContent(index)), { accountId: plan.accountId, model: "Fact", field: "content", recordId: id }));
    }
    sealMs += performance.now() - sealStarted;

    for (let start = 0; start < ids.length; start += options.batchRows) {
      while (pending.size >= options.inFlight) await Promise.race(pending);
      insert(writeKey.dataKeyId, ids.slice(start, start + options.batchRows), contents.slice(start, start + options.batchRows));
    }
  }
  await Promise.all(pending);
  if (failure !== undefined) throw failure;
  return { totalMs: performance.now() - started, dataKeyMs, sealMs };
}
