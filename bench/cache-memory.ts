/**
 * Memory held by the data key cache (lib/data-keys/cache.ts) with the production cap of
 * 10,000 entries: one 32-byte key per account, allocated as the data key service does
 * (Buffer.allocUnsafeSlow, so each key has its own backing store), loaded through
 * getOrLoad. The cache is filled with 5,000, then 10,000, 20,000 and 40,000 distinct
 * accounts. Past the cap, the least recently used entries are evicted and their keys zeroed.
 *
 * After each stage a full GC runs twice and process.memoryUsage() is compared with the
 * reading taken before the cache existed. Node counts Buffer memory in both `external`
 * and `arrayBuffers`, so the total is heapUsed + external and arrayBuffers is shown on its
 * own. heapTotal (heap reserved by V8) and RSS are shown too: they grow with allocation
 * activity, because V8 enlarges its young generation under allocation pressure and the C
 * allocator keeps freed pages, so they do not measure what the cache holds.
 *
 *   npx tsx --expose-gc bench/cache-memory.ts
 */
import { randomFillSync, randomUUID } from "node:crypto";

import { DataKeyCache } from "@/lib/data-keys/cache";

import { formatNumber, markdownTable, printMachineFacts } from "./support/report";

const MAX_ENTRIES = 10_000;
const STAGES = [5_000, 10_000, 20_000, 40_000];
// Evicted keys kept to check they were zeroed. They take about 200 B of heap each, so they barely move the totals.
const SAMPLED_KEYS = 100;
const MiB = 2 ** 20;

interface Reading {
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  rss: number;
}

function settledMemory(): Reading {
  globalThis.gc!();
  globalThis.gc!();
  const usage = process.memoryUsage();
  return { heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, external: usage.external, arrayBuffers: usage.arrayBuffers, rss: usage.rss };
}

// Account ids reach the cache as flat strings parsed from PostgreSQL rows. randomUUID()
// returns a rope of small strings that alone takes about 500 B of heap, which would
// inflate the figures, so the id is copied into one flat string first.
function newAccountId(): string {
  return Buffer.from(randomUUID(), "latin1").toString("latin1");
}

function newKey(): Buffer {
  const key = Buffer.allocUnsafeSlow(32);
  randomFillSync(key);
  return key;
}

async function main(): Promise<void> {
  printMachineFacts("Data key cache memory (bench/cache-memory.ts)");
  if (typeof globalThis.gc !== "function") {
    throw new Error("Forced GC is not available. Run with node --expose-gc (npm run bench does), or the memory readings include garbage.");
  }

  const baseline = settledMemory();
  const cache = new DataKeyCache({ ttlMs: 3_600_000, maxEntries: MAX_ENTRIES });
  const sampled: Buffer[] = [];
  const rows: string[][] = [];
  let inserted = 0;
  const totals: number[] = [];
  let perEntryAtCap = Number.NaN;

  for (const target of STAGES) {
    while (inserted < target) {
      const key = newKey();
      if (sampled.length < SAMPLED_KEYS) sampled.push(key);
      await cache.getOrLoad(newAccountId(), 1, async () => key);
      inserted += 1;
    }
    const reading = settledMemory();
    const heap = reading.heapUsed - baseline.heapUsed;
    const external = reading.external - baseline.external;
    const arrayBuffers = reading.arrayBuffers - baseline.arrayBuffers;
    const total = heap + external;
    const perEntry = total / cache.size;
    totals.push(total);
    if (target === MAX_ENTRIES) perEntryAtCap = perEntry;
    rows.push([
      formatNumber(target),
      formatNumber(cache.size),
      formatNumber(heap / MiB, 2),
      formatNumber(external / MiB, 2),
      formatNumber(arrayBuffers / MiB, 2),
      formatNumber(total / MiB, 2),
      formatNumber(perEntry),
      formatNumber((reading.heapTotal - baseline.heapTotal) / MiB, 1),
      formatNumber((reading.rss - baseline.rss) / MiB, 1),
    ]);
  }

  const zeroed = sampled.filter((key) => key.every((byte) => byte === 0)).length;
  console.log(`DataKeyCache with maxEntries ${formatNumber(MAX_ENTRIES)}. Deltas are from before the cache was created.\n`);
  console.log(
    markdownTable(
      ["accounts loaded:", "entries held:", "heapUsed Δ MiB:", "external Δ MiB:", "arrayBuffers Δ MiB:", "heapUsed + external Δ MiB:", "bytes per entry:", "heapTotal Δ MiB:", "RSS Δ MiB:"],
      rows,
    ),
  );
  console.log(`\nThe first ${SAMPLED_KEYS} keys loaded were evicted later; ${zeroed} of them are all zeros now.`);

  // Bounded means: the entry count equals the cap, and four times the accounts hold at most 25 % more
  // than at the cap. The Map keeps deleted slots until it rehashes, which accounts for a few hundred KiB.
  const totalAtCap = totals[STAGES.indexOf(MAX_ENTRIES)]!;
  const totalAfter = totals[totals.length - 1]!;
  const bounded = cache.size === MAX_ENTRIES && totalAfter <= totalAtCap * 1.25;
  console.log(
    `Target: memory bounded by the cap: ${bounded ? "met" : "not met"} ` +
      `(${formatNumber(cache.size)} entries held after ${formatNumber(inserted)} accounts, ${formatNumber(totalAfter / MiB, 2)} MiB against ` +
      `${formatNumber(totalAtCap / MiB, 2)} MiB at the cap; about ${formatNumber(perEntryAtCap)} bytes per entry, so an uncapped cache ` +
      `would hold about ${formatNumber((perEntryAtCap * inserted) / MiB, 1)} MiB here).`,
  );
  if (zeroed !== SAMPLED_KEYS) throw new Error(`${SAMPLED_KEYS - zeroed} evicted keys still hold key bytes.`);
}

await main();
