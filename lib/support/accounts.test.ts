import { randomUUID } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startTestStack, type TestStack } from "@/tests/support/stack";

import { ACCOUNTS_PAGE_SIZE, loadSupportAccount, searchAccounts } from "./accounts";
import { activateByok, createSupportActor } from "./test-helpers";
import type { SupportActor } from "./authorize";

let stack: TestStack;
let support: SupportActor;

beforeAll(async () => {
  stack = await startTestStack();
  support = await createSupportActor(stack.prisma);
});

afterAll(async () => {
  await stack.close();
});

/** Creates accounts named `<prefix> NN`, so each test searches only its own rows. */
async function createAccounts(prefix: string, count: number) {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const account = await stack.prisma.account.create({ data: { name: `${prefix} ${String(index).padStart(2, "0")}` } });
    ids.push(account.id);
  }
  return ids;
}

describe("searchAccounts", () => {
  it("matches names case-insensitively", async () => {
    const prefix = `Search ${randomUUID().slice(0, 8)}`;
    await createAccounts(prefix, 2);

    const result = await searchAccounts(stack.prisma, support, { query: prefix.toUpperCase() });

    expect(result.rows.map((row) => row.name)).toEqual([`${prefix} 00`, `${prefix} 01`]);
    expect(result.total).toBe(2);
  });

  it("matches an exact UUID", async () => {
    const [id] = await createAccounts(`Uuid ${randomUUID().slice(0, 8)}`, 1);

    const result = await searchAccounts(stack.prisma, support, { query: ` ${id!.toUpperCase()} ` });

    expect(result.rows.map((row) => row.id)).toEqual([id]);
  });

  it("matches a key ARN exactly or in part", async () => {
    const [id] = await createAccounts(`Arn ${randomUUID().slice(0, 8)}`, 1);
    const keyArn = await activateByok(stack.prisma, id!);
    const keyId = keyArn.split("key/")[1]!;

    const exact = await searchAccounts(stack.prisma, support, { query: keyArn });
    const partial = await searchAccounts(stack.prisma, support, { query: keyId.slice(0, 13) });

    expect(exact.rows.map((row) => row.id)).toEqual([id]);
    expect(exact.rows[0]?.state).toBe("ACTIVE");
    expect(exact.rows[0]?.keyArn).toBe(keyArn);
    expect(partial.rows.map((row) => row.id)).toEqual([id]);
  });

  it("pages 25 rows at a time", async () => {
    const prefix = `Paged ${randomUUID().slice(0, 8)}`;
    const ids = await createAccounts(prefix, ACCOUNTS_PAGE_SIZE + 3);

    const first = await searchAccounts(stack.prisma, support, { query: prefix, page: 1 });
    const second = await searchAccounts(stack.prisma, support, { query: prefix, page: 2 });
    const beyond = await searchAccounts(stack.prisma, support, { query: prefix, page: 9 });

    expect(first.rows).toHaveLength(ACCOUNTS_PAGE_SIZE);
    expect(first.pageCount).toBe(2);
    expect(first.total).toBe(ACCOUNTS_PAGE_SIZE + 3);
    expect(second.rows.map((row) => row.id)).toEqual(ids.slice(ACCOUNTS_PAGE_SIZE));
    expect(beyond.rows).toEqual([]);
  });

  it("treats a page below 1 as page 1", async () => {
    const prefix = `Clamp ${randomUUID().slice(0, 8)}`;
    await createAccounts(prefix, 1);

    const result = await searchAccounts(stack.prisma, support, { query: prefix, page: -4 });

    expect(result.page).toBe(1);
    expect(result.rows).toHaveLength(1);
  });
});

describe("loadSupportAccount", () => {
  it("returns null for an unknown or malformed id", async () => {
    expect(await loadSupportAccount(stack.prisma, support, randomUUID(), 60_000)).toBeNull();
    expect(await loadSupportAccount(stack.prisma, support, "not-a-uuid", 60_000)).toBeNull();
  });

  it("loads the configuration and audit events", async () => {
    const [id] = await createAccounts(`Detail ${randomUUID().slice(0, 8)}`, 1);
    const keyArn = await activateByok(stack.prisma, id!);
    await stack.prisma.auditEvent.create({ data: { accountId: id!, actorType: "USER", action: "byok.key.save", outcome: "SUCCESS" } });

    const detail = await loadSupportAccount(stack.prisma, support, id!, 60_000);

    expect(detail?.status?.keyArn).toBe(keyArn);
    expect(detail?.auditEvents.map((event) => event.action)).toEqual(["byok.key.save"]);
  });
});
