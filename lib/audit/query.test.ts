import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseKeyArn } from "@/lib/arn";
import { saveKeyConfiguration } from "@/lib/byok/configure";
import type { KmsCallCause } from "@/lib/db/generated/client";
import { createKey, createTenant, REGION, startTestStack, type TestStack } from "@/tests/support/stack";

import { listAuditEvents, listKmsCalls, parseAuditFilters, type AuditFilters } from "./query";

/** Audit log reads against real PostgreSQL: filters, newest-first cursor pages and account scoping. */

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.close();
});

function filtersOf(params: Record<string, string>): AuditFilters {
  const parsed = parseAuditFilters(params);
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  return parsed.filters;
}

async function insertKmsCall(accountId: string, values: { operation?: string; cause?: KmsCallCause; ok?: boolean; createdAt?: Date; requestId?: string } = {}) {
  return stack.prisma.kmsCall.create({
    data: {
      accountId,
      keyArn: `arn:aws:kms:${REGION}:111122223333:key/0b7c5a36-2f05-4d3c-9a57-8f6cdb3a1e11`,
      operation: values.operation ?? "Decrypt",
      encryptionContext: { service: "zep", account_uuid: accountId },
      requestId: values.requestId ?? crypto.randomUUID(),
      ok: values.ok ?? true,
      errorCode: values.ok === false ? "ACCESS_DENIED" : null,
      cause: values.cause ?? "DECRYPT_CACHE_MISS",
      latencyMs: 7,
      instance: "vitest",
      createdAt: values.createdAt,
    },
  });
}

describe("parseAuditFilters", () => {
  it("defaults to the KMS kind", () => {
    expect(filtersOf({})).toEqual({ kind: "kms" });
  });

  it("treats empty fields as absent", () => {
    expect(filtersOf({ kind: "audit", from: "", outcome: "", action: "" })).toEqual({ kind: "audit" });
  });

  it.each([
    [{ kind: "files" }, "kind"],
    [{ from: "2026-13-45" }, "from"],
    [{ from: "yesterday" }, "from"],
    [{ cause: "LUNCH" }, "cause"],
    [{ cursor: "-1" }, "cursor"],
    [{ action: "byok key" }, "action"],
    [{ from: "2026-02-01", to: "2026-01-01" }, "from"],
  ])("rejects %j", (params, field) => {
    const parsed = parseAuditFilters(params);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems[0]).toMatch(new RegExp(`^${field}:`));
  });

  it("reads the first of repeated parameters", () => {
    const fromUrl = parseAuditFilters(new URLSearchParams("cause=REWRAP&cause=VALIDATION"));
    const fromRecord = parseAuditFilters({ cause: ["REWRAP", "VALIDATION"] });

    expect(fromUrl).toEqual({ ok: true, filters: { kind: "kms", cause: "REWRAP" } });
    expect(fromRecord).toEqual({ ok: true, filters: { kind: "kms", cause: "REWRAP" } });
  });
});

describe("listKmsCalls", () => {
  it("records the calls of a saved key", async () => {
    const tenant = await createTenant(stack.prisma);
    const keyArn = await createKey(stack.tenantKms());
    const parsed = parseKeyArn(keyArn, { serviceRegion: REGION });
    if (!parsed.ok) throw new Error(parsed.problem.message);
    await saveKeyConfiguration(stack.deps(), await tenant.access("OWNER"), parsed.key);

    const page = await listKmsCalls(stack.prisma, tenant.accountId, filtersOf({ cause: "VALIDATION" }));

    expect(page.rows.map((row) => row.operation)).toEqual(["Decrypt", "GenerateDataKey"]);
    for (const row of page.rows) {
      expect(row.keyArn).toBe(keyArn);
      expect(row.requestId).toBeTruthy();
      expect(row.ok).toBe(true);
    }
  });

  it("pages newest first by cursor", async () => {
    const tenant = await createTenant(stack.prisma);
    const ids: bigint[] = [];
    for (let index = 0; index < 5; index += 1) ids.push((await insertKmsCall(tenant.accountId)).id);

    const first = await listKmsCalls(stack.prisma, tenant.accountId, filtersOf({}), 2);
    const second = await listKmsCalls(stack.prisma, tenant.accountId, filtersOf({ cursor: first.nextCursor ?? "" }), 2);
    const third = await listKmsCalls(stack.prisma, tenant.accountId, filtersOf({ cursor: second.nextCursor ?? "" }), 2);

    const newestFirst = [...ids].reverse();
    expect(first.rows.map((row) => row.id)).toEqual(newestFirst.slice(0, 2));
    expect(first.nextCursor).toBe(newestFirst[1]!.toString());
    expect(second.rows.map((row) => row.id)).toEqual(newestFirst.slice(2, 4));
    expect(third.rows.map((row) => row.id)).toEqual(newestFirst.slice(4));
    expect(third.nextCursor).toBeNull();
  });

  it("returns no cursor when the page is exactly full", async () => {
    const tenant = await createTenant(stack.prisma);
    await insertKmsCall(tenant.accountId);
    await insertKmsCall(tenant.accountId);

    const page = await listKmsCalls(stack.prisma, tenant.accountId, filtersOf({}), 2);

    expect(page.rows).toHaveLength(2);
    expect(page.nextCursor).toBeNull();
  });

  it("filters by operation, cause and outcome", async () => {
    const tenant = await createTenant(stack.prisma);
    const wanted = await insertKmsCall(tenant.accountId, { operation: "GenerateDataKey", cause: "TEST_CONNECTION", ok: false });
    await insertKmsCall(tenant.accountId, { operation: "Decrypt", cause: "TEST_CONNECTION", ok: false });
    await insertKmsCall(tenant.accountId, { operation: "GenerateDataKey", cause: "HEALTH_CHECK", ok: false });
    await insertKmsCall(tenant.accountId, { operation: "GenerateDataKey", cause: "TEST_CONNECTION", ok: true });

    const page = await listKmsCalls(stack.prisma, tenant.accountId, filtersOf({ operation: "GenerateDataKey", cause: "TEST_CONNECTION", outcome: "failed" }));
    const succeeded = await listKmsCalls(stack.prisma, tenant.accountId, filtersOf({ outcome: "ok" }));

    expect(page.rows.map((row) => row.id)).toEqual([wanted.id]);
    expect(succeeded.rows).toHaveLength(1);
    expect(succeeded.rows[0]!.ok).toBe(true);
  });

  it("includes whole UTC days from and to", async () => {
    const tenant = await createTenant(stack.prisma);
    await insertKmsCall(tenant.accountId, { createdAt: new Date("2026-03-09T23:59:59.999Z"), requestId: "before" });
    await insertKmsCall(tenant.accountId, { createdAt: new Date("2026-03-10T00:00:00.000Z"), requestId: "first" });
    await insertKmsCall(tenant.accountId, { createdAt: new Date("2026-03-11T23:59:59.999Z"), requestId: "last" });
    await insertKmsCall(tenant.accountId, { createdAt: new Date("2026-03-12T00:00:00.000Z"), requestId: "after" });

    const page = await listKmsCalls(stack.prisma, tenant.accountId, filtersOf({ from: "2026-03-10", to: "2026-03-11" }));

    expect(page.rows.map((row) => row.requestId)).toEqual(["last", "first"]);
  });

  it("never returns another account's calls", async () => {
    const tenantA = await createTenant(stack.prisma);
    const tenantB = await createTenant(stack.prisma);
    const own = await insertKmsCall(tenantA.accountId);
    await insertKmsCall(tenantB.accountId);

    const page = await listKmsCalls(stack.prisma, tenantA.accountId, filtersOf({}));

    expect(page.rows.map((row) => row.id)).toEqual([own.id]);
  });
});

describe("listAuditEvents", () => {
  async function insertEvent(accountId: string, action: string, outcome: "SUCCESS" | "FAILURE" | "DENIED", actorType: "USER" | "SUPPORT" | "SYSTEM" = "USER") {
    return stack.prisma.auditEvent.create({ data: { accountId, actorType, action, outcome } });
  }

  it("filters by exact action, action prefix, outcome and actor", async () => {
    const tenant = await createTenant(stack.prisma);
    const save = await insertEvent(tenant.accountId, "byok.key.save", "SUCCESS");
    const test = await insertEvent(tenant.accountId, "byok.key.test", "FAILURE");
    const support = await insertEvent(tenant.accountId, "support.byok.disable", "SUCCESS", "SUPPORT");
    const denied = await insertEvent(tenant.accountId, "byok.key.save", "DENIED");

    const ids = async (params: Record<string, string>) =>
      (await listAuditEvents(stack.prisma, tenant.accountId, filtersOf({ kind: "audit", ...params }))).rows.map((row) => row.id);

    expect(await ids({ action: "byok.key.save" })).toEqual([denied.id, save.id]);
    expect(await ids({ action: "byok.key.*" })).toEqual([denied.id, test.id, save.id]);
    expect(await ids({ outcome: "FAILURE" })).toEqual([test.id]);
    expect(await ids({ actor: "SUPPORT" })).toEqual([support.id]);
    expect(await ids({ action: "byok.key.save", outcome: "SUCCESS" })).toEqual([save.id]);
  });

  it("never returns another account's events", async () => {
    const tenantA = await createTenant(stack.prisma);
    const tenantB = await createTenant(stack.prisma);
    const own = await insertEvent(tenantA.accountId, "api_key.create", "SUCCESS");
    await insertEvent(tenantB.accountId, "api_key.create", "SUCCESS");

    const page = await listAuditEvents(stack.prisma, tenantA.accountId, filtersOf({ kind: "audit" }));

    expect(page.rows.map((row) => row.id)).toEqual([own.id]);
  });
});
