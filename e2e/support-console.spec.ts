import { randomUUID } from "node:crypto";

import { openEncryptionPage } from "./support/encryption-page";
import { expect, test } from "./support/fixtures";
import { userWithRole } from "./support/seed";
import { signIn } from "./support/sign-in";
import { createSupportUser, signInSupport } from "./support/support-users";

test("support disables BYOK with a second approver", async ({ browser, page, request, createTenant, tenantKms, db }) => {
  test.setTimeout(120_000);
  const tenant = await createTenant({ byokAddOn: false, roles: ["OWNER", "ADMIN"] });
  const owner = userWithRole(tenant, "OWNER");
  const admin = userWithRole(tenant, "ADMIN");
  const requester = await createSupportUser(db);
  const approver = await createSupportUser(db);
  const reason = `Tenant asked to leave BYOK, ticket ${randomUUID().slice(0, 6)}`;

  const supportA = await signInSupport(browser, requester);
  const accountLink = supportA.getByRole("link", { name: tenant.accountName });

  await test.step("support user A finds the account and grants the add-on", async () => {
    await supportA.getByLabel("Search accounts").fill(tenant.accountName.toLowerCase());
    await supportA.getByRole("button", { name: "Search" }).click();
    await expect(supportA).toHaveURL(/\/support\?q=/);
    await expect(accountLink).toBeVisible();
    await accountLink.click();
    await expect(supportA.getByRole("heading", { level: 1, name: tenant.accountName })).toBeVisible();

    const addOn = supportA.getByRole("region", { name: "BYOK add-on" });
    await addOn.getByRole("button", { name: "Grant add-on" }).click();
    await expect(addOn.getByRole("status")).toHaveText("The BYOK add-on is granted.");
    await expect(addOn.getByRole("button", { name: "Withdraw add-on" })).toBeVisible();
  });

  const keyArn = await tenantKms.createKey(tenant.accountId);
  await test.step("the owner connects a key", async () => {
    await signIn(page, owner);
    const encryption = await openEncryptionPage(page);
    await encryption.keyArnField.fill(keyArn);
    await encryption.saveButton.click();
    await expect(encryption.stateBadge).toHaveText("Active");
  });

  const factIds = await test.step("a service writes records under the tenant key through the API", async () => {
    await page.goto("/account/api-keys");
    await page.getByLabel("Name").fill("support scenario");
    await page.getByRole("button", { name: "Create API key" }).click();
    const token = (await page.getByTestId("new-api-key").textContent()) ?? "";
    const ids: string[] = [];
    for (const content of ["first fact", "second fact"]) {
      const response = await request.post("/api/v1/facts", { headers: { authorization: `Bearer ${token}` }, data: { content } });
      expect(response.status()).toBe(201);
      ids.push((await response.json()).data.id);
    }
    const keys = await db.dataKey.findMany({ where: { accountId: tenant.accountId } });
    expect(keys.map((key) => key.source)).toEqual(["TENANT"]);
    return { token, ids };
  });

  await test.step("withdrawing the add-on is rejected while the key is active", async () => {
    await supportA.reload();
    const addOn = supportA.getByRole("region", { name: "BYOK add-on" });
    await addOn.getByRole("button", { name: "Withdraw add-on" }).click();
    await expect(addOn.getByRole("alert")).toContainText("cannot be withdrawn while BYOK is active");
  });

  const disable = supportA.getByRole("region", { name: "Disable BYOK" });
  await test.step("the form checks the reason and the typed name beside each field", async () => {
    await disable.getByLabel("Reason").fill("too short");
    await disable.getByLabel("Type the account name to confirm").fill(`${tenant.accountName}x`);
    await disable.getByRole("button", { name: "Request disable" }).click();
    await expect(disable.locator("#reason-error")).toContainText("at least 10 characters");
    await expect(disable.locator("#confirmName-error")).toContainText("exactly as shown");
    expect(await db.disableRequest.count({ where: { accountId: tenant.accountId } })).toBe(0);
  });

  await test.step("support user A requests the disable", async () => {
    await disable.getByLabel("Reason").fill(reason);
    await disable.getByLabel("Type the account name to confirm").fill(tenant.accountName);
    await disable.getByRole("button", { name: "Request disable" }).click();
    // The page re-renders with the pending request in place of the form.
    await expect(disable).toContainText("A request to disable BYOK is waiting for approval");
    await expect(supportA.getByTestId("disable-request")).toContainText(`Requested by ${requester.email}`);
  });

  await test.step("support user A cannot approve their own request", async () => {
    const requests = supportA.getByRole("region", { name: "Disable requests" });
    await requests.getByRole("button", { name: "Approve and disable" }).click();
    await expect(requests.getByRole("alert")).toHaveText("You requested this change, so another support user must approve it.");
    expect((await db.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } })).state).toBe("ACTIVE");
  });

  await test.step("support user B approves and BYOK is disabled", async () => {
    const supportB = await signInSupport(browser, approver);
    await supportB.goto(`/support/accounts/${tenant.accountId}`);
    const requests = supportB.getByRole("region", { name: "Disable requests" });
    await expect(requests).toContainText(`Reason: ${reason}`);
    await requests.getByRole("button", { name: "Approve and disable" }).click();
    await expect(supportB.getByTestId("disable-request")).toContainText("executed");
    await expect(supportB.getByRole("region", { name: "Status" }).getByTestId("byok-state")).toHaveText("Disabled");
    await expect(supportB.getByTestId("rewrap-job")).toContainText(`${keyArn} →`);
    await supportB.context().close();

    const config = await db.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } });
    expect(config.state).toBe("DISABLED");
    expect(config.disabledById).toBe(requester.id);
    expect(config.disabledReason).toBe(reason);
    const jobs = await db.rewrapJob.findMany({ where: { accountId: tenant.accountId } });
    expect(jobs.map((job) => job.sourceKeyArn)).toEqual([keyArn]);
  });

  await test.step("the tenant's Encryption page names platform support and the reason", async () => {
    const encryption = await openEncryptionPage(page);
    await expect(encryption.stateBadge).toHaveText("Disabled");
    const disabledBy = encryption.status.getByTestId("disabled-by");
    await expect(disabledBy).toContainText("Disabled by platform support");
    await expect(disabledBy).toContainText(`: ${reason}`);
    await expect(disabledBy).not.toContainText("Support support-");
  });

  await test.step("the re-wrap moves the data keys to the platform key", async () => {
    await expect
      .poll(async () => (await db.rewrapJob.findFirstOrThrow({ where: { accountId: tenant.accountId } })).status, { timeout: 60_000, intervals: [500] })
      .toBe("COMPLETED");
    const job = await db.rewrapJob.findFirstOrThrow({ where: { accountId: tenant.accountId } });
    expect(job).toMatchObject({ total: 1, moved: 1, failed: 0 });
    const keys = await db.dataKey.findMany({ where: { accountId: tenant.accountId } });
    expect(keys.every((key) => key.source === "PLATFORM" && key.kmsKeyArn !== keyArn)).toBe(true);
    await supportA.reload();
    await expect(supportA.getByTestId("rewrap-job")).toContainText("1 moved, 0 failed, 1 total");
  });

  await test.step("records written under the tenant key still read back after the tenant disables it", async () => {
    await tenantKms.disableKey(keyArn);
    // The e2e server caches data keys for 2 s (playwright.config.ts). Outlasting that makes
    // the reads below unwrap the data key again, now under the platform key.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    for (const [index, id] of factIds.ids.entries()) {
      const response = await request.get(`/api/v1/facts/${id}`, { headers: { authorization: `Bearer ${factIds.token}` } });
      expect(response.status()).toBe(200);
      expect((await response.json()).data.content).toBe(["first fact", "second fact"][index]);
    }
  });

  await supportA.context().close();

  await test.step("a tenant admin opening /support is refused", async () => {
    const adminContext = await browser.newContext();
    const adminPage = await adminContext.newPage();
    await signIn(adminPage, admin);
    await adminPage.goto("/support");
    await expect(adminPage.getByRole("heading", { name: "Access denied" })).toBeVisible();
    await expect(adminPage.getByRole("table")).toHaveCount(0);
    await adminPage.goto(`/support/accounts/${tenant.accountId}`);
    await expect(adminPage.getByRole("heading", { name: "Access denied" })).toBeVisible();
    await expect(adminPage.getByText(reason)).toHaveCount(0);
    await adminContext.close();

    const refusals = await db.auditEvent.findMany({ where: { actorUserId: admin.id, outcome: "DENIED" }, orderBy: { id: "asc" } });
    expect(refusals.map((event) => event.action)).toEqual(["support.accounts.list", "support.account.view"]);
  });
});
