/**
 * Measurements around a re-wrap job for bench/rewrap.ts: what the job wrote to the
 * database, and whether records still decrypt afterwards.
 */
import { DecryptCommand, type KMSClient } from "@aws-sdk/client-kms";
import type { InitializeMiddleware } from "@smithy/types";
import type pg from "pg";

import { parseBlob } from "@/lib/local-kms/blob";
import { findFact } from "@/lib/tenant-data/repository";

import { factContent, factId } from "./bulk-facts";
import { seededRandom } from "./records";
import { runConcurrently } from "./report";
import { countKmsCalls, type BenchStack } from "./stack";

/** One account's stored state, taken before and after a job. */
export interface AccountSnapshot {
  facts: number;
  /** Sum over the account's facts of the first 60 bits of md5(content). */
  contentChecksum: string;
  /**
   * Sum over the account's facts of the first 60 bits of md5(ctid, xmin). Any UPDATE gives
   * a row a new tuple, so a new ctid and xmin, even when it writes the same bytes.
   */
  rowVersionChecksum: string;
  /** "ctid xmin" of each data key row, by id. */
  dataKeyVersions: Map<string, string>;
  kmsCallRows: number;
  auditEventRows: number;
}

/** Reads the snapshot with plain SQL, so row versions (ctid, xmin) are visible. */
export async function takeSnapshot(pool: pg.Pool, accountId: string): Promise<AccountSnapshot> {
  const [facts, dataKeys, kmsCalls, auditEvents] = await Promise.all([
    pool.query<{ rows: number; content_checksum: string; row_version_checksum: string }>(
      `SELECT count(*)::int AS rows,
              coalesce(sum(('x' || left(md5("content"), 15))::bit(60)::bigint), 0)::text AS content_checksum,
              coalesce(sum(('x' || left(md5(ctid::text || ' ' || xmin::text), 15))::bit(60)::bigint), 0)::text AS row_version_checksum
       FROM "facts" WHERE "account_id" = $1`,
      [accountId],
    ),
    pool.query<{ id: string; version: string }>(`SELECT "id", ctid::text || ' ' || xmin::text AS version FROM "data_keys" WHERE "account_id" = $1`, [accountId]),
    pool.query<{ rows: number }>(`SELECT count(*)::int AS rows FROM "kms_calls" WHERE "account_id" = $1`, [accountId]),
    pool.query<{ rows: number }>(`SELECT count(*)::int AS rows FROM "audit_events" WHERE "account_id" = $1`, [accountId]),
  ]);
  const factRow = facts.rows[0]!;
  return {
    facts: factRow.rows,
    contentChecksum: factRow.content_checksum,
    rowVersionChecksum: factRow.row_version_checksum,
    dataKeyVersions: new Map(dataKeys.rows.map((row) => [row.id, row.version])),
    kmsCallRows: kmsCalls.rows[0]!.rows,
    auditEventRows: auditEvents.rows[0]!.rows,
  };
}

export interface SnapshotChange {
  /** Data key rows with a new row version, plus rows added or removed. */
  dataKeyRowsWritten: number;
  /** True when the facts' count and both checksums are equal, so no fact was inserted, deleted or updated. */
  factsUntouched: boolean;
  kmsCallRows: number;
  auditEventRows: number;
}

export function compareSnapshots(before: AccountSnapshot, after: AccountSnapshot): SnapshotChange {
  let dataKeyRowsWritten = 0;
  for (const [id, version] of after.dataKeyVersions) {
    if (before.dataKeyVersions.get(id) !== version) dataKeyRowsWritten++;
  }
  for (const id of before.dataKeyVersions.keys()) {
    if (!after.dataKeyVersions.has(id)) dataKeyRowsWritten++;
  }
  return {
    dataKeyRowsWritten,
    factsUntouched:
      before.facts === after.facts && before.contentChecksum === after.contentChecksum && before.rowVersionChecksum === after.rowVersionChecksum,
    kmsCallRows: after.kmsCallRows - before.kmsCallRows,
    auditEventRows: after.auditEventRows - before.auditEventRows,
  };
}

/** Counts the account's data keys by the key material version named in their local KMS blob. */
export async function countByMaterialVersion(stack: BenchStack, accountId: string): Promise<Map<number, number>> {
  const rows = await stack.prisma.dataKey.findMany({ where: { accountId }, select: { serial: true, wrappedKey: true } });
  const counts = new Map<number, number>();
  for (const row of rows) {
    const blob = parseBlob(Buffer.from(row.wrappedKey));
    if (!blob) throw new Error(`Data key ${row.serial} of account ${accountId} is not a local KMS blob.`);
    counts.set(blob.materialVersion, (counts.get(blob.materialVersion) ?? 0) + 1);
  }
  return counts;
}

export interface ReadBack {
  records: number;
  /** Data keys the sampled records use, each of which costs one Decrypt on the fresh cache. */
  dataKeys: number;
  mismatches: number;
  ms: number;
  kmsCalls: Map<string, number>;
}

/**
 * Reads `samples` randomly chosen facts through the encrypting client on a new data key
 * cache, so every data key in the sample is unwrapped with KMS again, and compares each
 * plaintext with the seeded content.
 */
export async function readBack(
  stack: BenchStack,
  account: { accountId: string; idPrefix: number; facts: number; factsPerDataKey: number },
  samples: number,
  seed: number,
): Promise<ReadBack> {
  const reader = stack.tenantData();
  const kmsCalls = countKmsCalls(reader.kms);
  const random = seededRandom(seed);
  const indices = Array.from({ length: samples }, () => Math.floor(random() * account.facts));
  let mismatches = 0;
  const ms = await runConcurrently(samples, 8, async (sample) => {
    const index = indices[sample]!;
    const fact = await findFact(reader.client, account.accountId, factId(account.idPrefix, index));
    if (fact?.content !== factContent(index)) mismatches++;
  });
  reader.cache.clear();
  const dataKeys = new Set(indices.map((index) => Math.floor(index / account.factsPerDataKey))).size;
  return { records: samples, dataKeys, mismatches, ms, kmsCalls };
}

/** Sends a Decrypt of `wrappedKey` and returns the AWS error name it failed with, or "succeeded". */
export async function tryDecrypt(kms: KMSClient, keyArn: string, wrappedKey: Uint8Array, encryptionContext: Record<string, string>): Promise<string> {
  try {
    await kms.send(new DecryptCommand({ CiphertextBlob: wrappedKey, KeyId: keyArn, EncryptionContext: encryptionContext }));
    return "succeeded";
  } catch (error) {
    return error instanceof Error ? error.name : String(error);
  }
}


/**
 * Adds up the wall time of every command sent through `kms`, from the SDK's first
 * middleware to the parsed response, retries included. Read `ms` after the calls finish.
 */
export function timeKmsCalls(kms: KMSClient): { ms: number } {
  const total = { ms: 0 };
  const middleware: InitializeMiddleware<object, object> = (next) => async (args) => {
    const started = performance.now();
    try {
      return await next(args);
    } finally {
      total.ms += performance.now() - started;
    }
  };
  kms.middlewareStack.add(middleware as never, { step: "initialize", name: "benchKmsCallTimer" });
  return total;
}
