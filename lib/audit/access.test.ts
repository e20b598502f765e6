import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTenant, startTestStack, type TestStack } from "@/tests/support/stack";

import { authorizeOwnAuditRead, authorizeSupportAuditRead, recordSupportAuditRead } from "./access";

/** Who may read an account's audit log, against real PostgreSQL, and what each read or refusal leaves in the log. */

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.close();
});

async function createSupportUser() {
  return stack.prisma.user.create({
    data: { email: `support-${crypto.randomUUID().slice(0, 8)}@platform.example`, name: "Support", passwordHash: "unused", globalRole: "SUPPORT" },
  });
}

describe("authorizeOwnAuditRead", () => {
  it.each(["OWNER", "ADMIN"] as const)("lets %s read its own account", async (role) => {
    const tenant = await createTenant(stack.prisma);

    const access = await authorizeOwnAuditRead(stack.prisma, { userId: tenant.userIds[role], action: "audit.read" });

    expect(access).toMatchObject({ allowed: true, reader: { accountId: tenant.accountId, viewer: { id: tenant.userIds[role], kind: "member" } } });
  });

  it("refuses a member and records it", async () => {
    const tenant = await createTenant(stack.prisma);

    const access = await authorizeOwnAuditRead(stack.prisma, { userId: tenant.userIds.MEMBER, action: "audit.read" });

    expect(access).toMatchObject({ allowed: false, reason: "forbidden" });
    const refusal = await stack.prisma.auditEvent.findFirstOrThrow({ where: { accountId: tenant.accountId, action: "audit.read" } });
    expect(refusal.outcome).toBe("DENIED");
    expect(refusal.errorCode).toBe("ROLE_NOT_ALLOWED");
    expect(refusal.actorUserId).toBe(tenant.userIds.MEMBER);
  });

  it("refuses an owner naming another account", async () => {
    const tenantA = await createTenant(stack.prisma);
    const tenantB = await createTenant(stack.prisma);

    const access = await authorizeOwnAuditRead(stack.prisma, { userId: tenantA.userIds.OWNER, action: "audit.export", claimedAccountId: tenantB.accountId });

    expect(access.allowed).toBe(false);
    const refusal = await stack.prisma.auditEvent.findFirstOrThrow({ where: { accountId: tenantA.accountId, action: "audit.export" } });
    expect(refusal.errorCode).toBe("ACCOUNT_MISMATCH");
    expect(refusal.details).toMatchObject({ claimedAccountId: tenantB.accountId });
    expect(await stack.prisma.auditEvent.count({ where: { accountId: tenantB.accountId } })).toBe(0);
  });

  it("denies support naming an account", async () => {
    const tenant = await createTenant(stack.prisma);
    const support = await createSupportUser();

    const access = await authorizeOwnAuditRead(stack.prisma, { userId: support.id, action: "audit.read", claimedAccountId: tenant.accountId });

    expect(access.allowed).toBe(false);
    const refusal = await stack.prisma.auditEvent.findFirstOrThrow({ where: { actorUserId: support.id } });
    expect(refusal).toMatchObject({ accountId: null, actorType: "USER", action: "audit.read", outcome: "DENIED", errorCode: "NO_MEMBERSHIP" });
  });
});

describe("authorizeSupportAuditRead", () => {
  it("lets support read any account", async () => {
    const tenant = await createTenant(stack.prisma);
    const support = await createSupportUser();

    const access = await authorizeSupportAuditRead(stack.prisma, { userId: support.id, action: "audit.read", accountId: tenant.accountId });

    expect(access).toMatchObject({ allowed: true, reader: { accountId: tenant.accountId, viewer: { id: support.id, email: support.email, kind: "support" } } });
    expect(await stack.prisma.auditEvent.count({ where: { actorUserId: support.id } })).toBe(0);
  });

  it.each(["OWNER", "ADMIN", "MEMBER"] as const)("denies tenant %s users", async (role) => {
    const own = await createTenant(stack.prisma);
    const target = await createTenant(stack.prisma);
    const userId = own.userIds[role];

    const access = await authorizeSupportAuditRead(stack.prisma, { userId, action: "audit.export", accountId: target.accountId });

    expect(access).toMatchObject({ allowed: false, reason: "forbidden", message: "Only platform support staff can use the support console." });
    const refusals = await stack.prisma.auditEvent.findMany({ where: { actorUserId: userId } });
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ accountId: null, actorType: "USER", action: "audit.export", outcome: "DENIED", errorCode: "NOT_SUPPORT" });
    expect(refusals[0]?.details).toEqual({ targetAccountId: target.accountId });
    expect(await stack.prisma.auditEvent.count({ where: { accountId: target.accountId } })).toBe(0);
  });

  it("denies a deleted user", async () => {
    const tenant = await createTenant(stack.prisma);
    const ghostId = crypto.randomUUID();

    const access = await authorizeSupportAuditRead(stack.prisma, { userId: ghostId, action: "audit.read", accountId: tenant.accountId });

    expect(access).toMatchObject({ allowed: false, reason: "forbidden" });
    const refusal = await stack.prisma.auditEvent.findFirstOrThrow({ where: { actorUserId: ghostId } });
    expect(refusal.errorCode).toBe("UNKNOWN_USER");
  });

  it.each([
    ["an unknown account id", crypto.randomUUID()],
    ["a malformed account id", "not-a-uuid"],
  ])("reports %s as not found and records it", async (_case, accountId) => {
    const support = await createSupportUser();

    const access = await authorizeSupportAuditRead(stack.prisma, { userId: support.id, action: "audit.read", accountId });

    expect(access).toMatchObject({ allowed: false, reason: "not-found", message: `Account ${accountId} was not found. Check the account UUID in the support console.` });
    const refusal = await stack.prisma.auditEvent.findFirstOrThrow({ where: { actorUserId: support.id } });
    expect(refusal).toMatchObject({ accountId: null, actorType: "SUPPORT", actorEmail: support.email, outcome: "DENIED", errorCode: "ACCOUNT_NOT_FOUND" });
    expect(refusal.details).toEqual({ requestedAccountId: accountId });
  });
});

describe("recordSupportAuditRead", () => {
  it("writes the read into the account's own log", async () => {
    const tenant = await createTenant(stack.prisma);
    const support = await createSupportUser();
    const access = await authorizeSupportAuditRead(stack.prisma, { userId: support.id, action: "audit.export", accountId: tenant.accountId });
    if (!access.allowed) throw new Error(access.message);

    await recordSupportAuditRead(stack.prisma, access.reader, { action: "audit.export", details: { format: "csv", filters: { kind: "kms", cause: "REWRAP" }, rowCount: 3 } });

    const events = await stack.prisma.auditEvent.findMany({ where: { accountId: tenant.accountId } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorType: "SUPPORT", actorUserId: support.id, actorEmail: support.email, action: "audit.export", outcome: "SUCCESS", errorCode: null });
    expect(events[0]?.details).toEqual({ format: "csv", filters: { kind: "kms", cause: "REWRAP" }, rowCount: 3 });
  });
});
