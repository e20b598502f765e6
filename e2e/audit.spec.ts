import { readFile } from "node:fs/promises";

import type { Download, Page } from "@playwright/test";

import { openEncryptionPage } from "./support/encryption-page";
import { expect, test } from "./support/fixtures";
import { userWithRole } from "./support/seed";
import { signIn } from "./support/sign-in";

/** Finds the page's refusal by its text, because Next.js also renders an empty route announcer with role="alert". */
function refusal(page: Page) {
  return page.getByRole("alert").filter({ hasText: "You cannot read this audit log" });
}

async function downloadText(page: Page, linkName: string): Promise<{ download: Download; text: string }> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: linkName }).click()]);
  const path = await download.path();
  return { download, text: await readFile(path, "utf8") };
}

test("owner reads, filters and exports the audit log", async ({ page, createTenant, tenantKms, db }) => {
  const tenant = await createTenant({ roles: ["OWNER"] });
  const owner = userWithRole(tenant, "OWNER");
  const keyArn = await tenantKms.createKey(tenant.accountId);

  await signIn(page, owner);

  await test.step("owner saves a key and tests the connection", async () => {
    const encryption = await openEncryptionPage(page);
    await encryption.keyArnField.fill(keyArn);
    await encryption.saveButton.click();
    await expect(encryption.stateBadge).toHaveText("Active");
    await encryption.testConnectionButton.click();
    await expect(encryption.status.getByRole("status")).toContainText(`Connection to ${keyArn} works`);
  });

  // The e2e server's health checks run every 2 s and may add HEALTH_CHECK calls at any moment, so only the
  // round trips of the owner's save and test are compared. A test may also read the key's rotation status.
  const calls = await db.kmsCall.findMany({
    where: { accountId: tenant.accountId, cause: { in: ["VALIDATION", "TEST_CONNECTION"] }, operation: { in: ["GenerateDataKey", "Decrypt"] } },
    orderBy: { id: "desc" },
  });
  const testCalls = await db.kmsCall.findMany({ where: { accountId: tenant.accountId, cause: "TEST_CONNECTION" }, orderBy: { id: "desc" } });
  expect(calls.map((call) => [call.operation, call.cause])).toEqual([
    ["Decrypt", "TEST_CONNECTION"],
    ["GenerateDataKey", "TEST_CONNECTION"],
    ["Decrypt", "VALIDATION"],
    ["GenerateDataKey", "VALIDATION"],
  ]);
  const table = page.getByRole("table", { name: "KMS calls" });

  await test.step("the KMS calls show with their request ids", async () => {
    await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Audit" }).click();
    await expect(page.getByRole("heading", { name: "Audit", level: 1 })).toBeVisible();
    for (const call of calls) {
      const row = table.getByRole("row").filter({ hasText: call.requestId ?? "missing request id" });
      await expect(row).toHaveCount(1);
      await expect(row).toContainText(call.operation);
      await expect(row).toContainText(call.cause);
      await expect(row.getByTestId("request-id")).toHaveText(call.requestId ?? "missing request id");
      await expect(row).toContainText(keyArn);
    }
  });

  await test.step("each cause is explained and a request ID copies", async () => {
    const guide = page.getByRole("region", { name: "Why the platform calls KMS" });
    for (const label of ["Validation", "Test connection", "Health check", "Data key creation", "Decrypt on cache miss", "Re-wrap"]) {
      await expect(guide.getByRole("term").filter({ hasText: label })).toBeVisible();
    }
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    const requestId = calls[0]?.requestId ?? "missing request id";
    const row = table.getByRole("row").filter({ hasText: requestId });
    await row.getByRole("button", { name: "Copy" }).click();
    await expect(row.getByRole("button", { name: "Copied" })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(requestId);
  });

  await test.step("filtering by cause keeps the test connection calls", async () => {
    await page.getByLabel("Cause").selectOption("TEST_CONNECTION");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(/cause=TEST_CONNECTION/);
    const rows = table.getByRole("row");
    await expect(rows).toHaveCount(testCalls.length + 1);
    for (const [index, call] of testCalls.entries()) {
      await expect(rows.nth(index + 1).getByTestId("request-id")).toHaveText(call.requestId ?? "missing request id");
    }
  });

  await test.step("CSV export holds the filtered calls", async () => {
    const { download, text } = await downloadText(page, "Export CSV");
    expect(download.suggestedFilename()).toMatch(new RegExp(`^audit-kms-${tenant.accountId}-\\d{8}T\\d{6}Z\\.csv$`));
    const lines = text.trimEnd().split("\r\n");
    expect(lines[0]).toBe("id,created_at,operation,key_arn,cause,ok,error_code,request_id,latency_ms,instance,encryption_context");
    expect(lines).toHaveLength(testCalls.length + 1);
    for (const [index, call] of testCalls.entries()) {
      const line = lines[index + 1] ?? "";
      expect(line.startsWith(`${call.id},`)).toBe(true);
      expect(line).toContain(`,${call.operation},${keyArn},TEST_CONNECTION,${call.ok},${call.errorCode ?? ""},${call.requestId},`);
    }
  });

  await test.step("JSON export holds the filtered calls", async () => {
    const { download, text } = await downloadText(page, "Export JSON");
    expect(download.suggestedFilename()).toMatch(/\.json$/);
    const body = JSON.parse(text);
    expect(body.accountId).toBe(tenant.accountId);
    expect(body.filters).toEqual({ kind: "kms", cause: "TEST_CONNECTION" });
    expect(body.truncated).toBe(false);
    expect(body.rows.map((row: { requestId: string }) => row.requestId)).toEqual(testCalls.map((call) => call.requestId));
  });

  await test.step("settings events show who saved and tested the key", async () => {
    await page.getByRole("link", { name: "Settings and access" }).click();
    const rows = page.getByRole("table", { name: "Audit events" }).getByRole("row");
    await expect(rows.filter({ hasText: "byok.key.save" })).toContainText(owner.email);
    await expect(rows.filter({ hasText: "byok.key.test" })).toContainText("SUCCESS");
  });
});

test("member cannot read or export the audit log", async ({ page, createTenant, db }) => {
  const tenant = await createTenant({ roles: ["OWNER", "MEMBER"] });
  const member = userWithRole(tenant, "MEMBER");

  await signIn(page, member);

  await test.step("the page explains the refusal", async () => {
    await page.goto("/account/audit");
    await expect(refusal(page)).toContainText("Only account owners and admins can do this; your role is member.");
    await expect(page.getByRole("table")).toHaveCount(0);
  });

  await test.step("the export returns 403", async () => {
    const response = await page.request.get("/account/audit/export?kind=audit&format=csv");
    expect(response.status()).toBe(403);
    expect(await response.json()).toMatchObject({ error: "ACCESS_DENIED" });
  });

  const refusals = await db.auditEvent.findMany({ where: { accountId: tenant.accountId, outcome: "DENIED" }, orderBy: { id: "asc" } });
  expect(refusals.map((event) => [event.action, event.errorCode, event.actorUserId])).toEqual([
    ["audit.read", "ROLE_NOT_ALLOWED", member.id],
    ["audit.export", "ROLE_NOT_ALLOWED", member.id],
  ]);
});

test("owner cannot name another account", async ({ page, createTenant }) => {
  const tenant = await createTenant({ roles: ["OWNER"] });
  const other = await createTenant({ roles: ["OWNER"] });

  await signIn(page, userWithRole(tenant, "OWNER"));

  const response = await page.request.get(`/account/audit/export?kind=kms&format=json&account=${other.accountId}`);
  expect(response.status()).toBe(403);
  await page.goto(`/account/audit?account=${other.accountId}`);
  await expect(refusal(page)).toContainText("This request names an account you are not signed in to.");
});
