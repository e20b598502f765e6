import { expect, test } from "./support/fixtures";
import { openEncryptionPage } from "./support/encryption-page";
import { userWithRole } from "./support/seed";
import { signIn } from "./support/sign-in";

// The e2e server checks keys every 2 s (playwright.config.ts), so the worker, not the test, notices.
test("revoking and restoring the key policy", async ({ page, request, createTenant, tenantKms, db }) => {
  test.setTimeout(90_000);
  const tenant = await createTenant({ roles: ["OWNER", "ADMIN"] });
  await signIn(page, userWithRole(tenant, "OWNER"));
  const keyArn = await tenantKms.createKey(tenant.accountId);

  const token = await test.step("the owner connects the key and creates an API key", async () => {
    const encryption = await openEncryptionPage(page);
    await encryption.keyArnField.fill(keyArn);
    await encryption.saveButton.click();
    await expect(encryption.stateBadge).toHaveText("Active");
    await page.goto("/account/api-keys");
    await page.getByLabel("Name").fill("revocation test");
    await page.getByRole("button", { name: "Create API key" }).click();
    return (await page.getByTestId("new-api-key").textContent()) ?? "";
  });
  const headers = { authorization: `Bearer ${token}` };
  const writeFact = (content: string) => request.post("/api/v1/facts", { headers, data: { content } });
  expect((await writeFact("before revocation")).status()).toBe(201);

  await test.step("removing the policy statement stops writes without manual steps", async () => {
    await tenantKms.setPlatformAccess(keyArn, tenant.accountId, false);

    await expect
      .poll(async () => (await writeFact("during revocation")).status(), { timeout: 30_000, intervals: [500] })
      .toBe(503);
    const rejected = await writeFact("rejected");
    expect((await rejected.json()).error.code).toBe("KEY_UNAVAILABLE");
  });

  await test.step("the admins see a banner and get an email", async () => {
    await page.goto("/account/encryption");
    await expect(page.getByTestId("key-banner")).toContainText("cannot use your encryption key");
    await expect(page.getByTestId("byok-state")).toHaveText("Key unavailable");
    const notification = await db.notification.findFirstOrThrow({ where: { accountId: tenant.accountId, kind: "KEY_UNAVAILABLE" } });
    expect(notification.status).toBe("SENT");
    expect(notification.recipients.sort()).toEqual([userWithRole(tenant, "ADMIN").email, userWithRole(tenant, "OWNER").email].sort());
  });

  await test.step("no half-written record exists", async () => {
    const facts = await db.fact.findMany({ where: { accountId: tenant.accountId }, include: { dataKey: true } });
    expect(facts.every((fact) => fact.content.length > 33 && fact.dataKey !== null)).toBe(true);
  });

  await test.step("restoring the statement resumes writes by itself", async () => {
    await tenantKms.setPlatformAccess(keyArn, tenant.accountId, true);

    await expect
      .poll(async () => (await writeFact("after restore")).status(), { timeout: 30_000, intervals: [500] })
      .toBe(201);
    await page.goto("/account/encryption");
    await expect(page.getByTestId("byok-state")).toHaveText("Active");
    await expect(page.getByTestId("key-banner")).toContainText("is back");
    const restored = await db.notification.findFirst({ where: { accountId: tenant.accountId, kind: "KEY_RESTORED" } });
    expect(restored?.status).toBe("SENT");
  });
});
