/**
 * Throughput of the tenant data API (lib/api/handlers.ts) with field encryption against
 * the same API storing plaintext, on one scratch PostgreSQL database and the local KMS.
 *
 * Both modes call the same handlers with web-standard Requests (no HTTP server), so each
 * request does the same API key lookup, body parsing, zod validation, repository queries
 * and JSON response. They differ only in `tenantDb`:
 *   encrypted: withTenantEncryption with a DataKeyService at production settings.
 *   plaintext: support/plaintext-client.ts, which writes the UTF-8/JSON bytes unencrypted
 *              into the same Bytes columns and mirrors the extension's other steps.
 *
 * Each mode has its own accounts, because either extension rejects the other's bytes.
 * In the encrypted mode, half of them have their own KMS key.
 *
 * A run per mode is 10,000 writes, then 10,000 reads. The writes alternate between POST of
 * a message to one of the account's sessions and POST of a fact, with ~100 B content and
 * ~1 KiB JSON metadata from the shared record generator. The reads alternate between GET
 * of one fact written in the run and GET of a page of 10 messages. 8 requests are in
 * flight. The writes, and then the reads, go in 5 slices per mode that alternate between
 * the modes, so both see the same load from elsewhere. Figures are medians of 3 runs
 * after a warm-up of 500 writes and 500 reads per mode. The target uses the median of the
 * per-run ratios.
 *
 *   npx tsx --conditions=react-server bench/api.ts [--requests N] [--runs N]
 */
import "./support/quiet-logs";

import { generateApiKey } from "@/lib/api/api-keys";
import { handleCreateFact, handleCreateMessage, handleCreateSession, handleGetFact, handleListMessages, type ApiDeps } from "@/lib/api/handlers";
import type { TenantDataClient } from "@/lib/tenant-data/extension";

import { withPlaintextFields } from "./support/plaintext-client";
import { buildDatasets } from "./support/records";
import { cpuMicroseconds, formatNumber, integerOption, markdownTable, median, printMachineFacts, runConcurrently } from "./support/report";
import { countKmsCalls, describeCalls, startBenchStack, totalCalls, type BenchStack } from "./support/stack";

const REQUESTS = integerOption("requests", 10_000);
const RUNS = integerOption("runs", 3);
const WARM_UP_REQUESTS = 500;
const SLICES = 5;
const ACCOUNTS_PER_MODE = 4;
const SESSIONS_PER_ACCOUNT = 4;
const CONCURRENCY = 8;
const PAGE_SIZE = 10;
const BASE_URL = "http://127.0.0.1/api/v1";

type Mode = "encrypted" | "plaintext";

interface ApiAccount {
  id: string;
  token: string;
  sessionIds: string[];
}

/** Wall time and this process's CPU time (user + system) of a phase. */
interface Timing {
  ms: number;
  cpuUs: number;
}

interface ModeSetup {
  mode: Mode;
  deps: ApiDeps;
  accounts: ApiAccount[];
}

const records = buildDatasets(REQUESTS);

function apiRequest(path: string, token: string, body?: unknown): Request {
  return new Request(`${BASE_URL}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function expectStatus(response: Response, status: number, route: string): Promise<void> {
  if (response.status !== status) throw new Error(`${route} returned HTTP ${response.status}, expected ${status}: ${await response.text()}`);
}

/** Creates the mode's accounts, API keys and sessions. `prepareAccount` runs before each account's first record. */
async function setUpMode(stack: BenchStack, mode: Mode, deps: ApiDeps, prepareAccount: (accountId: string) => Promise<void>): Promise<ModeSetup> {
  const accounts: ApiAccount[] = [];
  for (let index = 0; index < ACCOUNTS_PER_MODE; index += 1) {
    const id = await stack.createAccount({ byok: mode === "encrypted" && index % 2 === 0 });
    await prepareAccount(id);
    const apiKey = generateApiKey();
    await stack.prisma.apiKey.create({ data: { accountId: id, name: `bench ${mode}`, prefix: apiKey.prefix, secretHash: apiKey.secretHash } });
    const sessionIds: string[] = [];
    for (let session = 0; session < SESSIONS_PER_ACCOUNT; session += 1) {
      const response = await handleCreateSession(deps, apiRequest("/sessions", apiKey.token, { externalId: `${mode}-${session}`, metadata: { channel: "bench" } }));
      await expectStatus(response, 201, "POST /sessions");
      sessionIds.push(((await response.json()) as { data: { id: string } }).data.id);
    }
    accounts.push({ id, token: apiKey.token, sessionIds });
  }
  return { mode, deps, accounts };
}

/**
 * Sends writes number `first` to `first + count - 1` of a run and returns their timing with
 * the ids of the facts written, by account id. Write number i stores record i, so both
 * modes store the same records.
 */
async function writePhase(setup: ModeSetup, first: number, count: number): Promise<Timing & { factIds: Map<string, string[]> }> {
  const startedAt = new Date();
  const cpuBefore = cpuMicroseconds();
  const ms = await runConcurrently(count, CONCURRENCY, async (slot) => {
    const index = first + slot;
    const record = index % records.strings.length;
    // Consecutive pairs go to one account, so every account gets both kinds of request.
    const account = setup.accounts[Math.floor(index / 2) % setup.accounts.length]!;
    const body = { content: records.strings[record]!, metadata: records.documents[record] };
    if (index % 2 === 0) {
      const sessionId = account.sessionIds[Math.floor(index / (2 * ACCOUNTS_PER_MODE)) % account.sessionIds.length]!;
      const response = await handleCreateMessage(setup.deps, apiRequest(`/sessions/${sessionId}/messages`, account.token, { role: "user", ...body }), sessionId);
      await expectStatus(response, 201, "POST /sessions/{id}/messages");
    } else {
      const response = await handleCreateFact(setup.deps, apiRequest("/facts", account.token, body));
      await expectStatus(response, 201, "POST /facts");
    }
  });
  const cpuUs = cpuMicroseconds() - cpuBefore;

  // Read outside the timing, so neither mode pays for parsing response bodies.
  const facts = await setup.deps.prisma.fact.findMany({
    where: { accountId: { in: setup.accounts.map((account) => account.id) }, createdAt: { gte: startedAt } },
    select: { id: true, accountId: true },
  });
  const factIds = new Map<string, string[]>();
  for (const fact of facts) factIds.set(fact.accountId, [...(factIds.get(fact.accountId) ?? []), fact.id]);
  return { ms, cpuUs, factIds };
}

/** Sends reads number `first` to `first + count - 1` of a run and returns their timing. */
async function readPhase(setup: ModeSetup, first: number, count: number, factIds: Map<string, string[]>): Promise<Timing> {
  const cpuBefore = cpuMicroseconds();
  const ms = await runConcurrently(count, CONCURRENCY, async (slot) => {
    const index = first + slot;
    const account = setup.accounts[Math.floor(index / 2) % setup.accounts.length]!;
    if (index % 2 === 0) {
      const ids = factIds.get(account.id) ?? [];
      if (ids.length === 0) throw new Error(`No facts were written for account ${account.id}.`);
      const factId = ids[Math.floor(index / (2 * ACCOUNTS_PER_MODE)) % ids.length]!;
      await expectStatus(await handleGetFact(setup.deps, apiRequest(`/facts/${factId}`, account.token), factId), 200, "GET /facts/{id}");
    } else {
      const sessionId = account.sessionIds[Math.floor(index / (2 * ACCOUNTS_PER_MODE)) % account.sessionIds.length]!;
      const response = await handleListMessages(setup.deps, apiRequest(`/sessions/${sessionId}/messages?limit=${PAGE_SIZE}`, account.token), sessionId);
      await expectStatus(response, 200, "GET /sessions/{id}/messages");
    }
  });
  return { ms, cpuUs: cpuMicroseconds() - cpuBefore };
}

/** Checks, outside the timing, that each mode stored what it claims and reads back what was written. */
async function checkStorage(setup: ModeSetup, factIds: Map<string, string[]>): Promise<void> {
  const account = setup.accounts[0]!;
  const factId = factIds.get(account.id)![0]!;
  const response = await handleGetFact(setup.deps, apiRequest(`/facts/${factId}`, account.token), factId);
  const { data } = (await response.json()) as { data: { content: string; metadata: unknown } };
  const index = records.strings.indexOf(data.content);
  if (index === -1 || JSON.stringify(data.metadata) !== JSON.stringify(records.documents[index])) {
    throw new Error(`${setup.mode}: fact ${factId} did not read back as written.`);
  }

  const stored = await setup.deps.prisma.fact.findUniqueOrThrow({ where: { id: factId }, select: { content: true } });
  const plaintext = Buffer.from(data.content, "utf8");
  const encrypted = stored.content[0] === 0x01 && stored.content.length === plaintext.length + 33 && !Buffer.from(stored.content).includes(plaintext);
  if (setup.mode === "encrypted" ? !encrypted : !plaintext.equals(Buffer.from(stored.content))) {
    throw new Error(`${setup.mode}: fact ${factId} is not stored the way this mode claims.`);
  }
}

/**
 * Runs one run's writes, then its reads, in SLICES slices per mode that alternate between
 * the modes, so load from elsewhere on the machine hits both alike. Returns the summed
 * timings per mode and the fact ids written, by mode and account id.
 */
async function runInSlices(setups: ModeSetup[], run: number) {
  const sliceSize = Math.ceil(REQUESTS / SLICES);
  const writes = new Map<Mode, Timing>();
  const reads = new Map<Mode, Timing>();
  const add = (totals: Map<Mode, Timing>, mode: Mode, timing: Timing) => {
    const total = totals.get(mode) ?? { ms: 0, cpuUs: 0 };
    totals.set(mode, { ms: total.ms + timing.ms, cpuUs: total.cpuUs + timing.cpuUs });
  };
  const factIds = new Map<Mode, Map<string, string[]>>();
  const orderFor = (slice: number) => ((run + slice) % 2 === 0 ? setups : [...setups].reverse());

  for (let slice = 0; slice * sliceSize < REQUESTS; slice += 1) {
    const first = slice * sliceSize;
    const count = Math.min(sliceSize, REQUESTS - first);
    for (const setup of orderFor(slice)) {
      const written = await writePhase(setup, first, count);
      add(writes, setup.mode, written);
      const byAccount = factIds.get(setup.mode) ?? new Map<string, string[]>();
      for (const [accountId, ids] of written.factIds) byAccount.set(accountId, [...(byAccount.get(accountId) ?? []), ...ids]);
      factIds.set(setup.mode, byAccount);
    }
  }
  for (let slice = 0; slice * sliceSize < REQUESTS; slice += 1) {
    const first = slice * sliceSize;
    const count = Math.min(sliceSize, REQUESTS - first);
    for (const setup of orderFor(slice)) {
      add(reads, setup.mode, await readPhase(setup, first, count, factIds.get(setup.mode)!));
    }
  }
  return { writes, reads, factIds };
}

/** Per run: requests per second and this process's CPU µs per request. */
interface RunResult {
  writesPerSecond: number[];
  readsPerSecond: number[];
  writeCpuUs: number[];
  readCpuUs: number[];
}

async function main(): Promise<void> {
  printMachineFacts("Tenant data API, encrypted against plaintext (bench/api.ts)");
  const stack = await startBenchStack({ poolSize: CONCURRENCY + 2 });
  try {
    const tenant = stack.tenantData();
    const kmsCalls = countKmsCalls(tenant.kms);
    const placeholderKeys = new Map<string, string>();
    const plaintextDb = withPlaintextFields(stack.prisma, (accountId) => {
      const id = placeholderKeys.get(accountId);
      if (!id) throw new Error(`Account ${accountId} has no placeholder data key.`);
      return id;
    }) as unknown as TenantDataClient;

    const setups = [
      await setUpMode(stack, "encrypted", { prisma: stack.prisma, tenantDb: tenant.client }, async () => undefined),
      // Message and Fact rows need a data key row, so each plaintext account gets one that nothing decrypts with.
      await setUpMode(stack, "plaintext", { prisma: stack.prisma, tenantDb: plaintextDb }, async (accountId) => {
        const row = await stack.prisma.dataKey.create({
          data: { accountId, serial: 1, source: "PLATFORM", kmsKeyArn: stack.platformKeyArn, wrappedKey: new Uint8Array(32), encryptionContext: {} },
        });
        placeholderKeys.set(accountId, row.id);
      }),
    ];

    for (const setup of setups) {
      const { factIds } = await writePhase(setup, 0, WARM_UP_REQUESTS);
      await readPhase(setup, 0, WARM_UP_REQUESTS, factIds);
    }
    const kmsCallsBeforeRuns = new Map(kmsCalls);

    const results: Record<Mode, RunResult> = {
      encrypted: { writesPerSecond: [], readsPerSecond: [], writeCpuUs: [], readCpuUs: [] },
      plaintext: { writesPerSecond: [], readsPerSecond: [], writeCpuUs: [], readCpuUs: [] },
    };
    for (let run = 0; run < RUNS; run += 1) {
      const { writes, reads, factIds } = await runInSlices(setups, run);
      for (const setup of setups) {
        await checkStorage(setup, factIds.get(setup.mode)!);
        const result = results[setup.mode];
        const written = writes.get(setup.mode)!;
        const read = reads.get(setup.mode)!;
        result.writesPerSecond.push((REQUESTS / written.ms) * 1000);
        result.readsPerSecond.push((REQUESTS / read.ms) * 1000);
        result.writeCpuUs.push(written.cpuUs / REQUESTS);
        result.readCpuUs.push(read.cpuUs / REQUESTS);
      }
    }
    const kmsCallsInRuns = totalCalls(kmsCalls) - totalCalls(kmsCallsBeforeRuns);

    printResults(results);
    console.log(
      `\nKMS calls by the encrypted mode: ${describeCalls(kmsCallsBeforeRuns)} during set-up and warm-up, ${kmsCallsInRuns} during the timed runs.`,
    );
  } finally {
    await stack.close();
  }
}

function printResults(results: Record<Mode, RunResult>): void {
  const range = (values: number[]) => `${formatNumber(Math.min(...values))}..${formatNumber(Math.max(...values))}`;
  console.log(
    `${ACCOUNTS_PER_MODE} accounts per mode, ${CONCURRENCY} requests in flight, ${formatNumber(REQUESTS)} writes then ${formatNumber(REQUESTS)} reads per run, median of ${RUNS} runs.\n`,
  );
  const rows = (["plaintext", "encrypted"] as const).map((mode) => {
    const result = results[mode];
    return [
      mode,
      formatNumber(median(result.writesPerSecond)),
      range(result.writesPerSecond),
      formatNumber(median(result.writeCpuUs)),
      formatNumber(median(result.readsPerSecond)),
      range(result.readsPerSecond),
      formatNumber(median(result.readCpuUs)),
    ];
  });
  console.log(
    markdownTable(["mode", "writes/s:", "writes/s, all runs:", "Node CPU µs per write:", "reads/s:", "reads/s, all runs:", "Node CPU µs per read:"], rows),
  );

  // Both modes share each run's slices, so the ratio within a run is steadier than a ratio of medians.
  console.log("");
  const targetRows = (["writes", "reads"] as const).map((kind) => {
    const key = kind === "writes" ? "writesPerSecond" : "readsPerSecond";
    const shares = results.encrypted[key].map((value, run) => value / results.plaintext[key][run]!);
    const share = median(shares);
    return [
      `encrypted ${kind} ≥ 90 % of plaintext`,
      `${formatNumber(share * 100, 1)} %`,
      shares.map((value) => `${formatNumber(value * 100, 1)} %`).join(", "),
      share >= 0.9 ? "met" : "not met",
    ];
  });
  console.log(markdownTable(["target", "median of runs", "each run", "result"], targetRows));
}

await main();
