import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { AccessDeniedError } from "@/lib/errors";
import { createTenant, startTestStack, type TestStack } from "@/tests/support/stack";

import { authorizeSupport } from "./authorize";
import { createSupportActor } from "./test-helpers";

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.close();
});

// Every action name that the support pages and server actions pass to authorizeSupport.
const SUPPORT_ACTIONS = [
  "support.accounts.list",
  "support.account.view",
  "support.addon.grant",
  "support.addon.withdraw",
  "support.byok.disable.request",
  "support.byok.disable.approve",
  "support.byok.disable.reject",
  "support.byok.disable.cancel",
] as const;

describe("authorizeSupport", () => {
  it.each(SUPPORT_ACTIONS)("rejects tenant roles for %s", async (action) => {
    const tenant = await createTenant(stack.prisma);

    for (const role of ["OWNER", "ADMIN", "MEMBER"] as const) {
      const userId = tenant.userIds[role];
      const attempt = authorizeSupport(stack.prisma, { userId, action, targetAccountId: tenant.accountId });

      await expect(attempt, role).rejects.toBeInstanceOf(AccessDeniedError);
      const audit = await stack.prisma.auditEvent.findFirst({ where: { actorUserId: userId, action }, orderBy: { id: "desc" } });
      expect(audit?.outcome, role).toBe("DENIED");
      expect(audit?.errorCode, role).toBe("NOT_SUPPORT");
      expect(audit?.actorEmail, role).toMatch(/@tenant\.example$/);
      expect(audit?.accountId, role).toBeNull();
      expect(audit?.details, role).toEqual({ targetAccountId: tenant.accountId });
    }
  });

  it.each(SUPPORT_ACTIONS)("rejects a signed-out caller for %s", async (action) => {
    const before = await stack.prisma.auditEvent.count({ where: { actorUserId: null, action, errorCode: "NOT_SIGNED_IN" } });

    const attempt = authorizeSupport(stack.prisma, { userId: null, action });

    await expect(attempt).rejects.toMatchObject({ userMessage: expect.stringContaining("Sign in again") });
    expect(await stack.prisma.auditEvent.count({ where: { actorUserId: null, action, errorCode: "NOT_SIGNED_IN", outcome: "DENIED" } })).toBe(before + 1);
  });

  it.each(SUPPORT_ACTIONS)("allows a support user for %s", async (action) => {
    const support = await createSupportActor(stack.prisma);

    const actor = await authorizeSupport(stack.prisma, { userId: support.id, action });

    expect(actor.email).toBe(support.email);
    expect(await stack.prisma.auditEvent.count({ where: { actorUserId: support.id, outcome: "DENIED" } })).toBe(0);
  });

  it("reads the role fresh on every call", async () => {
    const support = await createSupportActor(stack.prisma);
    await stack.prisma.user.update({ where: { id: support.id }, data: { globalRole: null } });

    const attempt = authorizeSupport(stack.prisma, { userId: support.id, action: "support.accounts.list" });

    await expect(attempt).rejects.toBeInstanceOf(AccessDeniedError);
  });

  it("rejects a deleted user", async () => {
    const support = await createSupportActor(stack.prisma);
    await stack.prisma.user.delete({ where: { id: support.id } });

    await expect(authorizeSupport(stack.prisma, { userId: support.id, action: "support.accounts.list" })).rejects.toBeInstanceOf(AccessDeniedError);
    const audit = await stack.prisma.auditEvent.findFirst({ where: { actorUserId: support.id, action: "support.accounts.list", errorCode: "UNKNOWN_USER" } });
    expect(audit).not.toBeNull();
  });
});
