import { expect, test } from "./support/fixtures";
import { openEncryptionPage } from "./support/encryption-page";
import { userWithRole } from "./support/seed";
import { signIn } from "./support/sign-in";

test("records written before and after activation read back", async ({ page, request, createTenant, tenantKms, db }) => {
  const tenant = await createTenant({ roles: ["OWNER"] });
  await signIn(page, userWithRole(tenant, "OWNER"));

  const token = await test.step("the owner creates an API key and sees it once", async () => {
    await page.goto("/account/api-keys");
    await page.getByLabel("Name").fill("e2e writer");
    await page.getByRole("button", { name: "Create API key" }).click();
    const shown = page.getByTestId("new-api-key");
    await expect(shown).toHaveText(/^byok_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    return (await shown.textContent()) ?? "";
  });
  const headers = { authorization: `Bearer ${token}` };

  const sessionId = await test.step("a service writes under the platform key", async () => {
    const session = await request.post("/api/v1/sessions", { headers, data: { externalId: "e2e-chat", metadata: { channel: "e2e" } } });
    expect(session.status()).toBe(201);
    const id: string = (await session.json()).data.id;
    const message = await request.post(`/api/v1/sessions/${id}/messages`, { headers, data: { role: "user", content: "written before BYOK" } });
    expect(message.status()).toBe(201);
    return id;
  });

  await test.step("the owner activates BYOK", async () => {
    const keyArn = await tenantKms.createKey(tenant.accountId);
    const encryption = await openEncryptionPage(page);
    await encryption.keyArnField.fill(keyArn);
    await encryption.saveButton.click();
    await expect(encryption.stateBadge).toHaveText("Active");
  });

  await test.step("new records go under the tenant key and old ones stay readable", async () => {
    const message = await request.post(`/api/v1/sessions/${sessionId}/messages`, { headers, data: { role: "assistant", content: "written after BYOK", metadata: { n: 2 } } });
    expect(message.status()).toBe(201);

    const listed = await request.get(`/api/v1/sessions/${sessionId}/messages`, { headers });
    expect(listed.status()).toBe(200);
    const contents = (await listed.json()).data.map((item: { content: string }) => item.content);
    expect(contents).toEqual(["written before BYOK", "written after BYOK"]);

    const stored = await db.message.findMany({ where: { sessionId }, include: { dataKey: true }, orderBy: { createdAt: "asc" } });
    expect(stored.map((row) => row.dataKey.source)).toEqual(["PLATFORM", "TENANT"]);
  });

  await test.step("the Encryption page shows the split by key", async () => {
    await page.goto("/account/encryption");
    await expect(page.getByTestId("usage-tenant")).toContainText("1");
    await expect(page.getByTestId("usage-platform").getByRole("cell").nth(2)).toHaveText("2");
    await expect(page.getByTestId("usage-tenant").getByRole("cell").nth(2)).toHaveText("1");
  });

  await test.step("the API refuses requests without the key", async () => {
    const response = await request.get(`/api/v1/sessions/${sessionId}/messages`);
    expect(response.status()).toBe(401);
    expect((await response.json()).error.code).toBe("UNAUTHENTICATED");
  });
});
