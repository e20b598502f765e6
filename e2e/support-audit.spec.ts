import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";

import type { Download, Page } from "@playwright/test";

import type { KmsCallCause, PrismaClient } from "@/lib/db/generated/client";

import { expect, test } from "./support/fixtures";
import { userWithRole } from "./support/seed";
import { signIn } from "./support/sign-in";
import { createSupportUser, signInSupport } from "./support/support-users";

const DAY_MS = 24 * 3600 * 1000;

async function downloadText(page: Page, linkName: string): Promise<{ download: Download; text: string }> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: linkName }).click()]);
  return { download, text: await readFile(await download.path(), "utf8") };
}

/** Appends a KMS call row as the platform would have, at `createdAt`, and returns it. */
function insertKmsCall(db: PrismaClient, accountId: string, values: { cause: KmsCallCause; operation: string; ok?: boolean; createdAt: Date }) {
  const ok = values.ok ?? true;
  return db.kmsCall.create({
    data: {
      accountId,
      keyArn: "arn:aws:kms:us-west-2:111122223333:key/0b7c5a36-2f05-4d3c-9a57-8f6cdb3a1e11",
      operation: values.operation,
      encryptionContext: { service: "zep", account_uuid: accountId },
      requestId: randomUUID(),
      ok,
      errorCode: ok ? null : "DisabledException",
      cause: values.cause,
      latencyMs: 9,
      instance: "web-e2e",
      createdAt: values.createdAt,
    },
  });
}

test("support reads, filters and exports an account's audit log", async ({ browser, createTenant, db }) => {
  const tenant = await createTenant({ roles: ["OWNER", "MEMBER"] });
  const support = await createSupportUser(db);
  const now = Date.now();
  const yesterdayNoon = new Date(`${new Date(now - DAY_MS).toISOString().slice(0, 10)}T12:00:00.000Z`);
  const yesterday = yesterdayNoon.toISOString().slice(0, 10);

  // Newest first, as the page and the exports list them: yesterday's cache-miss decrypts are the filtered set.
  await insertKmsCall(db, tenant.accountId, { cause: "REWRAP", operation: "Decrypt", createdAt: new Date(yesterdayNoon.getTime() - DAY_MS) });
  const firstMiss = await insertKmsCall(db, tenant.accountId, { cause: "DECRYPT_CACHE_MISS", operation: "Decrypt", createdAt: new Date(yesterdayNoon.getTime() - 3600_000) });
  await insertKmsCall(db, tenant.accountId, { cause: "DATA_KEY_CREATE", operation: "GenerateDataKey", createdAt: yesterdayNoon });
  const secondMiss = await insertKmsCall(db, tenant.accountId, { cause: "DECRYPT_CACHE_MISS", operation: "Decrypt", ok: false, createdAt: new Date(yesterdayNoon.getTime() + 3600_000) });
  await insertKmsCall(db, tenant.accountId, { cause: "DECRYPT_CACHE_MISS", operation: "Decrypt", createdAt: new Date(now) });
  await insertKmsCall(db, tenant.accountId, { cause: "HEALTH_CHECK", operation: "GenerateDataKey", createdAt: new Date(now) });
  const filtered = [secondMiss, firstMiss];

  const page = await signInSupport(browser, support);
  const table = page.getByRole("table", { name: "KMS calls" });

  await test.step("support opens the log from the account's console page", async () => {
    await page.getByLabel("Search accounts").fill(tenant.accountName);
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("link", { name: tenant.accountName }).click();
    await page.getByRole("link", { name: "Open full audit log" }).click();
    await expect(page).toHaveURL(`/support/accounts/${tenant.accountId}/audit`);
    await expect(page.getByRole("heading", { level: 1, name: `Audit log of ${tenant.accountName}` })).toBeVisible();
    await expect(page.getByText(`You are reading this account as platform support (${support.email})`)).toBeVisible();
    await expect(table.getByRole("row")).toHaveCount(6 + 1);
    await expect(page.getByRole("region", { name: "Why the platform calls KMS" })).toContainText("Decrypt on cache miss");
  });

  await test.step("yesterday's cache misses are filtered by date and cause", async () => {
    await page.getByRole("navigation", { name: "Date ranges" }).getByRole("link", { name: "Yesterday" }).click();
    await expect(page).toHaveURL(new RegExp(`from=${yesterday}&to=${yesterday}`));
    await expect(table.getByRole("row")).toHaveCount(3 + 1);
    await page.getByLabel("Cause").selectOption({ label: "Decrypt on cache miss" });
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(/cause=DECRYPT_CACHE_MISS/);
    const rows = table.getByRole("row");
    await expect(rows).toHaveCount(filtered.length + 1);
    for (const [index, call] of filtered.entries()) {
      await expect(rows.nth(index + 1).getByTestId("request-id")).toHaveText(call.requestId ?? "missing request id");
    }
    await expect(rows.nth(1)).toContainText("Failed: DisabledException");
  });

  await test.step("the CSV export holds the filtered calls", async () => {
    const { download, text } = await downloadText(page, "Export CSV");
    expect(download.suggestedFilename()).toMatch(new RegExp(`^audit-kms-${tenant.accountId}-\\d{8}T\\d{6}Z\\.csv$`));
    const lines = text.trimEnd().split("\r\n");
    expect(lines[0]).toBe("id,created_at,operation,key_arn,cause,ok,error_code,request_id,latency_ms,instance,encryption_context");
    expect(lines.slice(1).map((line) => line.split(",")[0])).toEqual(filtered.map((call) => call.id.toString()));
    expect(lines[1]).toContain(`,Decrypt,${secondMiss.keyArn},DECRYPT_CACHE_MISS,false,DisabledException,${secondMiss.requestId},9,web-e2e,`);
    expect(lines[2]).toContain(`,Decrypt,${firstMiss.keyArn},DECRYPT_CACHE_MISS,true,,${firstMiss.requestId},9,web-e2e,`);
  });

  await test.step("the JSON export holds the filtered calls", async () => {
    const { download, text } = await downloadText(page, "Export JSON");
    expect(download.suggestedFilename()).toMatch(/\.json$/);
    const body = JSON.parse(text);
    expect(body.accountId).toBe(tenant.accountId);
    expect(body.filters).toEqual({ kind: "kms", from: yesterday, to: yesterday, cause: "DECRYPT_CACHE_MISS" });
    expect(body.rowCount).toBe(filtered.length);
    expect(body.truncated).toBe(false);
    expect(body.rows.map((row: { requestId: string; ok: boolean }) => [row.requestId, row.ok])).toEqual(filtered.map((call) => [call.requestId, call.ok]));
  });

  await test.step("each read and export is recorded in the account's log", async () => {
    const events = await db.auditEvent.findMany({ where: { accountId: tenant.accountId, actorUserId: support.id }, orderBy: { id: "asc" } });
    expect(events.every((event) => event.actorType === "SUPPORT" && event.outcome === "SUCCESS" && event.actorEmail === support.email)).toBe(true);
    expect(events.map((event) => event.action)).toEqual(["audit.read", "audit.read", "audit.read", "audit.export", "audit.export"]);
    const appliedFilters = { kind: "kms", from: yesterday, to: yesterday, cause: "DECRYPT_CACHE_MISS" };
    expect(events[2]?.details).toEqual({ filters: appliedFilters, cursor: null });
    expect(events[3]?.details).toEqual({ format: "csv", filters: appliedFilters, rowCount: 2, truncated: false });
    expect(events[4]?.details).toMatchObject({ format: "json", rowCount: 2 });
  });

  await test.step("the Settings and access tab shows them to support", async () => {
    await page.getByRole("link", { name: "Settings and access" }).click();
    await page.getByLabel("Actor").selectOption("SUPPORT");
    await page.getByRole("button", { name: "Apply filters" }).click();
    const rows = page.getByRole("table", { name: "Audit events" }).getByRole("row");
    await expect(rows.filter({ hasText: "audit.export" })).toHaveCount(2);
    await expect(rows.nth(1)).toContainText(`platform support (${support.email})`);
  });

  await page.context().close();

  await test.step("the tenant's owner sees the support reads on their own Audit page", async () => {
    const ownerPage = await (await browser.newContext()).newPage();
    await signIn(ownerPage, userWithRole(tenant, "OWNER"));
    await ownerPage.goto("/account/audit?kind=audit&actor=SUPPORT&action=audit.export");
    const rows = ownerPage.getByRole("table", { name: "Audit events" }).getByRole("row");
    await expect(rows).toHaveCount(2 + 1);
    await expect(rows.nth(1)).toContainText(`platform support (${support.email})`);
    await ownerPage.context().close();
  });
});

test("support audit log denies other users", async ({ browser, page, createTenant, db }) => {
  const tenant = await createTenant({ roles: ["OWNER"] });
  const target = await createTenant({ roles: ["OWNER"] });
  const owner = userWithRole(tenant, "OWNER");
  const path = `/support/accounts/${target.accountId}/audit`;

  await test.step("a signed-out visitor is sent to sign in, and the export returns 401", async () => {
    const context = await browser.newContext();
    const anonymous = await context.newPage();
    await anonymous.goto(path);
    await expect(anonymous).toHaveURL(/\/sign-in\?callbackUrl=/);
    expect(new URL(anonymous.url()).searchParams.get("callbackUrl")).toBe(path);
    const response = await anonymous.request.get(`${path}/export?format=json`);
    expect(response.status()).toBe(401);
    await context.close();
  });

  await test.step("a tenant owner is refused on the page and the export", async () => {
    await signIn(page, owner);
    await page.goto(path);
    await expect(page.getByRole("heading", { name: "Access denied" })).toBeVisible();
    await expect(page.getByRole("table")).toHaveCount(0);
    const response = await page.request.get(`${path}/export?format=csv`);
    expect(response.status()).toBe(403);
    expect(await response.json()).toMatchObject({ error: "ACCESS_DENIED" });
  });

  const refusals = await db.auditEvent.findMany({ where: { actorUserId: owner.id, outcome: "DENIED" }, orderBy: { id: "asc" } });
  expect(refusals.map((event) => [event.action, event.errorCode, event.accountId])).toEqual([
    ["audit.read", "NOT_SUPPORT", null],
    ["audit.export", "NOT_SUPPORT", null],
  ]);
  expect(refusals.every((event) => (event.details as { targetAccountId?: string }).targetAccountId === target.accountId)).toBe(true);
  expect(await db.auditEvent.count({ where: { accountId: target.accountId } })).toBe(0);
});
