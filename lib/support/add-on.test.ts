import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { AppError } from "@/lib/errors";
import { createTenant, startTestStack, type TestStack } from "@/tests/support/stack";

import { setByokAddOn } from "./add-on";
import { activateByok, createSupportActor } from "./test-helpers";

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.close();
});

describe("setByokAddOn", () => {
  it("grants the add-on and audits it", async () => {
    const support = await createSupportActor(stack.prisma);
    const tenant = await createTenant(stack.prisma, { byokAddOn: false });

    const result = await setByokAddOn(stack.prisma, support, { accountId: tenant.accountId, enabled: true });

    expect(result.changed).toBe(true);
    const account = await stack.prisma.account.findUniqueOrThrow({ where: { id: tenant.accountId } });
    expect(account.byokAddOn).toBe(true);
    const audit = await stack.prisma.auditEvent.findFirst({ where: { accountId: tenant.accountId, action: "support.addon.grant" } });
    expect(audit?.actorType).toBe("SUPPORT");
    expect(audit?.actorUserId).toBe(support.id);
    expect(audit?.before).toEqual({ byokAddOn: false });
    expect(audit?.after).toEqual({ byokAddOn: true });
  });

  it("reports a grant that changes nothing", async () => {
    const support = await createSupportActor(stack.prisma);
    const tenant = await createTenant(stack.prisma, { byokAddOn: true });

    const result = await setByokAddOn(stack.prisma, support, { accountId: tenant.accountId, enabled: true });

    expect(result.changed).toBe(false);
    expect(await stack.prisma.auditEvent.count({ where: { accountId: tenant.accountId, action: "support.addon.grant" } })).toBe(0);
  });

  it("withdraws the add-on when no key is connected", async () => {
    const support = await createSupportActor(stack.prisma);
    const tenant = await createTenant(stack.prisma, { byokAddOn: true });

    await setByokAddOn(stack.prisma, support, { accountId: tenant.accountId, enabled: false });

    expect((await stack.prisma.account.findUniqueOrThrow({ where: { id: tenant.accountId } })).byokAddOn).toBe(false);
  });

  it.each(["ACTIVE", "DEGRADED", "UNAVAILABLE"] as const)("rejects withdrawal while BYOK is %s", async (state) => {
    const support = await createSupportActor(stack.prisma);
    const tenant = await createTenant(stack.prisma, { byokAddOn: true });
    await activateByok(stack.prisma, tenant.accountId);
    await stack.prisma.encryptionConfig.update({ where: { accountId: tenant.accountId }, data: { state } });

    const attempt = setByokAddOn(stack.prisma, support, { accountId: tenant.accountId, enabled: false });

    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({ code: "BYOK_IN_USE", userMessage: expect.stringContaining("Disable BYOK first") });
    expect((await stack.prisma.account.findUniqueOrThrow({ where: { id: tenant.accountId } })).byokAddOn).toBe(true);
    const audit = await stack.prisma.auditEvent.findFirst({ where: { accountId: tenant.accountId, action: "support.addon.withdraw" } });
    expect(audit?.outcome).toBe("FAILURE");
    expect(audit?.errorCode).toBe("BYOK_IN_USE");
  });

  it("withdraws the add-on once BYOK is disabled", async () => {
    const support = await createSupportActor(stack.prisma);
    const tenant = await createTenant(stack.prisma, { byokAddOn: true });
    await activateByok(stack.prisma, tenant.accountId);
    await stack.prisma.encryptionConfig.update({ where: { accountId: tenant.accountId }, data: { state: "DISABLED" } });

    const result = await setByokAddOn(stack.prisma, support, { accountId: tenant.accountId, enabled: false });

    expect(result.changed).toBe(true);
  });

  it("rejects an unknown account", async () => {
    const support = await createSupportActor(stack.prisma);

    const attempt = setByokAddOn(stack.prisma, support, { accountId: "00000000-0000-4000-8000-000000000000", enabled: true });

    await expect(attempt).rejects.toMatchObject({ code: "ACCOUNT_NOT_FOUND" });
  });
});
