import type { APIRequestContext, Page } from "@playwright/test";

import { expect, test } from "./support/fixtures";
import { openEncryptionPage } from "./support/encryption-page";
import { userWithRole } from "./support/seed";
import { signIn } from "./support/sign-in";

/**
 * Re-wraps from the Encryption page against the production build, the in-process worker
 * and the local KMS: protecting data written before activation, a key change that ends
 * with the switch, and a re-wrap onto the newest key material started by hand.
 */

async function createApiToken(page: Page): Promise<string> {
  await page.goto("/account/api-keys");
  await page.getByLabel("Name").fill("e2e rewrap writer");
  await page.getByRole("button", { name: "Create API key" }).click();
  const shown = page.getByTestId("new-api-key");
  await expect(shown).toHaveText(/^byok_/);
  return (await shown.textContent()) ?? "";
}

async function writeSession(request: APIRequestContext, token: string, externalId: string): Promise<void> {
  const response = await request.post("/api/v1/sessions", { headers: { authorization: `Bearer ${token}` }, data: { externalId, metadata: { written: externalId } } });
  expect(response.status()).toBe(201);
}

test("an owner protects older data, changes the key and re-wraps by hand", async ({ page, request, createTenant, tenantKms, db }) => {
  const tenant = await createTenant({ roles: ["OWNER"] });
  await signIn(page, userWithRole(tenant, "OWNER"));
  const token = await createApiToken(page);
  await writeSession(request, token, "before-activation");
  const firstKey = await tenantKms.createKey(tenant.accountId, { reEncrypt: true });
  const secondKey = await tenantKms.createKey(tenant.accountId, { reEncrypt: true });
  const jobs = page.getByRole("region", { name: "Re-wrap" }).getByTestId("rewrap-job");

  await test.step("activation with the option ticked moves the older data key under the tenant key", async () => {
    const encryption = await openEncryptionPage(page);
    await encryption.keyArnField.fill(firstKey);
    await encryption.connect.getByLabel(/Also protect data written before activation/).check();
    await encryption.saveButton.click();
    await expect(encryption.connect.getByRole("status")).toContainText("moving under your key");
    await expect(jobs.first()).toContainText("Protect data written before activation", { timeout: 10_000 });
    await expect(jobs.first()).toContainText("completed", { timeout: 20_000 });
    await expect(jobs.first()).toContainText("1 moved, 0 failed, 1 total");
    await expect(page.getByTestId("usage-platform")).toHaveCount(0);
    await expect(page.getByTestId("usage-tenant").getByRole("cell").nth(2)).toHaveText("1");
  });

  await writeSession(request, token, "after-activation");

  await test.step("a key change moves the data keys, then switches the account", async () => {
    const encryption = await openEncryptionPage(page);
    await encryption.keyArnField.fill(secondKey);
    await encryption.saveButton.click();
    await expect(encryption.connect.getByRole("status")).toContainText("1 data key is moving to it");
    await expect(encryption.statusKeyArn).toHaveText(secondKey, { timeout: 20_000 });
    await expect(page.getByTestId("key-change-banner")).toHaveCount(0);
    await expect(jobs.first()).toContainText("Key change");
    await expect(jobs.first()).toContainText("1 moved, 0 failed, 1 total");
    await expect(page.getByTestId("usage-tenant")).toContainText(secondKey);
    await expect(page.getByTestId("usage-tenant").getByRole("cell").nth(2)).toHaveText("2");
    // The data key moved from the platform key stayed the one new records use, so there is one.
    const stored = await db.dataKey.findMany({ where: { accountId: tenant.accountId } });
    expect(stored.map((key) => key.kmsKeyArn)).toEqual([secondKey]);
  });

  await test.step("the old key can go away and every record still reads", async () => {
    await tenantKms.disableKey(firstKey);
    const listed = await request.get("/api/v1/sessions", { headers: { authorization: `Bearer ${token}` } });
    expect(listed.status()).toBe(200);
    const externalIds = (await listed.json()).data.map((session: { externalId: string }) => session.externalId).sort();
    expect(externalIds).toEqual(["after-activation", "before-activation"]);
  });

  await test.step("Re-wrap now moves the data keys onto the newest key material", async () => {
    await page.getByRole("button", { name: "Re-wrap now" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Re-wrap of the data keys under" })).toContainText("queued");
    await expect(jobs.first()).toContainText("Re-wrap onto the newest key material");
    await expect(jobs.first()).toContainText("completed", { timeout: 20_000 });
    await expect(jobs.first()).toContainText("1 moved, 0 failed, 1 total");
  });

  await test.step("the schedule is saved and shown", async () => {
    await page.getByLabel("Scheduled re-wrap").selectOption("90");
    await page.getByRole("button", { name: "Save schedule" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Data keys will be re-wrapped every 90 days" })).toBeVisible();
    await expect(page.getByTestId("next-rewrap")).toContainText("Next scheduled re-wrap");
  });

  await test.step("the audit log tells what happened and why", async () => {
    const actions = (await db.auditEvent.findMany({ where: { accountId: tenant.accountId }, orderBy: { id: "asc" } })).map((event) => event.action);
    expect(actions).toEqual(expect.arrayContaining(["byok.rewrap.request", "byok.key.change", "byok.key.changed", "rewrap.completed", "byok.rewrap.schedule"]));
    const reEncrypts = await db.kmsCall.count({ where: { accountId: tenant.accountId, operation: "ReEncrypt", cause: "REWRAP", ok: true } });
    // One for the older data key, one under each key for the change, one for the re-wrap.
    expect(reEncrypts).toBe(1 + 2 + 1);
  });
});
