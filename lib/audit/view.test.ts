import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTenant, startTestStack, type TestStack } from "@/tests/support/stack";

import { loadAuditView } from "./view";

/** The page of the log that an Audit page's query selects, against real PostgreSQL. */

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.close();
});

describe("loadAuditView", () => {
  it("loads the filtered audit events", async () => {
    const tenant = await createTenant(stack.prisma);
    const support = await stack.prisma.auditEvent.create({ data: { accountId: tenant.accountId, actorType: "SUPPORT", action: "audit.read", outcome: "SUCCESS" } });
    await stack.prisma.auditEvent.create({ data: { accountId: tenant.accountId, actorType: "USER", action: "byok.key.save", outcome: "SUCCESS" } });

    const view = await loadAuditView(stack.prisma, tenant.accountId, { kind: "audit", actor: "SUPPORT" });

    expect(view.filters).toEqual({ kind: "audit", actor: "SUPPORT" });
    expect(view.problems).toEqual([]);
    expect(view.rows.kind).toBe("audit");
    expect(view.rows.page.rows.map((row) => row.id)).toEqual([support.id]);
  });

  it("drops invalid filters but keeps the kind", async () => {
    const tenant = await createTenant(stack.prisma);
    await stack.prisma.auditEvent.create({ data: { accountId: tenant.accountId, actorType: "USER", action: "byok.key.save", outcome: "FAILURE" } });

    const view = await loadAuditView(stack.prisma, tenant.accountId, { kind: ["audit", "kms"], outcome: "FAILURE", from: "yesterday" });

    expect(view.filters).toEqual({ kind: "audit" });
    expect(view.problems.length).toBeGreaterThan(0);
    expect(view.problems.every((problem) => problem.startsWith("from:"))).toBe(true);
    expect(view.rows.page.rows).toHaveLength(1);
  });

  it("defaults to KMS calls", async () => {
    const tenant = await createTenant(stack.prisma);

    const view = await loadAuditView(stack.prisma, tenant.accountId, {});

    expect(view.rows).toEqual({ kind: "kms", page: { rows: [], nextCursor: null } });
  });
});
