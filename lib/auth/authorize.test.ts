import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ANY_MEMBER_ROLES, authorizeAccountAction, KEY_MANAGER_ROLES } from "@/lib/auth/authorize";
import { AccessDeniedError } from "@/lib/errors";
import { createTenant, startTestStack, type TestStack } from "@/tests/support/stack";

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.close();
});

async function deniedAudit(userId: string | null, action: string) {
  return stack.prisma.auditEvent.findFirst({ where: { actorUserId: userId, action, outcome: "DENIED" }, orderBy: { id: "desc" } });
}

describe("authorizeAccountAction", () => {
  it("lets owners and admins manage the key of their own account", async () => {
    const tenant = await createTenant(stack.prisma);
    for (const role of ["OWNER", "ADMIN"] as const) {
      const access = await authorizeAccountAction(stack.prisma, { userId: tenant.userIds[role], action: "byok.key.save", allowedRoles: KEY_MANAGER_ROLES });
      expect(access.account.id).toBe(tenant.accountId);
      expect(access.role).toBe(role);
    }
  });

  it("refuses members and records the refusal", async () => {
    const tenant = await createTenant(stack.prisma);

    const attempt = authorizeAccountAction(stack.prisma, { userId: tenant.userIds.MEMBER, action: "byok.key.save", allowedRoles: KEY_MANAGER_ROLES });

    await expect(attempt).rejects.toBeInstanceOf(AccessDeniedError);
    const audit = await deniedAudit(tenant.userIds.MEMBER, "byok.key.save");
    expect(audit?.errorCode).toBe("ROLE_NOT_ALLOWED");
    expect(audit?.accountId).toBe(tenant.accountId);
  });

  it("allows members where any member may act", async () => {
    const tenant = await createTenant(stack.prisma);

    const access = await authorizeAccountAction(stack.prisma, { userId: tenant.userIds.MEMBER, action: "byok.status.read", allowedRoles: ANY_MEMBER_ROLES });

    expect(access.role).toBe("MEMBER");
  });

  it("refuses an account id from the request that is not the session's", async () => {
    const mine = await createTenant(stack.prisma);
    const theirs = await createTenant(stack.prisma);

    const attempt = authorizeAccountAction(stack.prisma, {
      userId: mine.userIds.OWNER,
      action: "byok.key.save",
      allowedRoles: KEY_MANAGER_ROLES,
      claimedAccountId: theirs.accountId,
    });

    await expect(attempt).rejects.toMatchObject({ userMessage: expect.stringContaining("names an account you are not signed in to") });
    const audit = await deniedAudit(mine.userIds.OWNER, "byok.key.save");
    expect(audit?.errorCode).toBe("ACCOUNT_MISMATCH");
    expect(audit?.details).toMatchObject({ claimedAccountId: theirs.accountId });
    expect(await stack.prisma.auditEvent.count({ where: { accountId: theirs.accountId } })).toBe(0);
  });

  it("reads the role fresh, so a demotion applies to the next action", async () => {
    const tenant = await createTenant(stack.prisma);
    const request = { userId: tenant.userIds.ADMIN, action: "byok.key.save", allowedRoles: KEY_MANAGER_ROLES };
    await authorizeAccountAction(stack.prisma, request);

    await stack.prisma.membership.update({
      where: { accountId_userId: { accountId: tenant.accountId, userId: tenant.userIds.ADMIN } },
      data: { role: "MEMBER" },
    });

    await expect(authorizeAccountAction(stack.prisma, request)).rejects.toBeInstanceOf(AccessDeniedError);
  });

  it("refuses a user whose membership was removed", async () => {
    const tenant = await createTenant(stack.prisma);
    await stack.prisma.membership.delete({ where: { accountId_userId: { accountId: tenant.accountId, userId: tenant.userIds.OWNER } } });

    const attempt = authorizeAccountAction(stack.prisma, { userId: tenant.userIds.OWNER, action: "byok.key.save", allowedRoles: KEY_MANAGER_ROLES });

    await expect(attempt).rejects.toBeInstanceOf(AccessDeniedError);
    expect((await deniedAudit(tenant.userIds.OWNER, "byok.key.save"))?.errorCode).toBe("NO_MEMBERSHIP");
  });

  it("refuses a request without a session", async () => {
    const attempt = authorizeAccountAction(stack.prisma, { userId: null, action: "byok.key.test", allowedRoles: KEY_MANAGER_ROLES });

    await expect(attempt).rejects.toMatchObject({ userMessage: expect.stringContaining("Sign in again") });
    expect((await deniedAudit(null, "byok.key.test"))?.errorCode).toBe("NOT_SIGNED_IN");
  });
});
