import { DisableKeyCommand, RotateKeyOnDemandCommand, type KMSClient } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseKeyArn } from "@/lib/arn";
import { saveKeyConfiguration } from "@/lib/byok/configure";
import type { RewrapJobKind } from "@/lib/db/generated/client";
import { parseBlob } from "@/lib/local-kms/blob";
import { runRewrapJob } from "@/lib/rewrap/run";
import { queueRewrapJob } from "@/lib/rewrap/start";
import { createFact, findFact } from "@/lib/tenant-data/repository";
import { commandName, withMiddleware, type KmsMiddleware } from "@/tests/support/kms-middleware";
import { createKey, createTenant, keyPolicy, REGION, startTestStack, type TestStack } from "@/tests/support/stack";

/**
 * Re-wrap jobs whose target is the tenant's own key, against real PostgreSQL and the local
 * KMS: onto the newest key material after a rotation, from an old tenant key to a new one
 * (ending with the account's switch), and from the platform key to the tenant key.
 */

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.close();
});

const WITH_REENCRYPT = keyPolicy({ actions: ["kms:GenerateDataKey", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo"] });
const WITHOUT_REENCRYPT = keyPolicy();

function kmsWith(middleware?: KmsMiddleware): KMSClient {
  return withMiddleware(stack.deps().kms, middleware);
}

function rewrapDeps(kms: KMSClient = kmsWith()) {
  return { prisma: stack.prisma, kms, instance: "tenant-rewrap-test" };
}

async function activate(access: Parameters<typeof saveKeyConfiguration>[1], keyArn: string) {
  const parsed = parseKeyArn(keyArn, { serviceRegion: REGION });
  if (!parsed.ok) throw new Error(parsed.problem.message);
  expect((await saveKeyConfiguration(stack.deps(), access, parsed.key)).status).toBe("success");
}

/** Creates a BYOK tenant with `facts` facts, each under its own data key wrapped by the tenant key. */
async function tenantWithFacts(facts: number, policy = WITH_REENCRYPT) {
  const tenant = await createTenant(stack.prisma);
  const keyArn = await createKey(stack.tenantKms(), { policy });
  await activate(await tenant.access("OWNER"), keyArn);
  // A key age limit below zero makes every write create a new data key.
  const { client } = stack.tenantData({ maxKeyAgeMs: -1, writeLeaseMs: 0 });
  const factIds: string[] = [];
  for (let index = 1; index <= facts; index++) {
    const fact = await createFact(client, tenant.accountId, { content: `fact ${index}` });
    factIds.push(fact!.id);
  }
  return { tenant, accountId: tenant.accountId, keyArn, factIds };
}

function dataKeysOf(accountId: string) {
  return stack.prisma.dataKey.findMany({ where: { accountId }, orderBy: { serial: "asc" } });
}

function queue(accountId: string, kind: RewrapJobKind, sourceKeyArn: string, targetKeyArn: string) {
  return queueRewrapJob(stack.prisma, { accountId, kind, sourceKeyArn, targetKeyArn, requestedBy: "owner@tenant.example" });
}

async function expectFactsReadable(accountId: string, factIds: string[]) {
  // A fresh cache makes every read unwrap its data key with KMS again.
  const reader = stack.tenantData().client;
  for (const [index, id] of factIds.entries()) {
    expect((await findFact(reader, accountId, id))?.content, `fact ${index + 1}`).toBe(`fact ${index + 1}`);
  }
}

function materialVersionOf(blob: Uint8Array): number | undefined {
  return parseBlob(Buffer.from(blob))?.materialVersion;
}

describe("ROTATION", () => {
  it("moves data keys onto the newest material", async () => {
    const { accountId, keyArn, factIds } = await tenantWithFacts(3);
    await stack.tenantKms().send(new RotateKeyOnDemandCommand({ KeyId: keyArn }));
    const before = await dataKeysOf(accountId);
    expect(before.map((key) => materialVersionOf(key.wrappedKey))).toEqual([0, 0, 0]);

    const job = await runRewrapJob(rewrapDeps(), (await queue(accountId, "ROTATION", keyArn, keyArn)).id);

    expect(job).toMatchObject({ kind: "ROTATION", status: "COMPLETED", total: 3, moved: 3, failed: 0, lastError: null });
    const after = await dataKeysOf(accountId);
    expect(after.map((key) => materialVersionOf(key.wrappedKey))).toEqual([1, 1, 1]);
    expect(after.every((key) => key.kmsKeyArn === keyArn && key.source === "TENANT" && key.rewrappedAt !== null)).toBe(true);
    expect(after.map((key) => key.encryptionContext)).toEqual(before.map((key) => key.encryptionContext));
    await expectFactsReadable(accountId, factIds);

    // One ReEncrypt per data key, logged once because source and target are the same key.
    const calls = await stack.prisma.kmsCall.findMany({ where: { accountId, cause: "REWRAP" } });
    expect(calls.map((call) => [call.operation, call.keyArn, call.ok])).toEqual(Array.from({ length: 3 }, () => ["ReEncrypt", keyArn, true]));
    expect(new Set(calls.map((call) => call.requestId)).size).toBe(3);
  });

  it("resumes after a crash halfway", async () => {
    const { accountId, keyArn, factIds } = await tenantWithFacts(4);
    await stack.tenantKms().send(new RotateKeyOnDemandCommand({ KeyId: keyArn }));
    const queued = await queue(accountId, "ROTATION", keyArn, keyArn);
    let reEncrypts = 0;
    const crashing = kmsWith((next, context) => async (args) => {
      if (commandName(context) === "ReEncryptCommand" && ++reEncrypts === 3) throw Object.assign(new Error("socket hang up"), { name: "TimeoutError" });
      return next(args);
    });

    await expect(runRewrapJob(rewrapDeps(crashing), queued.id, { batchSize: 3 })).rejects.toMatchObject({ failure: { code: "KMS_UNREACHABLE" } });
    const halfway = await stack.prisma.rewrapJob.findUniqueOrThrow({ where: { id: queued.id } });
    expect(halfway).toMatchObject({ status: "RUNNING", moved: 2, cursor: 2 });
    const halfwayKeys = await dataKeysOf(accountId);

    const resumed = await runRewrapJob(rewrapDeps(), queued.id, { batchSize: 3 });
    expect(resumed).toMatchObject({ status: "COMPLETED", total: 4, moved: 4, failed: 0, cursor: 4 });
    const after = await dataKeysOf(accountId);
    expect(after.map((key) => materialVersionOf(key.wrappedKey))).toEqual([1, 1, 1, 1]);
    expect(after.slice(0, 2).map((key) => Buffer.from(key.wrappedKey))).toEqual(halfwayKeys.slice(0, 2).map((key) => Buffer.from(key.wrappedKey)));
    const calls = await stack.prisma.kmsCall.findMany({ where: { accountId, cause: "REWRAP" } });
    expect(calls.filter((call) => call.ok)).toHaveLength(4);
    expect(calls.filter((call) => !call.ok).map((call) => call.errorCode)).toEqual(["TimeoutError"]);
    await expectFactsReadable(accountId, factIds);
  });

  it("fails without ReEncrypt permission", async () => {
    const { accountId, keyArn, factIds } = await tenantWithFacts(2, WITHOUT_REENCRYPT);
    const before = await dataKeysOf(accountId);

    const job = await runRewrapJob(rewrapDeps(), (await queue(accountId, "ROTATION", keyArn, keyArn)).id);

    expect(job).toMatchObject({ status: "FAILED", moved: 0, failed: 0, cursor: 0 });
    expect(job.lastError).toBe(
      `KEY_ACCESS_DENIED: ReEncrypt with ${keyArn} failed for data key 1 (AccessDeniedException). ` +
        "The key policy must allow the platform role kms:ReEncryptFrom on the key the data keys leave and kms:ReEncryptTo on the key they move to.",
    );
    expect(await dataKeysOf(accountId)).toEqual(before);
    // The job stopped at the first refusal instead of asking KMS once per data key.
    const calls = await stack.prisma.kmsCall.findMany({ where: { accountId, cause: "REWRAP" } });
    expect(calls.map((call) => [call.operation, call.ok, call.errorCode])).toEqual([["ReEncrypt", false, "AccessDeniedException"]]);
    const failed = await stack.prisma.auditEvent.findFirstOrThrow({ where: { accountId, action: "rewrap.failed" } });
    expect(failed.outcome).toBe("FAILURE");
    expect(failed.details).toMatchObject({ kind: "ROTATION", moved: 0 });
    await expectFactsReadable(accountId, factIds);
  });
});

describe("KEY_CHANGE", () => {
  it("moves data keys, then switches", async () => {
    const { accountId, keyArn: oldKeyArn, factIds } = await tenantWithFacts(3);
    const newKeyArn = await createKey(stack.tenantKms(), { policy: WITH_REENCRYPT });
    const configBefore = await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId } });

    const job = await runRewrapJob(rewrapDeps(), (await queue(accountId, "KEY_CHANGE", oldKeyArn, newKeyArn)).id);

    expect(job).toMatchObject({ status: "COMPLETED", total: 3, moved: 3, failed: 0 });
    const config = await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId } });
    expect(config).toMatchObject({ keyArn: newKeyArn, keyId: newKeyArn.split("/")[1], state: "ACTIVE", version: configBefore.version + 1 });
    expect((await dataKeysOf(accountId)).every((key) => key.kmsKeyArn === newKeyArn && key.source === "TENANT")).toBe(true);

    // Each ReEncrypt is logged under both keys with one request id, so either key's CloudTrail can be matched.
    const calls = await stack.prisma.kmsCall.findMany({ where: { accountId, cause: "REWRAP" }, orderBy: { id: "asc" } });
    expect(calls).toHaveLength(6);
    for (let index = 0; index < 6; index += 2) {
      expect([calls[index]!.keyArn, calls[index + 1]!.keyArn]).toEqual([oldKeyArn, newKeyArn]);
      expect(calls[index]!.requestId).toBe(calls[index + 1]!.requestId);
    }
    const changed = await stack.prisma.auditEvent.findFirstOrThrow({ where: { accountId, action: "byok.key.changed" } });
    expect(changed).toMatchObject({ actorType: "SYSTEM", outcome: "SUCCESS", keyArn: newKeyArn });
    expect(changed.before).toMatchObject({ keyArn: oldKeyArn });
    expect(changed.after).toMatchObject({ keyArn: newKeyArn });

    // The old key can go away now: every record reads through the new key, and new
    // records are written under it.
    await stack.tenantKms().send(new DisableKeyCommand({ KeyId: oldKeyArn }));
    await expectFactsReadable(accountId, factIds);
    const writer = stack.tenantData({ maxKeyAgeMs: -1, writeLeaseMs: 0 }).client;
    await createFact(writer, accountId, { content: "after the change" });
    const newest = await stack.prisma.dataKey.findFirstOrThrow({ where: { accountId }, orderBy: { serial: "desc" } });
    expect(newest.kmsKeyArn).toBe(newKeyArn);
  });

  it("also moves data keys created while the job runs", async () => {
    const { accountId, keyArn: oldKeyArn } = await tenantWithFacts(2);
    const newKeyArn = await createKey(stack.tenantKms(), { policy: WITH_REENCRYPT });
    const writer = stack.tenantData({ maxKeyAgeMs: -1, writeLeaseMs: 0 }).client;
    let reEncrypts = 0;
    // Live traffic writes a record, and with it a new data key under the old key, during the job.
    const busy = kmsWith((next, context) => async (args) => {
      if (commandName(context) === "ReEncryptCommand" && ++reEncrypts === 1) await createFact(writer, accountId, { content: "written during the job" });
      return next(args);
    });

    const job = await runRewrapJob(rewrapDeps(busy), (await queue(accountId, "KEY_CHANGE", oldKeyArn, newKeyArn)).id);

    expect(job).toMatchObject({ status: "COMPLETED", total: 3, moved: 3, failed: 0, cursor: 3 });
    expect((await dataKeysOf(accountId)).map((key) => key.kmsKeyArn)).toEqual([newKeyArn, newKeyArn, newKeyArn]);
    expect((await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId } })).keyArn).toBe(newKeyArn);
  });

  it("remakes a data key that raced the switch", async () => {
    const { accountId, keyArn: oldKeyArn } = await tenantWithFacts(1);
    const newKeyArn = await createKey(stack.tenantKms(), { policy: WITH_REENCRYPT });
    const queued = await queue(accountId, "KEY_CHANGE", oldKeyArn, newKeyArn);
    let switched = false;
    // The writer has chosen the old key and calls GenerateDataKey. The whole key change runs
    // and switches the account before that data key is stored.
    const writerKms = kmsWith((next, context) => async (args) => {
      if (commandName(context) === "GenerateDataKeyCommand" && !switched) {
        switched = true;
        expect((await runRewrapJob(rewrapDeps(), queued.id)).status).toBe("COMPLETED");
      }
      return next(args);
    });
    const writer = stack.tenantData({ maxKeyAgeMs: -1, writeLeaseMs: 0, kms: writerKms }).client;

    const fact = await createFact(writer, accountId, { content: "raced" });

    expect(switched).toBe(true);
    const keys = await dataKeysOf(accountId);
    expect(keys.every((key) => key.kmsKeyArn === newKeyArn)).toBe(true);
    await stack.tenantKms().send(new DisableKeyCommand({ KeyId: oldKeyArn }));
    expect((await findFact(stack.tenantData().client, accountId, fact!.id))?.content).toBe("raced");
  });

  it("keeps the old key when a data key cannot be moved", async () => {
    const { accountId, keyArn: oldKeyArn, factIds } = await tenantWithFacts(3);
    const newKeyArn = await createKey(stack.tenantKms(), { policy: WITH_REENCRYPT });
    const damaged = (await dataKeysOf(accountId))[1]!;
    // Flipping the stored wrapped key's last byte makes KMS reject it as a ciphertext.
    const blob = Buffer.from(damaged.wrappedKey);
    blob[blob.length - 1]! ^= 0xff;
    await stack.prisma.dataKey.update({ where: { id: damaged.id }, data: { wrappedKey: Uint8Array.from(blob) } });

    const job = await runRewrapJob(rewrapDeps(), (await queue(accountId, "KEY_CHANGE", oldKeyArn, newKeyArn)).id);

    expect(job).toMatchObject({ status: "FAILED", total: 3, moved: 2, failed: 1, cursor: 3 });
    expect(job.lastError).toBe(
      `1 data key could not be moved from ${oldKeyArn}, so the account still uses it. ` +
        "Keep that key enabled and its policy unchanged, fix the error shown, and start the key change again: keys already moved are skipped.",
    );
    expect((await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId } })).keyArn).toBe(oldKeyArn);
    expect((await dataKeysOf(accountId)).map((key) => key.kmsKeyArn)).toEqual([newKeyArn, oldKeyArn, newKeyArn]);
    const readable = [factIds[0]!, factIds[2]!];
    const reader = stack.tenantData().client;
    expect(await Promise.all(readable.map(async (id) => (await findFact(reader, accountId, id))?.content))).toEqual(["fact 1", "fact 3"]);
  });

  it("fails without ReEncryptFrom on the old key", async () => {
    const { accountId, keyArn: oldKeyArn } = await tenantWithFacts(2, WITHOUT_REENCRYPT);
    const newKeyArn = await createKey(stack.tenantKms(), { policy: WITH_REENCRYPT });

    const job = await runRewrapJob(rewrapDeps(), (await queue(accountId, "KEY_CHANGE", oldKeyArn, newKeyArn)).id);

    expect(job).toMatchObject({ status: "FAILED", moved: 0, failed: 0 });
    expect(job.lastError).toContain("KEY_ACCESS_DENIED: ReEncrypt");
    expect(job.lastError).toContain("kms:ReEncryptFrom");
    expect((await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId } })).keyArn).toBe(oldKeyArn);
    expect((await dataKeysOf(accountId)).every((key) => key.kmsKeyArn === oldKeyArn)).toBe(true);
  });

  it("stops when BYOK is turned off while it runs", async () => {
    const { accountId, keyArn: oldKeyArn } = await tenantWithFacts(3);
    const newKeyArn = await createKey(stack.tenantKms(), { policy: WITH_REENCRYPT });
    let reEncrypts = 0;
    const interrupted = kmsWith((next, context) => async (args) => {
      if (commandName(context) === "ReEncryptCommand" && ++reEncrypts === 1) {
        await stack.prisma.encryptionConfig.update({ where: { accountId }, data: { state: "DISABLED", disabledAt: new Date() } });
      }
      return next(args);
    });

    const job = await runRewrapJob(rewrapDeps(interrupted), (await queue(accountId, "KEY_CHANGE", oldKeyArn, newKeyArn)).id);

    // The data key whose ReEncrypt was in flight is not moved either, so nothing lands
    // under the new key after BYOK is off.
    expect(job).toMatchObject({ status: "FAILED", moved: 0 });
    expect(job.lastError).toBe("BYOK was turned off for the account while the job ran, so the job stopped.");
    expect((await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId } })).keyArn).toBe(oldKeyArn);
    expect((await dataKeysOf(accountId)).every((key) => key.kmsKeyArn === oldKeyArn)).toBe(true);
  });

  it("returns a cancelled job without moving more keys", async () => {
    const { accountId, keyArn: oldKeyArn } = await tenantWithFacts(3);
    const newKeyArn = await createKey(stack.tenantKms(), { policy: WITH_REENCRYPT });
    const queued = await queue(accountId, "KEY_CHANGE", oldKeyArn, newKeyArn);
    let reEncrypts = 0;
    const cancelling = kmsWith((next, context) => async (args) => {
      if (commandName(context) === "ReEncryptCommand" && ++reEncrypts === 2) {
        await stack.prisma.rewrapJob.update({ where: { id: queued.id }, data: { status: "CANCELLED", finishedAt: new Date() } });
      }
      return next(args);
    });

    const job = await runRewrapJob(rewrapDeps(cancelling), queued.id);

    expect(job).toMatchObject({ status: "CANCELLED", moved: 1, cursor: 1 });
    expect(reEncrypts).toBe(2);
    expect((await dataKeysOf(accountId)).map((key) => key.kmsKeyArn)).toEqual([newKeyArn, oldKeyArn, oldKeyArn]);
    expect((await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId } })).keyArn).toBe(oldKeyArn);
  });
});

describe("FROM_PLATFORM", () => {
  it("puts data written before activation under the tenant key", async () => {
    const tenant = await createTenant(stack.prisma);
    const writer = stack.tenantData({ maxKeyAgeMs: -1, writeLeaseMs: 0 }).client;
    const early = await createFact(writer, tenant.accountId, { content: "fact 1" });
    const keyArn = await createKey(stack.tenantKms(), { policy: WITH_REENCRYPT });
    await activate(await tenant.access("OWNER"), keyArn);
    expect((await dataKeysOf(tenant.accountId)).map((key) => key.source)).toEqual(["PLATFORM"]);

    const job = await runRewrapJob(rewrapDeps(), (await queue(tenant.accountId, "FROM_PLATFORM", stack.platformKeyArn, keyArn)).id);

    expect(job).toMatchObject({ status: "COMPLETED", total: 1, moved: 1, failed: 0 });
    expect((await dataKeysOf(tenant.accountId)).map((key) => [key.source, key.kmsKeyArn])).toEqual([["TENANT", keyArn]]);
    const calls = await stack.prisma.kmsCall.findMany({ where: { accountId: tenant.accountId, cause: "REWRAP" } });
    expect(calls.map((call) => [call.operation, call.keyArn, call.ok])).toEqual([["ReEncrypt", keyArn, true]]);
    await expectFactsReadable(tenant.accountId, [early!.id]);

    // The tenant's key now protects the early record: revoking the key locks it too.
    await stack.tenantKms().send(new DisableKeyCommand({ KeyId: keyArn }));
    await expect(findFact(stack.tenantData().client, tenant.accountId, early!.id)).rejects.toMatchObject({ failure: { code: "KEY_DISABLED" } });
  });

  it("fails without ReEncryptTo on the tenant key", async () => {
    const tenant = await createTenant(stack.prisma);
    const writer = stack.tenantData({ maxKeyAgeMs: -1, writeLeaseMs: 0 }).client;
    await createFact(writer, tenant.accountId, { content: "fact 1" });
    const keyArn = await createKey(stack.tenantKms(), { policy: WITHOUT_REENCRYPT });
    await activate(await tenant.access("OWNER"), keyArn);

    const job = await runRewrapJob(rewrapDeps(), (await queue(tenant.accountId, "FROM_PLATFORM", stack.platformKeyArn, keyArn)).id);

    expect(job.status).toBe("FAILED");
    expect(job.lastError).toContain(`KEY_ACCESS_DENIED: ReEncrypt with ${keyArn}`);
    expect((await dataKeysOf(tenant.accountId)).map((key) => key.source)).toEqual(["PLATFORM"]);
  });
});
