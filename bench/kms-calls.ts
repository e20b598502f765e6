/**
 * KMS calls made by live traffic once data keys are cached. Mixed writes and reads go
 * through the repository functions and the encrypting Prisma extension, against a
 * scratch PostgreSQL database and the local KMS server. The data key settings are the
 * production defaults: 5-minute cache TTL, 10,000 cache entries, 5-second write lease,
 * encryptions reserved 1,000 at a time. An SDK middleware on the data key service's KMS
 * client counts every command it sends.
 *
 * Phases:
 * - set-up through one data key service: accounts (half of them with their own KMS key)
 *   and their sessions
 * - warm-up, then the steady-state operations, through a second service that starts with
 *   an empty cache, as after a restart
 * - control: the second service's cache is cleared and one read is made, which must call
 *   Decrypt, so a broken counter cannot report 0
 *
 * Mix (seeded): 30 % createMessage (~100 B content, ~1 KiB JSON metadata), 10 % createFact,
 * 40 % listMessages (10 per page), 20 % findFact, over 20 accounts, 8 operations in flight.
 *
 *   npx tsx --conditions=react-server bench/kms-calls.ts [--operations N] [--warm-up N] [--accounts N]
 */
import "./support/quiet-logs";

import { createFact, createMessage, createSession, findFact, listMessages } from "@/lib/tenant-data/repository";

import { buildDatasets, seededRandom } from "./support/records";
import { formatNumber, integerOption, markdownTable, printMachineFacts, runConcurrently } from "./support/report";
import { countKmsCalls, describeCalls, PRODUCTION_CACHE, startBenchStack, totalCalls } from "./support/stack";

const OPERATIONS = integerOption("operations", 100_000);
const WARM_UP_OPERATIONS = integerOption("warm-up", 2_000);
const ACCOUNTS = integerOption("accounts", 20);
const SESSIONS_PER_ACCOUNT = 5;
const CONCURRENCY = 8;
const RECORD_POOL = 1_000;

interface Account {
  id: string;
  sessionIds: string[];
  factIds: string[];
}

async function main(): Promise<void> {
  printMachineFacts("KMS calls in steady state (bench/kms-calls.ts)");
  const stack = await startBenchStack({ poolSize: CONCURRENCY + 2 });
  try {
    const setUp = stack.tenantData();
    const setUpCalls = countKmsCalls(setUp.kms);
    const records = buildDatasets(RECORD_POOL);
    const random = seededRandom(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

    const accounts: Account[] = [];
    for (let index = 0; index < ACCOUNTS; index += 1) {
      const id = await stack.createAccount({ byok: index % 2 === 0 });
      const sessionIds: string[] = [];
      for (let session = 0; session < SESSIONS_PER_ACCOUNT; session += 1) {
        sessionIds.push((await createSession(setUp.client, id, { externalId: `session-${session}`, metadata: { channel: "bench" } })).id);
      }
      const fact = await createFact(setUp.client, id, { content: records.strings[index]!, sessionId: sessionIds[0] });
      accounts.push({ id, sessionIds, factIds: [fact!.id] });
    }
    setUp.cache.clear();

    const tenant = stack.tenantData();
    const calls = countKmsCalls(tenant.kms);

    const operation = async (index: number): Promise<void> => {
      const account = pick(accounts);
      const roll = random();
      const content = records.strings[index % RECORD_POOL]!;
      if (roll < 0.3) {
        const metadata = records.documents[index % RECORD_POOL] as never;
        const created = await createMessage(tenant.client, account.id, pick(account.sessionIds), { role: "USER", content, metadata });
        if (!created) throw new Error(`createMessage found no session in account ${account.id}.`);
      } else if (roll < 0.4) {
        const created = await createFact(tenant.client, account.id, { content });
        if (!created) throw new Error(`createFact failed in account ${account.id}.`);
        account.factIds.push(created.id);
      } else if (roll < 0.8) {
        const page = await listMessages(tenant.client, account.id, pick(account.sessionIds), { limit: 10 });
        if (!page) throw new Error(`listMessages found no session in account ${account.id}.`);
      } else {
        const factId = pick(account.factIds);
        const fact = await findFact(tenant.client, account.id, factId);
        if (!fact) throw new Error(`findFact did not find fact ${factId} in account ${account.id}.`);
      }
    };

    await runConcurrently(WARM_UP_OPERATIONS, CONCURRENCY, operation);
    const warmUpCalls = new Map(calls);

    const beforeSteady = new Map(calls);
    const steadyMs = await runConcurrently(OPERATIONS, CONCURRENCY, operation);
    const steadyCalls = subtract(calls, beforeSteady);

    // Control: with the cache emptied, one read must go to KMS, or the counter is broken.
    tenant.cache.clear();
    const beforeControl = new Map(calls);
    const control = accounts[0]!;
    await listMessages(tenant.client, control.id, control.sessionIds[0]!, { limit: 10 });
    const controlCalls = subtract(calls, beforeControl);

    const dataKeys = await stack.prisma.dataKey.groupBy({ by: ["source"], _count: true, orderBy: { source: "asc" } });
    const auditedCalls = await stack.prisma.kmsCall.count();

    console.log(`${ACCOUNTS} accounts (${Math.ceil(ACCOUNTS / 2)} with their own KMS key), ${SESSIONS_PER_ACCOUNT} sessions each, ${CONCURRENCY} operations in flight.`);
    console.log(
      `Data keys made: ${dataKeys.map((row) => `${row._count} ${row.source.toLowerCase()}`).join(", ")}. ` +
        `Cache TTL ${PRODUCTION_CACHE.ttlMs / 1000} s; the steady phase took ${formatNumber(steadyMs / 1000, 1)} s ` +
        `(${formatNumber((OPERATIONS / steadyMs) * 1000)} operations/s).\n`,
    );
    const rows = [
      ["set-up (accounts, sessions, first writes; first service)", "-", formatNumber(totalCalls(setUpCalls)), describeCalls(setUpCalls)],
      ["warm-up (second service, empty cache)", formatNumber(WARM_UP_OPERATIONS), formatNumber(totalCalls(warmUpCalls)), describeCalls(warmUpCalls)],
      ["steady state", formatNumber(OPERATIONS), formatNumber(totalCalls(steadyCalls)), describeCalls(steadyCalls)],
      ["control: 1 read after clearing the cache", "1", formatNumber(totalCalls(controlCalls)), describeCalls(controlCalls)],
    ];
    console.log(markdownTable(["phase", "operations:", "KMS calls:", "by operation"], rows));
    console.log(`\nKMS calls recorded in the kms_calls audit table (tenant keys only): ${auditedCalls}.`);

    const steadyTotal = totalCalls(steadyCalls);
    console.log(`\nTarget: 0 KMS calls in steady state: ${steadyTotal === 0 ? "met" : `not met (${steadyTotal} calls)`}.`);
    if (steadyMs > PRODUCTION_CACHE.ttlMs) {
      console.log("NOTE: the steady phase outlasted the cache TTL, so Decrypt calls after expiry are expected.");
    }
    if (totalCalls(controlCalls) === 0) {
      throw new Error("The control read after clearing the cache made no KMS call, so the counter does not work.");
    }
  } finally {
    await stack.close();
  }
}

function subtract(after: Map<string, number>, before: Map<string, number>): Map<string, number> {
  const difference = new Map<string, number>();
  for (const [name, count] of after) {
    const delta = count - (before.get(name) ?? 0);
    if (delta !== 0) difference.set(name, delta);
  }
  return difference;
}

await main();
