/**
 * Re-wrap jobs at scale: the KMS calls, database writes and time of each job kind on an
 * account with 100 data keys and 1,000,000 encrypted facts, through the real runner
 * (lib/rewrap/run.ts), PostgreSQL and the local KMS server.
 *
 * Phases:
 * - seeding (timed on its own): three BYOK accounts whose tenant keys allow
 *   GenerateDataKey, Decrypt, ReEncryptFrom and ReEncryptTo. Data keys come from
 *   DataKeyService (real GenerateDataKey), facts are sealed in process and bulk-inserted
 *   (bench/support/bulk-facts.ts):
 *   - large: 100 data keys, 1,000,000 facts (10,000 per data key)
 *   - small: 100 data keys, 10,000 facts (100 per data key)
 *   - many keys: 1,000 data keys, 10,000 facts (10 per data key)
 * - ROTATION: RotateKeyOnDemand on each account's key, then ROTATION jobs on the three
 *   accounts in turn, 5 rounds, so time can be compared across record and data key counts.
 *   Rounds after the first re-wrap onto the material that is already the newest, with the
 *   same calls.
 * - KEY_CHANGE of the large account to a second tenant key. The old key is then disabled.
 * - TO_PLATFORM of the large account, queued by support's BYOK disable
 *   (lib/support/disable.ts). The second tenant key is then disabled.
 * - after each phase, 1,000 random facts of the large account are read back through the
 *   encrypting client on a new data key cache and compared with their seeded plaintext.
 *
 * For each job: wall time, KMS calls by operation (an SDK middleware on the runner's
 * client), data_keys rows written and facts changed (row versions and checksums before and
 * after), and kms_calls and audit_events rows written.
 *
 *   npx tsx --conditions=react-server bench/rewrap.ts [--records N] [--data-keys N]
 *     [--small-records N] [--many-data-keys N] [--samples N] [--rotation-rounds N]
 */
import "./support/quiet-logs";

import { DisableKeyCommand, RotateKeyOnDemandCommand } from "@aws-sdk/client-kms";
import pg from "pg";

import type { RewrapJob, RewrapJobKind } from "@/lib/db/generated/client";
import { runRewrapJob } from "@/lib/rewrap/run";
import { queueRewrapJob } from "@/lib/rewrap/start";
import { loadUsageByKey, summarizeUnmoved } from "@/lib/rewrap/summary";
import { authorizeSupport } from "@/lib/support/authorize";
import { requestByokDisable } from "@/lib/support/disable";

import { seedFacts, type SeedTiming } from "./support/bulk-facts";
import { formatNumber, integerOption, markdownTable, median, nowMs, printMachineFacts } from "./support/report";
import { compareSnapshots, countByMaterialVersion, readBack, takeSnapshot, timeKmsCalls, tryDecrypt, type ReadBack, type SnapshotChange } from "./support/rewrap-probes";
import { countKmsCalls, describeCalls, startBenchStack, totalCalls, type BenchStack } from "./support/stack";

const LARGE_RECORDS = integerOption("records", 1_000_000);
const DATA_KEYS = integerOption("data-keys", 100);
const SMALL_RECORDS = integerOption("small-records", 10_000);
const MANY_DATA_KEYS = integerOption("many-data-keys", 1_000);
const SAMPLES = integerOption("samples", 1_000);
const ROTATION_ROUNDS = integerOption("rotation-rounds", 5);
const INSERT_BATCH_ROWS = 5_000;
const INSERTS_IN_FLIGHT = 2;
const INSTANCE = "bench-rewrap";

interface Account {
  label: string;
  accountId: string;
  idPrefix: number;
  keyArn: string;
  dataKeys: number;
  facts: number;
  factsPerDataKey: number;
  seeding: SeedTiming;
  seedingCalls: Map<string, number>;
}

interface JobResult {
  label: string;
  account: Account;
  job: RewrapJob;
  ms: number;
  kmsCalls: Map<string, number>;
  /** Part of `ms` spent inside KMS calls, SDK and HTTP included. */
  kmsMs: number;
  change: SnapshotChange;
}

interface ReadCheck {
  after: string;
  keyState: string;
  result: ReadBack;
}

async function main(): Promise<void> {
  for (const [records, dataKeys, option] of [
    [LARGE_RECORDS, DATA_KEYS, "--records"],
    [SMALL_RECORDS, DATA_KEYS, "--small-records"],
    [SMALL_RECORDS, MANY_DATA_KEYS, "--small-records"],
  ] as const) {
    if (records % dataKeys !== 0) throw new RangeError(`${option} (${records}) must be a multiple of the data key count (${dataKeys}).`);
  }
  printMachineFacts("Re-wrap of data keys (bench/rewrap.ts)");
  const runStarted = nowMs();
  const stack = await startBenchStack({ poolSize: 10 });
  const pool = new pg.Pool({ connectionString: stack.databaseUrl, max: INSERTS_IN_FLIGHT + 1 });
  try {
    const seedingStarted = nowMs();
    const large = await seedAccount(stack, pool, "large", 1, DATA_KEYS, LARGE_RECORDS);
    const small = await seedAccount(stack, pool, "small", 2, DATA_KEYS, SMALL_RECORDS);
    const manyKeys = await seedAccount(stack, pool, "many keys", 3, MANY_DATA_KEYS, SMALL_RECORDS);
    const seedingMs = nowMs() - seedingStarted;
    // Autovacuum on the new rows, and the checkpoint that writes them out, would otherwise
    // run during the jobs and slow their commits.
    const vacuumStarted = nowMs();
    await pool.query(`VACUUM ANALYZE "facts"`);
    await checkpoint(pool);
    const vacuumMs = nowMs() - vacuumStarted;
    printSeeding([large, small, manyKeys], seedingMs, vacuumMs);

    const reads: ReadCheck[] = [{ after: "seeding", keyState: "first tenant key enabled", result: await readBack(stack, large, SAMPLES, 1) }];
    const summaries = await timeSummaries(stack, large);

    // ROTATION: one new key material per tenant key, then the accounts in turn.
    for (const account of [large, small, manyKeys]) {
      await stack.tenantKms.send(new RotateKeyOnDemandCommand({ KeyId: account.keyArn }));
    }
    const rotations: JobResult[] = [];
    for (let round = 1; round <= ROTATION_ROUNDS; round++) {
      for (const account of [small, large, manyKeys]) {
        rotations.push(await queueAndRun(stack, pool, account, `ROTATION, round ${round}`, "ROTATION", account.keyArn, account.keyArn));
      }
    }
    const largeMaterial = await countByMaterialVersion(stack, large.accountId);
    reads.push({ after: "ROTATION", keyState: "first tenant key enabled", result: await readBack(stack, large, SAMPLES, 2) });

    // KEY_CHANGE to a second tenant key. The old key is disabled before the reads.
    const secondKeyArn = await stack.createTenantKey({ reEncrypt: true });
    const sampleKeyBefore = await firstDataKey(stack, large.accountId);
    const keyChange = await queueAndRun(stack, pool, large, "KEY_CHANGE", "KEY_CHANGE", large.keyArn, secondKeyArn);
    const configAfterChange = await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId: large.accountId } });
    await stack.tenantKms.send(new DisableKeyCommand({ KeyId: large.keyArn }));
    const oldKeyControl = await tryDecrypt(stack.platformKms(), large.keyArn, sampleKeyBefore.wrappedKey, sampleKeyBefore.encryptionContext);
    reads.push({ after: "KEY_CHANGE", keyState: "first tenant key disabled", result: await readBack(stack, large, SAMPLES, 3) });

    // TO_PLATFORM, queued the way support disables BYOK. The second key is disabled before the reads.
    const sampleKeyChanged = await firstDataKey(stack, large.accountId);
    const toPlatformJob = await disableByokThroughSupport(stack, large.accountId);
    const toPlatform = await runQueued(stack, pool, large, "TO_PLATFORM", toPlatformJob);
    await stack.tenantKms.send(new DisableKeyCommand({ KeyId: secondKeyArn }));
    const secondKeyControl = await tryDecrypt(stack.platformKms(), secondKeyArn, sampleKeyChanged.wrappedKey, sampleKeyChanged.encryptionContext);
    reads.push({ after: "TO_PLATFORM", keyState: "both tenant keys disabled", result: await readBack(stack, large, SAMPLES, 4) });

    const largeRotation = rotations.find((result) => result.account === large)!;
    const jobs = [largeRotation, keyChange, toPlatform];
    printJobs(jobs);
    printRotationScaling([large, small, manyKeys], rotations);
    printChecks({ summaries, largeMaterial, secondKeyArn, configKeyArn: configAfterChange.keyArn, configState: configAfterChange.state, oldKeyControl, secondKeyControl, reads });
    printTargets([...rotations, keyChange, toPlatform], reads);
    console.log(`\nThe whole run took ${formatNumber((nowMs() - runStarted) / 1000, 0)} s.`);
  } finally {
    await pool.end();
    await stack.close();
  }
}

async function seedAccount(stack: BenchStack, pool: pg.Pool, label: string, idPrefix: number, dataKeys: number, facts: number): Promise<Account> {
  const accountId = await stack.createAccount({ byok: true, reEncrypt: true });
  const factsPerDataKey = facts / dataKeys;
  // A data key reaches its encryption limit after factsPerDataKey facts, so each keyForWrite below makes a new one.
  const seeder = stack.tenantData({ maxEncryptionsPerKey: factsPerDataKey, reserveBatch: factsPerDataKey });
  const seedingCalls = countKmsCalls(seeder.kms);
  const seeding = await seedFacts(pool, seeder.dataKeys, { accountId, idPrefix, dataKeys, factsPerDataKey }, { batchRows: INSERT_BATCH_ROWS, inFlight: INSERTS_IN_FLIGHT });
  seeder.cache.clear();

  const storedKeys = await stack.prisma.dataKey.count({ where: { accountId } });
  const storedFacts = await stack.prisma.fact.count({ where: { accountId } });
  if (storedKeys !== dataKeys || storedFacts !== facts) {
    throw new Error(`Seeding account ${label} stored ${storedKeys} data keys and ${storedFacts} facts, expected ${dataKeys} and ${facts}.`);
  }
  const { keyArn } = await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId } });
  return { label, accountId, idPrefix, keyArn, dataKeys, facts, factsPerDataKey, seeding, seedingCalls };
}

/** Times the record-counting queries of the Encryption page and the support account page once each. */
async function timeSummaries(stack: BenchStack, account: Account): Promise<{ usageMs: number; unmovedMs: number; records: number }> {
  const usageStarted = nowMs();
  const usage = await loadUsageByKey(stack.prisma, account.accountId);
  const usageMs = nowMs() - usageStarted;
  const unmovedStarted = nowMs();
  const unmoved = await summarizeUnmoved(stack.prisma, account.accountId, account.keyArn);
  const unmovedMs = nowMs() - unmovedStarted;
  const usageRecords = usage.reduce((sum, row) => sum + row.records, 0);
  if (usageRecords !== account.facts || unmoved.records !== account.facts) {
    throw new Error(`loadUsageByKey counted ${usageRecords} and summarizeUnmoved ${unmoved.records} records on account ${account.label}, expected ${account.facts}.`);
  }
  return { usageMs, unmovedMs, records: account.facts };
}

// CHECKPOINT needs a superuser or the pg_checkpoint role (PostgreSQL 15).
async function checkpoint(pool: pg.Pool): Promise<void> {
  try {
    await pool.query("CHECKPOINT");
  } catch (error) {
    if ((error as { code?: string }).code !== "42501") throw error;
    console.log("NOTE: CHECKPOINT was rejected for lack of privilege, so writing out the seeded rows may slow the first jobs.\n");
  }
}

function queueAndRun(stack: BenchStack, pool: pg.Pool, account: Account, label: string, kind: RewrapJobKind, sourceKeyArn: string, targetKeyArn: string): Promise<JobResult> {
  return queueRewrapJob(stack.prisma, { accountId: account.accountId, kind, sourceKeyArn, targetKeyArn, requestedBy: "bench@rewrap.example" }).then((job) =>
    runQueued(stack, pool, account, label, job),
  );
}

/** Runs a queued job to the end on a new KMS client, and measures it. Throws unless the job completed with no failed data key. */
async function runQueued(stack: BenchStack, pool: pg.Pool, account: Account, label: string, queued: RewrapJob): Promise<JobResult> {
  const before = await takeSnapshot(pool, account.accountId);
  const kms = stack.platformKms();
  const kmsCalls = countKmsCalls(kms);
  const kmsTime = timeKmsCalls(kms);
  const started = nowMs();
  const job = await runRewrapJob({ prisma: stack.prisma, kms, instance: INSTANCE }, queued.id);
  const ms = nowMs() - started;
  const change = compareSnapshots(before, await takeSnapshot(pool, account.accountId));
  if (job.status !== "COMPLETED" || job.failed > 0 || job.moved !== account.dataKeys || job.total !== account.dataKeys) {
    throw new Error(
      `${label} on account ${account.label} ended ${job.status} with ${job.moved} moved and ${job.failed} failed of ${job.total}, expected ${account.dataKeys}: ${job.lastError ?? "no error recorded"}.`,
    );
  }
  return { label, account, job, ms, kmsCalls, kmsMs: kmsTime.ms, change };
}

/** Disables BYOK as a support user would, without a second approver, and returns the TO_PLATFORM job it queued. */
async function disableByokThroughSupport(stack: BenchStack, accountId: string): Promise<RewrapJob> {
  const user = await stack.prisma.user.create({ data: { email: "support@rewrap.example", name: "Bench support", globalRole: "SUPPORT" } });
  const actor = await authorizeSupport(stack.prisma, { userId: user.id, action: "support.byok.disable.request", targetAccountId: accountId });
  const outcome = await requestByokDisable(stack.prisma, actor, { accountId, reason: "Re-wrap benchmark" }, { requiresApproval: false, platformKeyArn: stack.platformKeyArn });
  const job = outcome.executed?.rewrapJob;
  if (!job) throw new Error(`Disabling BYOK for account ${accountId} queued no re-wrap job.`);
  return job;
}

async function firstDataKey(stack: BenchStack, accountId: string) {
  const row = await stack.prisma.dataKey.findUniqueOrThrow({ where: { accountId_serial: { accountId, serial: 1 } } });
  return { wrappedKey: row.wrappedKey, encryptionContext: row.encryptionContext as Record<string, string> };
}

/** The calls a job of `kind` must make for `dataKeys` data keys, by SDK command name. */
function expectedCalls(kind: RewrapJobKind, dataKeys: number): Map<string, number> {
  if (kind === "TO_PLATFORM") {
    return new Map([
      ["DecryptCommand", dataKeys],
      ["EncryptCommand", dataKeys],
    ]);
  }
  return new Map([["ReEncryptCommand", dataKeys]]);
}

/** kms_calls rows a job of `kind` must write: one per tenant key per call. ROTATION's source and target are one key, so it writes one. */
function expectedKmsCallRows(kind: RewrapJobKind, dataKeys: number): number {
  return kind === "KEY_CHANGE" ? 2 * dataKeys : dataKeys;
}

function sameCounts(measured: Map<string, number>, expected: Map<string, number>): boolean {
  if (measured.size !== expected.size) return false;
  return [...expected].every(([name, count]) => measured.get(name) === count);
}

function seconds(ms: number, digits = 1): string {
  return formatNumber(ms / 1000, digits);
}

function printSeeding(accounts: Account[], seedingMs: number, vacuumMs: number): void {
  console.log("### Seeding\n");
  const rows = accounts.map((account) => [
    account.label,
    formatNumber(account.dataKeys),
    formatNumber(account.facts),
    describeCalls(account.seedingCalls),
    seconds(account.seeding.dataKeyMs),
    seconds(account.seeding.sealMs),
    seconds(account.seeding.totalMs),
    formatNumber((account.facts / account.seeding.totalMs) * 1000),
  ]);
  console.log(markdownTable(["account", "data keys:", "facts:", "KMS calls", "making data keys, s:", "sealing, s:", "total, s:", "facts/s:"], rows));
  console.log(`\nSeeding took ${seconds(seedingMs)} s in all, then VACUUM ANALYZE of facts and a CHECKPOINT ${seconds(vacuumMs)} s. Neither is part of any job time below.\n`);
}

function printJobs(jobs: JobResult[]): void {
  console.log("### Jobs on the large account\n");
  const rows = jobs.map((result) => [
    result.label,
    formatNumber(result.account.dataKeys),
    formatNumber(result.account.facts),
    seconds(result.ms, 2),
    formatNumber(result.ms / result.account.dataKeys, 1),
    `${formatNumber((result.kmsMs / result.ms) * 100)} %`,
    describeCalls(result.kmsCalls),
    formatNumber(result.change.dataKeyRowsWritten),
    result.change.factsUntouched ? "0" : "**changed**",
    formatNumber(result.change.kmsCallRows),
    formatNumber(result.change.auditEventRows),
  ]);
  console.log(
    markdownTable(
      ["job", "data keys:", "facts:", "wall time, s:", "ms per data key:", "in KMS calls:", "KMS calls", "data_keys rows written:", "facts written:", "kms_calls rows:", "audit_events rows:"],
      rows,
    ),
  );
  console.log("");
}

function printRotationScaling(accounts: Account[], rotations: JobResult[]): void {
  console.log("### ROTATION time by data keys and facts\n");
  const rows = accounts.map((account) => {
    const times = rotations.filter((result) => result.account === account).map((result) => result.ms);
    const middle = median(times);
    return [
      account.label,
      formatNumber(account.dataKeys),
      formatNumber(account.facts),
      times.map((ms) => seconds(ms, 2)).join(", "),
      seconds(middle, 2),
      formatNumber(middle / account.dataKeys, 1),
    ];
  });
  console.log(markdownTable(["account", "data keys:", "facts:", "each round, s", "median, s:", "ms per data key:"], rows));
  console.log("");
}

function printChecks(checks: {
  summaries: { usageMs: number; unmovedMs: number; records: number };
  largeMaterial: Map<number, number>;
  secondKeyArn: string;
  configKeyArn: string;
  configState: string;
  oldKeyControl: string;
  secondKeyControl: string;
  reads: ReadCheck[];
}): void {
  console.log("### Checks\n");
  const material = [...checks.largeMaterial].map(([version, count]) => `${count} on material version ${version}`).join(", ");
  console.log(`- After ROTATION, the large account's data keys name: ${material}.`);
  console.log(`- After KEY_CHANGE, the account's key is ${checks.configKeyArn === checks.secondKeyArn ? "the second key" : `still ${checks.configKeyArn}`} (state ${checks.configState}).`);
  console.log(`- Control: Decrypt of a data key's old wrapped form with the disabled first key: ${checks.oldKeyControl}.`);
  console.log(`- Control: Decrypt of a data key's wrapped form under the disabled second key: ${checks.secondKeyControl}.`);
  console.log(
    `- The queries behind the pages count records, unlike the jobs. On the large account after seeding, loadUsageByKey (Encryption page) took ` +
      `${seconds(checks.summaries.usageMs, 2)} s and summarizeUnmoved (support account page) ${seconds(checks.summaries.unmovedMs, 2)} s. Both counted ${formatNumber(checks.summaries.records)} records.\n`,
  );
  const rows = checks.reads.map(({ after, keyState, result }) => [
    after,
    keyState,
    formatNumber(result.records),
    formatNumber(result.dataKeys),
    formatNumber(result.mismatches),
    describeCalls(result.kmsCalls),
    seconds(result.ms, 2),
  ]);
  console.log(markdownTable(["read back after", "tenant keys", "facts read:", "data keys used:", "wrong plaintext:", "KMS calls (new cache)", "time, s:"], rows));
  console.log("");
}

function printTargets(jobs: JobResult[], reads: ReadCheck[]): void {
  console.log("### Targets\n");
  console.log("Each job: KMS calls equal to the expected calls per data key, 0 facts written, one data_keys row written per data key, and one kms_calls row per tenant key per call.\n");
  const rows = jobs.map((result) => {
    const { kind } = result.job;
    const { dataKeys } = result.account;
    const calls = expectedCalls(kind, dataKeys);
    const met =
      sameCounts(result.kmsCalls, calls) &&
      result.change.factsUntouched &&
      result.change.dataKeyRowsWritten === dataKeys &&
      result.change.kmsCallRows === expectedKmsCallRows(kind, dataKeys);
    return [
      `${result.label}, ${result.account.label}`,
      describeCalls(calls),
      describeCalls(result.kmsCalls),
      result.change.factsUntouched ? "0" : "changed",
      `${formatNumber(result.change.dataKeyRowsWritten)} of ${formatNumber(dataKeys)}`,
      `${formatNumber(result.change.kmsCallRows)} of ${formatNumber(expectedKmsCallRows(kind, dataKeys))}`,
      met ? "met" : "**not met**",
    ];
  });
  // A read on a new cache costs one Decrypt per data key it uses, and must return the seeded plaintext.
  for (const { after, result } of reads) {
    const calls = new Map([["DecryptCommand", result.dataKeys]]);
    const met = result.mismatches === 0 && sameCounts(result.kmsCalls, calls);
    const verdict = `${met ? "met" : "**not met**"} (${result.mismatches} wrong plaintexts of ${result.records})`;
    rows.push([`read back after ${after}`, describeCalls(calls), describeCalls(result.kmsCalls), "-", "-", "-", verdict]);
  }
  console.log(markdownTable(["job", "expected KMS calls", "measured KMS calls", "facts written", "data_keys rows written", "kms_calls rows written", "result"], rows));
  const missed = rows.filter((row) => !row[6]!.startsWith("met")).length;
  const totalJobCalls = jobs.reduce((sum, result) => sum + totalCalls(result.kmsCalls), 0);
  console.log(`\n${missed === 0 ? "All targets met" : `${missed} targets not met`}. The ${jobs.length} jobs made ${formatNumber(totalJobCalls)} KMS calls in all.`);
}

await main();
