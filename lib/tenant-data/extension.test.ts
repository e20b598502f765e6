import { randomUUID } from "node:crypto";

import { DisableKeyCommand, type KMSClient } from "@aws-sdk/client-kms";
import type { InitializeMiddleware } from "@smithy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseKeyArn } from "@/lib/arn";
import { saveKeyConfiguration } from "@/lib/byok/configure";
import { loadUsageByKey } from "@/lib/rewrap/summary";
import { CiphertextIntegrityError, readSealedHeader } from "@/lib/crypto";
import { DataKeyUnavailableError } from "@/lib/data-keys/errors";
import { EncryptedWriteError } from "@/lib/tenant-data/extension";
import { createFact, createMessage, createSession, findFact, listMessages } from "@/lib/tenant-data/repository";
import { createKey, createTenant, keyPolicy, REGION, startTestStack, type TestStack } from "@/tests/support/stack";

/**
 * Tenant records through the encrypting Prisma extension, against real PostgreSQL and the
 * local KMS: what is stored, what is read back, and every way a ciphertext can be moved or
 * damaged.
 */

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.close();
});

/** Counts KMS calls made through `kms` by operation name. */
function countKmsCalls(kms: KMSClient): Map<string, number> {
  const counts = new Map<string, number>();
  const middleware: InitializeMiddleware<object, object> = (next, context) => async (args) => {
    const name = (context as { commandName?: string }).commandName ?? "";
    counts.set(name, (counts.get(name) ?? 0) + 1);
    return next(args);
  };
  kms.middlewareStack.add(middleware as never, { step: "initialize" });
  return counts;
}

async function activateByok(accountId: string, access: Awaited<ReturnType<Awaited<ReturnType<typeof createTenant>>["access"]>>) {
  const arn = await createKey(stack.tenantKms());
  const parsed = parseKeyArn(arn, { serviceRegion: REGION });
  if (!parsed.ok) throw new Error(parsed.problem.message);
  const result = await saveKeyConfiguration(stack.deps(), access, parsed.key);
  expect(result.status, `activation of ${accountId}`).toBe("success");
  return arn;
}

describe("encrypted tenant records", () => {
  it("round-trips every encrypted field type", async () => {
    const tenant = await createTenant(stack.prisma);
    const { client } = stack.tenantData();
    const metadata = { channel: "web", tags: ["a", "ü", "😀"], nested: { depth: 2, ok: true, none: null }, score: 0.5 };

    const session = await createSession(client, tenant.accountId, { externalId: "ext-1", metadata });
    const message = await createMessage(client, tenant.accountId, session.id, { role: "USER", content: "Hello, wörld 👋", metadata: { tokens: 3 } });
    const bare = await createMessage(client, tenant.accountId, session.id, { role: "ASSISTANT", content: "" });
    const fact = await createFact(client, tenant.accountId, { content: "Prefers tea", sessionId: session.id });

    expect(session.metadata).toEqual(metadata);
    expect(message).toMatchObject({ content: "Hello, wörld 👋", metadata: { tokens: 3 }, role: "USER" });
    expect(bare).toMatchObject({ content: "", metadata: null });
    expect(fact).toMatchObject({ content: "Prefers tea", metadata: null, sessionId: session.id });

    const page = await listMessages(client, tenant.accountId, session.id, { limit: 10 });
    expect(page?.items.map((item) => item.content)).toEqual(["Hello, wörld 👋", ""]);
  });

  it("stores ciphertext only, in the documented format", async () => {
    const tenant = await createTenant(stack.prisma);
    const { client } = stack.tenantData();
    const session = await createSession(client, tenant.accountId, {});
    const created = await createMessage(client, tenant.accountId, session.id, { role: "USER", content: "secret launch codes" });

    const raw = await stack.prisma.message.findUniqueOrThrow({ where: { id: created!.id } });
    expect(raw.content[0]).toBe(0x01);
    expect(raw.content.length).toBe(Buffer.byteLength("secret launch codes") + 33);
    expect(Buffer.from(raw.content).toString("latin1")).not.toContain("secret");
    expect(raw.dataKeyId).not.toBeNull();
    const dataKey = await stack.prisma.dataKey.findUniqueOrThrow({ where: { id: raw.dataKeyId } });
    expect(dataKey.source).toBe("PLATFORM");
    expect(dataKey.kmsKeyArn).toBe(stack.platformKeyArn);
    expect(dataKey.encryptionContext).toEqual({ service: "zep", account_uuid: tenant.accountId });
  });

  it("reads records back after the cache is emptied, through the stored wrapped key", async () => {
    const tenant = await createTenant(stack.prisma);
    const first = stack.tenantData();
    const session = await createSession(first.client, tenant.accountId, {});
    const created = await createMessage(first.client, tenant.accountId, session.id, { role: "USER", content: "survives restarts" });
    first.cache.clear();

    const second = stack.tenantData();
    const calls = countKmsCalls(second.kms);
    const page = await listMessages(second.client, tenant.accountId, session.id, { limit: 5 });

    expect(page?.items[0]?.id).toBe(created?.id);
    expect(page?.items[0]?.content).toBe("survives restarts");
    expect(calls.get("DecryptCommand")).toBe(1);
  });

  it("activation moves new records to the tenant key", async () => {
    const tenant = await createTenant(stack.prisma);
    const { client } = stack.tenantData({ writeLeaseMs: 0 });
    const session = await createSession(client, tenant.accountId, {});
    const before = await createMessage(client, tenant.accountId, session.id, { role: "USER", content: "before BYOK" });

    const tenantKeyArn = await activateByok(tenant.accountId, await tenant.access("OWNER"));
    const after = await createMessage(client, tenant.accountId, session.id, { role: "USER", content: "after BYOK" });

    const rows = await stack.prisma.message.findMany({ where: { sessionId: session.id }, include: { dataKey: true }, orderBy: { createdAt: "asc" } });
    expect(rows.map((row) => [row.id, row.dataKey.source])).toEqual([
      [before!.id, "PLATFORM"],
      [after!.id, "TENANT"],
    ]);
    expect(rows[1]!.dataKey.kmsKeyArn).toBe(tenantKeyArn);
    const page = await listMessages(stack.tenantData().client, tenant.accountId, session.id, { limit: 5 });
    expect(page?.items.map((item) => item.content)).toEqual(["before BYOK", "after BYOK"]);
    expect(await loadUsageByKey(stack.prisma, tenant.accountId)).toEqual([
      { kmsKeyArn: stack.platformKeyArn, source: "PLATFORM", dataKeys: 1, records: 1 },
      { kmsKeyArn: tenantKeyArn, source: "TENANT", dataKeys: 1, records: 1 },
    ].sort((left, right) => left.kmsKeyArn.localeCompare(right.kmsKeyArn)));
  });

  it("stores nothing when KMS refuses the new data key", async () => {
    const tenant = await createTenant(stack.prisma);
    const { client } = stack.tenantData({ writeLeaseMs: 0 });
    const session = await createSession(client, tenant.accountId, {});
    const keyArn = await activateByok(tenant.accountId, await tenant.access("OWNER"));
    await stack.tenantKms().send(new DisableKeyCommand({ KeyId: keyArn }));

    const attempt = createMessage(client, tenant.accountId, session.id, { role: "USER", content: "must not be stored" });

    await expect(attempt).rejects.toBeInstanceOf(DataKeyUnavailableError);
    await expect(attempt).rejects.toMatchObject({ code: "KEY_UNAVAILABLE", kmsKeyArn: keyArn, accountId: tenant.accountId });
    expect(await stack.prisma.message.count({ where: { accountId: tenant.accountId } })).toBe(0);
    expect(await stack.prisma.dataKey.count({ where: { accountId: tenant.accountId, kmsKeyArn: keyArn } })).toBe(0);
    const call = await stack.prisma.kmsCall.findFirstOrThrow({ where: { accountId: tenant.accountId, cause: "DATA_KEY_CREATE" } });
    expect(call.ok).toBe(false);
    expect(call.errorCode).toBe("DisabledException");
  });

  it("gives two accounts on one key separate data keys", async () => {
    const first = await createTenant(stack.prisma);
    const second = await createTenant(stack.prisma);
    const shared = await createKey(stack.tenantKms(), { policy: keyPolicy() });
    for (const tenant of [first, second]) {
      const parsed = parseKeyArn(shared, { serviceRegion: REGION });
      if (!parsed.ok) throw new Error(parsed.problem.message);
      expect((await saveKeyConfiguration(stack.deps(), await tenant.access("OWNER"), parsed.key)).status).toBe("success");
    }
    const { client, cache } = stack.tenantData();

    const firstFact = await createFact(client, first.accountId, { content: "first" });
    const secondFact = await createFact(client, second.accountId, { content: "second" });

    const keys = await stack.prisma.dataKey.findMany({ where: { accountId: { in: [first.accountId, second.accountId] } } });
    expect(keys).toHaveLength(2);
    expect(keys.every((key) => key.kmsKeyArn === shared)).toBe(true);
    expect(Buffer.compare(Buffer.from(keys[0]!.wrappedKey), Buffer.from(keys[1]!.wrappedKey))).not.toBe(0);
    expect(cache.has(first.accountId, 1)).toBe(true);
    expect(cache.has(second.accountId, 1)).toBe(true);
    expect((await findFact(client, first.accountId, firstFact!.id))?.content).toBe("first");
    expect(await findFact(client, first.accountId, secondFact!.id)).toBeNull();
  });

  it("makes no KMS call in steady state", async () => {
    const tenant = await createTenant(stack.prisma);
    const runtime = stack.tenantData({ writeLeaseMs: 60_000, reserveBatch: 1_000 });
    const calls = countKmsCalls(runtime.kms);
    const session = await createSession(runtime.client, tenant.accountId, {});
    await createMessage(runtime.client, tenant.accountId, session.id, { role: "USER", content: "warm-up" });
    const afterWarmUp = [...calls.values()].reduce((sum, count) => sum + count, 0);

    for (let index = 0; index < 200; index++) {
      await createMessage(runtime.client, tenant.accountId, session.id, { role: "USER", content: `message ${index}` });
    }
    const page = await listMessages(runtime.client, tenant.accountId, session.id, { limit: 500 });

    expect(page?.items).toHaveLength(201);
    expect([...calls.values()].reduce((sum, count) => sum + count, 0)).toBe(afterWarmUp);
  });

  it("unwraps a data key once for concurrent readers", async () => {
    const tenant = await createTenant(stack.prisma);
    const writer = stack.tenantData();
    const session = await createSession(writer.client, tenant.accountId, {});
    const created = await createFact(writer.client, tenant.accountId, { content: "shared" });

    const reader = stack.tenantData();
    const calls = countKmsCalls(reader.kms);
    const results = await Promise.all(Array.from({ length: 20 }, () => findFact(reader.client, tenant.accountId, created!.id)));

    expect(results.every((fact) => fact?.content === "shared")).toBe(true);
    expect(calls.get("DecryptCommand")).toBe(1);
    expect(session.id).toBeTruthy();
  });

  it("makes a new data key when the encryption limit is reached", async () => {
    const tenant = await createTenant(stack.prisma);
    const { client } = stack.tenantData({ maxEncryptionsPerKey: 1_000, reserveBatch: 400, writeLeaseMs: 0 });
    const session = await createSession(client, tenant.accountId, {});

    for (let index = 0; index < 4; index++) {
      await createMessage(client, tenant.accountId, session.id, { role: "USER", content: `m${index}` });
    }

    const keys = await stack.prisma.dataKey.findMany({ where: { accountId: tenant.accountId }, orderBy: { serial: "asc" } });
    expect(keys.map((key) => key.serial)).toEqual([1, 2]);
    expect(keys.map((key) => key.state)).toEqual(["RETIRED", "ACTIVE"]);
    expect(keys.every((key) => key.reservedUses <= 1_000)).toBe(true);
    const page = await listMessages(stack.tenantData().client, tenant.accountId, session.id, { limit: 10 });
    expect(page?.items.map((item) => item.content)).toEqual(["m0", "m1", "m2", "m3"]);
  });

  it("makes a new data key when the key is too old", async () => {
    const tenant = await createTenant(stack.prisma);
    const { client } = stack.tenantData({ maxKeyAgeMs: -1, writeLeaseMs: 0 });

    await createFact(client, tenant.accountId, { content: "one" });
    await createFact(client, tenant.accountId, { content: "two" });

    expect(await stack.prisma.dataKey.count({ where: { accountId: tenant.accountId } })).toBe(2);
  });

  it("re-encrypts untouched fields with the new key on update", async () => {
    const tenant = await createTenant(stack.prisma);
    const { client } = stack.tenantData({ maxKeyAgeMs: -1, writeLeaseMs: 0 });
    const created = await createFact(client, tenant.accountId, { content: "old", metadata: { source: "chat" } });

    const updated = await client.fact.update({ where: { id: created!.id }, data: { content: "new" as never } });

    const raw = await stack.prisma.fact.findUniqueOrThrow({ where: { id: created!.id }, include: { dataKey: true } });
    expect(raw.dataKey.serial).toBe(2);
    expect(readSealedHeader(raw.metadata!).serial).toBe(2);
    expect(readSealedHeader(raw.content).serial).toBe(2);
    expect(updated).toMatchObject({ content: "new", metadata: { source: "chat" } });
  });

  it("decrypts nested results and hides added columns", async () => {
    const tenant = await createTenant(stack.prisma);
    const { client } = stack.tenantData();
    const session = await createSession(client, tenant.accountId, { metadata: { topic: "tea" } });
    await createMessage(client, tenant.accountId, session.id, { role: "USER", content: "nested" });

    const found = await client.memorySession.findUniqueOrThrow({
      where: { id: session.id },
      select: { metadata: true, messages: { select: { content: true } } },
    });

    expect(found).toEqual({ metadata: { topic: "tea" }, messages: [{ content: "nested" }] });
  });
});

describe("moved or damaged ciphertext", () => {
  async function twoMessages() {
    const tenant = await createTenant(stack.prisma);
    const { client } = stack.tenantData();
    const session = await createSession(client, tenant.accountId, {});
    const first = await createMessage(client, tenant.accountId, session.id, { role: "USER", content: "first", metadata: { n: 1 } });
    const second = await createMessage(client, tenant.accountId, session.id, { role: "USER", content: "second" });
    return { tenant, session, first: first!, second: second! };
  }

  async function readMessages(accountId: string, sessionId: string) {
    return listMessages(stack.tenantData().client, accountId, sessionId, { limit: 10 });
  }

  it("rejects a ciphertext moved to another record", async () => {
    const { tenant, session, first, second } = await twoMessages();
    await stack.prisma.$executeRaw`UPDATE messages SET content = (SELECT content FROM messages WHERE id = ${first.id}::uuid) WHERE id = ${second.id}::uuid`;

    await expect(readMessages(tenant.accountId, session.id)).rejects.toBeInstanceOf(CiphertextIntegrityError);
  });

  it("rejects a ciphertext moved to another field", async () => {
    const { tenant, session, first } = await twoMessages();
    await stack.prisma.$executeRaw`UPDATE messages SET content = metadata WHERE id = ${first.id}::uuid`;

    await expect(readMessages(tenant.accountId, session.id)).rejects.toBeInstanceOf(CiphertextIntegrityError);
  });

  it("rejects a ciphertext moved to another account", async () => {
    const source = await twoMessages();
    const target = await twoMessages();
    // The target account gets the source's data key row too, so only the AAD can catch the move.
    await stack.prisma.$executeRaw`UPDATE messages SET content = (SELECT content FROM messages WHERE id = ${source.first.id}::uuid) WHERE id = ${target.first.id}::uuid`;

    await expect(readMessages(target.tenant.accountId, target.session.id)).rejects.toBeInstanceOf(CiphertextIntegrityError);
  });

  it.each([
    ["a flipped ciphertext bit", "set_byte(content, 20, get_byte(content, 20) # 1)"],
    ["a tag cut to 4 bytes", "substring(content from 1 for length(content) - 12)"],
    ["a removed tag", "substring(content from 1 for length(content) - 16)"],
  ])("rejects %s", async (_name, expression) => {
    const { tenant, session, first } = await twoMessages();
    await stack.prisma.$executeRawUnsafe(`UPDATE messages SET content = ${expression} WHERE id = $1::uuid`, first.id);

    await expect(readMessages(tenant.accountId, session.id)).rejects.toHaveProperty("code", expect.stringMatching(/^CIPHERTEXT_(INTEGRITY|FORMAT)$/));
  });

  it("treats a data key stored under another KMS key as a hard error", async () => {
    const { tenant, session, first } = await twoMessages();
    const otherKey = await createKey(stack.tenantKms());
    const message = await stack.prisma.message.findUniqueOrThrow({ where: { id: first.id } });
    await stack.prisma.dataKey.update({ where: { id: message.dataKeyId }, data: { kmsKeyArn: otherKey } });

    const attempt = readMessages(tenant.accountId, session.id);

    await expect(attempt).rejects.toBeInstanceOf(DataKeyUnavailableError);
    await expect(attempt).rejects.toMatchObject({ failure: { code: "KEY_MISMATCH" } });
  });
});

describe("writes the extension rejects", () => {
  it("rejects bytes in an encrypted field", async () => {
    const tenant = await createTenant(stack.prisma);
    const { client } = stack.tenantData();

    const attempt = client.fact.create({ data: { id: randomUUID(), accountId: tenant.accountId, dataKeyId: undefined as never, content: Buffer.from("plaintext") } });

    await expect(attempt).rejects.toBeInstanceOf(EncryptedWriteError);
    expect(await stack.prisma.fact.count({ where: { accountId: tenant.accountId } })).toBe(0);
  });

  it("rejects bulk writes of encrypted fields", async () => {
    const tenant = await createTenant(stack.prisma);
    const { client } = stack.tenantData();

    const attempt = client.fact.createMany({ data: [{ id: randomUUID(), accountId: tenant.accountId, dataKeyId: randomUUID(), content: "x" as never }] });

    await expect(attempt).rejects.toBeInstanceOf(EncryptedWriteError);
  });

  it("rejects nested writes of encrypted records", async () => {
    const tenant = await createTenant(stack.prisma);
    const { client } = stack.tenantData();

    const attempt = client.memorySession.create({
      data: {
        id: randomUUID(),
        accountId: tenant.accountId,
        messages: { create: [{ id: randomUUID(), accountId: tenant.accountId, role: "USER", content: "x" as never, dataKeyId: randomUUID() }] },
      } as never,
    });

    await expect(attempt).rejects.toBeInstanceOf(EncryptedWriteError);
  });
});
