import type { Page } from "@playwright/test";

import { storageStatePath } from "./support/demo-users";
import { openEncryptionPage } from "./support/encryption-page";
import { expect, test } from "./support/fixtures";
import { userWithRole } from "./support/seed";
import { E2E } from "./support/settings";
import { captureServerAction, postServerAction, type CapturedServerAction } from "./support/server-action";
import { signIn } from "./support/sign-in";

/** Saves `keyArn` through the form as the signed-in admin and returns the save action's request. */
async function saveKeyThroughForm(page: Page, keyArn: string): Promise<CapturedServerAction> {
  const encryption = await openEncryptionPage(page);
  await encryption.keyArnField.fill(keyArn);
  const action = await captureServerAction(page, () => encryption.saveButton.click());
  await expect(encryption.stateBadge).toHaveText("Active");
  await expect(encryption.statusKeyArn).toHaveText(keyArn);
  return action;
}

test.describe("demo member", () => {
  test.use({ storageState: storageStatePath("acmeMember") });

  test("sees status without the form", async ({ page }) => {
    const encryption = await openEncryptionPage(page);

    await expect(encryption.stateBadge).toBeVisible();
    await expect(page.getByTestId("read-only-note")).toHaveText(/Only owners and admins can connect or test a key\./);
    await expect(page.getByLabel("Key ARN")).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Save Configuration" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Test connection" })).toHaveCount(0);
    await expect(page.getByRole("region", { name: "Key policy" })).toHaveCount(0);
  });
});

test("member posting the action is denied", async ({ browser, page, createTenant, tenantKms, db }) => {
  const tenant = await createTenant({ roles: ["ADMIN", "MEMBER"] });
  const admin = userWithRole(tenant, "ADMIN");
  const member = userWithRole(tenant, "MEMBER");
  const savedKey = await tenantKms.createKey(tenant.accountId);
  const otherKey = await tenantKms.createKey(tenant.accountId);

  const action = await test.step("admin saves a key and the save request is captured", async () => {
    await signIn(page, admin);
    return saveKeyThroughForm(page, savedKey);
  });
  const before = await db.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } });

  const memberContext = await browser.newContext();
  const memberPage = await memberContext.newPage();

  await test.step("member sees the status read-only", async () => {
    await signIn(memberPage, member);
    const encryption = await openEncryptionPage(memberPage);
    await expect(encryption.stateBadge).toHaveText("Active");
    await expect(encryption.statusKeyArn).toHaveText(savedKey);
    await expect(memberPage.getByTestId("read-only-note")).toBeVisible();
    await expect(memberPage.getByLabel("Key ARN")).toHaveCount(0);
    await expect(memberPage.getByRole("button", { name: "Save Configuration" })).toHaveCount(0);
    await expect(memberPage.getByRole("button", { name: "Test connection" })).toHaveCount(0);
  });

  await test.step("member posting the save action is denied", async () => {
    const result = await postServerAction(memberContext.request, action, { keyArn: otherKey });
    expect(result.status).toBe("error");
    expect(result.formError?.code).toBe("ACCESS_DENIED");
    expect(result.formError?.message).toBe("Only account owners and admins can do this; your role is member.");
  });

  await test.step("configuration is unchanged and the denial is audited", async () => {
    const after = await db.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } });
    expect(after.keyArn).toBe(savedKey);
    expect(after.version).toBe(before.version);

    const denied = await db.auditEvent.findMany({ where: { actorUserId: member.id, action: "byok.key.save", outcome: "DENIED" } });
    expect(denied).toHaveLength(1);
    expect(denied[0]?.accountId).toBe(tenant.accountId);
    expect(denied[0]?.errorCode).toBe("ROLE_NOT_ALLOWED");
  });

  await memberContext.close();
});

test("admin cannot save for another account", async ({ page, createTenant, tenantKms, db }) => {
  const tenant = await createTenant({ roles: ["ADMIN"] });
  const otherTenant = await createTenant({ roles: ["OWNER"] });
  const admin = userWithRole(tenant, "ADMIN");
  const savedKey = await tenantKms.createKey(tenant.accountId);
  const secondKey = await tenantKms.createKey(tenant.accountId);
  const otherTenantKey = await tenantKms.createKey(otherTenant.accountId);

  const action = await test.step("admin saves a key and the save request is captured", async () => {
    await signIn(page, admin);
    return saveKeyThroughForm(page, savedKey);
  });

  await test.step("posting with the other account's id is denied", async () => {
    const result = await postServerAction(page.request, action, { keyArn: otherTenantKey, accountId: otherTenant.accountId });
    expect(result.status).toBe("error");
    expect(result.formError?.code).toBe("ACCESS_DENIED");
    expect(result.formError?.message).toBe("This request names an account you are not signed in to.");
  });

  await test.step("neither account changed and the denial is audited", async () => {
    expect(await db.encryptionConfig.findUnique({ where: { accountId: otherTenant.accountId } })).toBeNull();
    const own = await db.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } });
    expect(own.keyArn).toBe(savedKey);

    const denied = await db.auditEvent.findMany({ where: { actorUserId: admin.id, action: "byok.key.save", outcome: "DENIED" } });
    expect(denied).toHaveLength(1);
    expect(denied[0]?.accountId).toBe(tenant.accountId);
    expect(denied[0]?.errorCode).toBe("ACCOUNT_MISMATCH");
    expect(denied[0]?.details).toMatchObject({ claimedAccountId: otherTenant.accountId, role: "ADMIN" });
  });

  await test.step("the same request naming the admin's own account succeeds", async () => {
    // Shows that the replayed request is one the server accepts, so the rejection above came from the account check.
    const result = await postServerAction(page.request, action, { keyArn: secondKey, accountId: tenant.accountId });
    expect(result).toEqual({ status: "success", message: `BYOK is active with ${secondKey}.` });
    const own = await db.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } });
    expect(own.keyArn).toBe(secondKey);
  });
});

test("signed-out caller cannot post the action", async ({ page, playwright, createTenant, tenantKms, db }) => {
  const tenant = await createTenant({ roles: ["OWNER"] });
  const savedKey = await tenantKms.createKey(tenant.accountId);
  const otherKey = await tenantKms.createKey(tenant.accountId);

  await signIn(page, userWithRole(tenant, "OWNER"));
  const action = await saveKeyThroughForm(page, savedKey);

  const anonymous = await playwright.request.newContext({ baseURL: E2E.baseUrl });
  const result = await postServerAction(anonymous, action, { keyArn: otherKey, accountId: tenant.accountId });
  await anonymous.dispose();

  expect(result.formError?.code).toBe("ACCESS_DENIED");
  expect(result.formError?.message).toBe("Your session has ended. Sign in again.");
  const config = await db.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } });
  expect(config.keyArn).toBe(savedKey);
  // The audit row of a signed-out request names no user or account, so the claimed account id identifies it.
  const denied = await db.auditEvent.findMany({
    where: { action: "byok.key.save", outcome: "DENIED", details: { path: ["claimedAccountId"], equals: tenant.accountId } },
  });
  expect(denied).toHaveLength(1);
  expect(denied[0]?.errorCode).toBe("NOT_SIGNED_IN");
  expect(denied[0]?.actorUserId).toBeNull();
});
