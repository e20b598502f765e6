import { DisableKeyCommand, type KMSClient } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseKeyArn } from "@/lib/arn";
import { saveKeyConfiguration } from "@/lib/byok/configure";
import { DataKeyUnavailableError } from "@/lib/data-keys/errors";
import { RewrapConflictError, runRewrapJob } from "@/lib/rewrap/run";
import { queueRewrapJob } from "@/lib/rewrap/start";
import { summarizeUnmoved } from "@/lib/rewrap/summary";
import { createFact, createMessage, createSession, findFact, findSession, listMessages } from "@/lib/tenant-data/repository";
import { commandName, withMiddleware, type KmsMiddleware } from "@/tests/support/kms-middleware";
import { createKey, createTenant, REGION, startTestStack, type TestStack } from "@/tests/support/stack";

/**
 * Rewrap jobs against real PostgreSQL and the local KMS: a BYOK tenant's data keys move to
 * the platform key, survive an interrupted run, and are counted when the tenant key
 * rejects calls part way through.
 */

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.close();
});

/** Builds a platform KMS client with `middleware` at the initialize step, which runs before the SDK's retries. */
function kmsWith(middleware?: KmsMiddleware): KMSClient {
  return withMiddleware(stack.deps().kms, middleware);
}

/** Counts calls made through `kms` by command name. */
function countKmsCalls(kms: KMSClient): Map<string, number> {
  const counts = new Map<string, number>();
  const middleware: KmsMiddleware = (next, context) => async (args) => {
    const name = commandName(context);
    counts.set(name, (counts.get(name) ?? 0) + 1);
    return next(args);
  };
  withMiddleware(kms, middleware);
  return counts;
}

function rewrapDeps(kms: KMSClient) {
  return { prisma: stack.prisma, kms, instance: "rewrap-test" };
}

/**
 * Creates a BYOK tenant with four data keys under its own KMS key: serial 1 encrypts a session,
 * serial 2 a message, serials 3 and 4 one fact each.
 */
async function tenantWithFourDataKeys() {
  const tenant = await createTenant(stack.prisma);
  const tenantKeyArn = await createKey(stack.tenantKms());
  const parsed = parseKeyArn(tenantKeyArn, { serviceRegion: REGION });
  if (!parsed.ok) throw new Error(parsed.problem.message);
  expect((await saveKeyConfiguration(stack.deps(), await tenant.access("OWNER"), parsed.key)).status).toBe("success");

  // A key age limit below zero makes every write create a new data key.
  const { client } = stack.tenantData({ maxKeyAgeMs: -1, writeLeaseMs: 0 });
  const session = await createSession(client, tenant.accountId, { metadata: { topic: "tea" } });
  await createMessage(client, tenant.accountId, session.id, { role: "USER", content: "first message" });
  const third = await createFact(client, tenant.accountId, { content: "fact three", sessionId: session.id });
  const fourth = await createFact(client, tenant.accountId, { content: "fact four" });

  const keys = await dataKeysOf(tenant.accountId);
  expect(keys.map((key) => [key.serial, key.source, key.kmsKeyArn])).toEqual([1, 2, 3, 4].map((serial) => [serial, "TENANT", tenantKeyArn]));
  // Support turned BYOK off, which is when data keys move to the platform key.
  await stack.prisma.encryptionConfig.update({ where: { accountId: tenant.accountId }, data: { state: "DISABLED", disabledAt: new Date() } });
  return { accountId: tenant.accountId, tenantKeyArn, sessionId: session.id, factIds: [third!.id, fourth!.id] };
}

function dataKeysOf(accountId: string) {
  return stack.prisma.dataKey.findMany({ where: { accountId }, orderBy: { serial: "asc" } });
}

async function queueToPlatform(accountId: string, tenantKeyArn: string) {
  return queueRewrapJob(stack.prisma, { accountId, kind: "TO_PLATFORM", sourceKeyArn: tenantKeyArn, targetKeyArn: stack.platformKeyArn, requestedBy: "support@platform.example" });
}

describe("runRewrapJob", () => {
  it("moves every data key to the platform key", async () => {
    const { accountId, tenantKeyArn, sessionId, factIds } = await tenantWithFourDataKeys();
    const before = await dataKeysOf(accountId);
    const queued = await queueToPlatform(accountId, tenantKeyArn);

    const job = await runRewrapJob(rewrapDeps(kmsWith()), queued.id);

    expect(job).toMatchObject({ status: "COMPLETED", total: 4, moved: 4, failed: 0, cursor: 4, lastError: null });
    expect(job.startedAt).toBeInstanceOf(Date);
    expect(job.finishedAt).toBeInstanceOf(Date);
    const after = await dataKeysOf(accountId);
    for (const [index, key] of after.entries()) {
      expect(key.kmsKeyArn, `serial ${key.serial}`).toBe(stack.platformKeyArn);
      expect(key.source, `serial ${key.serial}`).toBe("PLATFORM");
      expect(key.rewrappedAt, `serial ${key.serial}`).toBeInstanceOf(Date);
      expect(key.encryptionContext, `serial ${key.serial}`).toEqual(before[index]!.encryptionContext);
      expect(Buffer.compare(Buffer.from(key.wrappedKey), Buffer.from(before[index]!.wrappedKey)), `serial ${key.serial}`).not.toBe(0);
    }

    // Records stay readable through a fresh cache after the tenant revokes its key.
    await stack.tenantKms().send(new DisableKeyCommand({ KeyId: tenantKeyArn }));
    const reader = stack.tenantData().client;
    expect((await findSession(reader, accountId, sessionId))?.metadata).toEqual({ topic: "tea" });
    expect((await listMessages(reader, accountId, sessionId, { limit: 5 }))?.items.map((item) => item.content)).toEqual(["first message"]);
    expect((await findFact(reader, accountId, factIds[0]!))?.content).toBe("fact three");
    expect((await findFact(reader, accountId, factIds[1]!))?.content).toBe("fact four");

    const calls = await stack.prisma.kmsCall.findMany({ where: { accountId, cause: "REWRAP" } });
    expect(calls).toHaveLength(4);
    expect(calls.every((call) => call.operation === "Decrypt" && call.ok && call.keyArn === tenantKeyArn && call.instance === "rewrap-test")).toBe(true);
    expect(calls.every((call) => call.requestId !== null)).toBe(true);

    const audit = await stack.prisma.auditEvent.findMany({ where: { accountId, action: { startsWith: "rewrap." } }, orderBy: { id: "asc" } });
    expect(audit.map((event) => [event.action, event.outcome, event.actorType])).toEqual([
      ["rewrap.started", "SUCCESS", "SYSTEM"],
      ["rewrap.completed", "SUCCESS", "SYSTEM"],
    ]);
    expect(audit[1]?.details).toMatchObject({ jobId: queued.id, moved: 4, failed: 0 });

    expect(await summarizeUnmoved(stack.prisma, accountId, tenantKeyArn)).toEqual({ dataKeys: 0, records: 0 });
    expect(await summarizeUnmoved(stack.prisma, accountId, stack.platformKeyArn)).toEqual({ dataKeys: 4, records: 4 });
  });

  it("changes nothing when run again", async () => {
    const { accountId, tenantKeyArn } = await tenantWithFourDataKeys();
    const first = await runRewrapJob(rewrapDeps(kmsWith()), (await queueToPlatform(accountId, tenantKeyArn)).id);
    const moved = await dataKeysOf(accountId);

    const kms = kmsWith();
    const calls = countKmsCalls(kms);
    const again = await runRewrapJob(rewrapDeps(kms), first.id);
    const secondJob = await runRewrapJob(rewrapDeps(kms), (await queueToPlatform(accountId, tenantKeyArn)).id);

    expect(again).toEqual(first);
    expect(secondJob.id).not.toBe(first.id);
    expect(secondJob).toMatchObject({ status: "COMPLETED", total: 0, moved: 0, failed: 0, cursor: 4 });
    expect(calls.size).toBe(0);
    expect(await dataKeysOf(accountId)).toEqual(moved);
    expect(await stack.prisma.kmsCall.count({ where: { accountId, cause: "REWRAP" } })).toBe(4);
  });

  it("resumes after KMS times out part way", async () => {
    const { accountId, tenantKeyArn } = await tenantWithFourDataKeys();
    const queued = await queueToPlatform(accountId, tenantKeyArn);
    let decrypts = 0;
    const flaky = kmsWith((next, context) => async (args) => {
      if (commandName(context) === "DecryptCommand" && ++decrypts === 3) {
        throw Object.assign(new Error("simulated raw SDK text"), { name: "TimeoutError" });
      }
      return next(args);
    });

    const interrupted = runRewrapJob(rewrapDeps(flaky), queued.id, { batchSize: 2 });

    await expect(interrupted).rejects.toBeInstanceOf(DataKeyUnavailableError);
    await expect(interrupted).rejects.toMatchObject({ failure: { code: "KMS_TIMEOUT", keyRefused: false } });
    const stopped = await stack.prisma.rewrapJob.findUniqueOrThrow({ where: { id: queued.id } });
    expect(stopped).toMatchObject({ status: "RUNNING", total: 4, moved: 2, failed: 0, cursor: 2 });
    expect(stopped.lastError).toBe(`KMS_TIMEOUT: Decrypt with ${tenantKeyArn} failed for data key 3 (TimeoutError).`);
    const halfway = await dataKeysOf(accountId);
    expect(halfway.map((key) => key.source)).toEqual(["PLATFORM", "PLATFORM", "TENANT", "TENANT"]);

    const healthy = kmsWith();
    const calls = countKmsCalls(healthy);
    const resumed = await runRewrapJob(rewrapDeps(healthy), queued.id, { batchSize: 2 });

    expect(resumed).toMatchObject({ status: "COMPLETED", total: 4, moved: 4, failed: 0, cursor: 4 });
    expect(resumed.startedAt).toEqual(stopped.startedAt);
    expect(calls.get("DecryptCommand")).toBe(2);
    expect(calls.get("EncryptCommand")).toBe(2);
    const after = await dataKeysOf(accountId);
    expect(after.every((key) => key.kmsKeyArn === stack.platformKeyArn)).toBe(true);
    // Keys moved before the interruption were not moved a second time.
    expect(after.slice(0, 2).map((key) => key.rewrappedAt)).toEqual(halfway.slice(0, 2).map((key) => key.rewrappedAt));
    expect(after.slice(0, 2).map((key) => Buffer.from(key.wrappedKey))).toEqual(halfway.slice(0, 2).map((key) => Buffer.from(key.wrappedKey)));

    const recorded = await stack.prisma.kmsCall.findMany({ where: { accountId, cause: "REWRAP" } });
    expect(recorded.filter((call) => call.ok)).toHaveLength(4);
    expect(recorded.filter((call) => !call.ok).map((call) => call.errorCode)).toEqual(["TimeoutError"]);
    expect(await stack.prisma.auditEvent.count({ where: { accountId, action: "rewrap.started" } })).toBe(1);
    expect(await stack.prisma.auditEvent.count({ where: { accountId, action: "rewrap.completed" } })).toBe(1);
  });

  it("counts data keys the tenant key rejects", async () => {
    const { accountId, tenantKeyArn, factIds } = await tenantWithFourDataKeys();
    const queued = await queueToPlatform(accountId, tenantKeyArn);
    let decrypts = 0;
    // The tenant disables its key while the job runs, just before the third data key.
    const revoking = kmsWith((next, context) => async (args) => {
      if (commandName(context) === "DecryptCommand" && ++decrypts === 3) {
        await stack.tenantKms().send(new DisableKeyCommand({ KeyId: tenantKeyArn }));
      }
      return next(args);
    });

    const job = await runRewrapJob(rewrapDeps(revoking), queued.id);

    expect(job).toMatchObject({ status: "COMPLETED", total: 4, moved: 2, failed: 2, cursor: 4 });
    expect(job.lastError).toBe(`KEY_DISABLED: Decrypt with ${tenantKeyArn} failed for data key 4 (DisabledException).`);
    expect((await dataKeysOf(accountId)).map((key) => key.source)).toEqual(["PLATFORM", "PLATFORM", "TENANT", "TENANT"]);
    expect(await summarizeUnmoved(stack.prisma, accountId, tenantKeyArn)).toEqual({ dataKeys: 2, records: 2 });

    const calls = await stack.prisma.kmsCall.findMany({ where: { accountId, cause: "REWRAP" }, orderBy: { id: "asc" } });
    expect(calls.map((call) => [call.ok, call.errorCode])).toEqual([
      [true, null],
      [true, null],
      [false, "DisabledException"],
      [false, "DisabledException"],
    ]);
    const completed = await stack.prisma.auditEvent.findFirstOrThrow({ where: { accountId, action: "rewrap.completed" } });
    expect(completed.outcome).toBe("FAILURE");
    expect(completed.details).toMatchObject({ moved: 2, failed: 2 });

    // Records under the unmoved keys stay unreadable while the key is disabled.
    await expect(findFact(stack.tenantData().client, accountId, factIds[1]!)).rejects.toBeInstanceOf(DataKeyUnavailableError);
  });

  it("stops when the platform key rejects Encrypt", async () => {
    const { accountId, tenantKeyArn } = await tenantWithFourDataKeys();
    const queued = await queueToPlatform(accountId, tenantKeyArn);
    const refusing = kmsWith((next, context) => async (args) => {
      if (commandName(context) === "EncryptCommand") {
        throw Object.assign(new Error("simulated raw SDK text"), { name: "AccessDeniedException", $metadata: { requestId: "platform-denied" } });
      }
      return next(args);
    });
    const attempt = runRewrapJob(rewrapDeps(refusing), queued.id);
    await expect(attempt).rejects.toMatchObject({ failure: { code: "KEY_ACCESS_DENIED", operation: "Encrypt", keyRefused: true } });
    const job = await stack.prisma.rewrapJob.findUniqueOrThrow({ where: { id: queued.id } });
    // Only the platform can fix its own key, so the job waits for a later run instead of failing.
    expect(job).toMatchObject({ status: "RUNNING", moved: 0, failed: 0, cursor: 0 });
    expect(job.lastError).toBe(`KEY_ACCESS_DENIED: Encrypt with ${stack.platformKeyArn} failed for data key 1 (AccessDeniedException).`);
    expect((await dataKeysOf(accountId)).every((key) => key.kmsKeyArn === tenantKeyArn)).toBe(true);
    // Encrypt with the platform key is not a call with the tenant's key, so only the Decrypt is logged.
    const calls = await stack.prisma.kmsCall.findMany({ where: { accountId, cause: "REWRAP" } });
    expect(calls.map((call) => [call.operation, call.keyArn, call.ok])).toEqual([["Decrypt", tenantKeyArn, true]]);
  });

  it("counts each data key once when two runs overlap", async () => {
    const { accountId, tenantKeyArn } = await tenantWithFourDataKeys();
    const queued = await queueToPlatform(accountId, tenantKeyArn);

    const results = await Promise.allSettled([runRewrapJob(rewrapDeps(kmsWith()), queued.id), runRewrapJob(rewrapDeps(kmsWith()), queued.id)]);

    // The run that falls behind stops with RewrapConflictError, and the other one finishes.
    for (const result of results) {
      if (result.status === "rejected") expect(result.reason).toBeInstanceOf(RewrapConflictError);
    }
    expect(results.some((result) => result.status === "fulfilled")).toBe(true);
    const job = await stack.prisma.rewrapJob.findUniqueOrThrow({ where: { id: queued.id } });
    expect(job).toMatchObject({ status: "COMPLETED", total: 4, moved: 4, failed: 0, cursor: 4 });
    expect((await dataKeysOf(accountId)).every((key) => key.kmsKeyArn === stack.platformKeyArn)).toBe(true);
    expect(await stack.prisma.auditEvent.count({ where: { accountId, action: "rewrap.started" } })).toBe(1);
    expect(await stack.prisma.auditEvent.count({ where: { accountId, action: "rewrap.completed" } })).toBe(1);
  });

  it("stops when BYOK is turned on again", async () => {
    const { accountId, tenantKeyArn } = await tenantWithFourDataKeys();
    const queued = await queueToPlatform(accountId, tenantKeyArn);
    let decrypts = 0;
    // The tenant saves its key again while the job runs, just before the second data key moves.
    const reenabling = kmsWith((next, context) => async (args) => {
      if (commandName(context) === "DecryptCommand" && ++decrypts === 2) {
        await stack.prisma.encryptionConfig.update({ where: { accountId }, data: { state: "ACTIVE", disabledAt: null } });
      }
      return next(args);
    });

    const job = await runRewrapJob(rewrapDeps(reenabling), queued.id);

    expect(job).toMatchObject({ status: "FAILED", moved: 1, lastError: "BYOK was turned on again while the job ran, so the job stopped." });
    expect((await dataKeysOf(accountId)).map((key) => key.source)).toEqual(["PLATFORM", "TENANT", "TENANT", "TENANT"]);
  });

  it("rejects a job id that does not exist", async () => {
    await expect(runRewrapJob(rewrapDeps(kmsWith()), "00000000-0000-4000-8000-000000000000")).rejects.toThrow("does not exist");
  });
});
