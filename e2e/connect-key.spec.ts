import { expect, test } from "./support/fixtures";
import { openEncryptionPage } from "./support/encryption-page";
import { userWithRole } from "./support/seed";
import { signIn } from "./support/sign-in";

test("owner connects a working key", async ({ page, createTenant, tenantKms, db }) => {
  const tenant = await createTenant({ roles: ["OWNER"] });
  const owner = userWithRole(tenant, "OWNER");
  const keyArn = await tenantKms.createKey(tenant.accountId);
  const [arnPrefix] = keyArn.split("key/");

  await signIn(page, owner);
  const encryption = await openEncryptionPage(page);

  await test.step("status starts as not connected", async () => {
    await expect(encryption.stateBadge).toHaveText("Not connected");
    await expect(encryption.parsedValue("Region")).toHaveText("—");
  });

  await test.step("region, account and key type appear while typing", async () => {
    await encryption.keyArnField.pressSequentially(`${arnPrefix}`);
    await expect(encryption.parsedValue("Region")).toHaveText("us-west-2");
    await expect(encryption.parsedValue("AWS account")).toHaveText("111122223333");
    await expect(encryption.parsedValue("Key type")).toHaveText("—");

    await encryption.keyArnField.pressSequentially(keyArn.slice(`${arnPrefix}`.length));
    await expect(encryption.keyArnField).toHaveValue(keyArn);
    await expect(encryption.parsedValue("Key type")).toHaveText("Single-region");
    await expect(encryption.parsedValue("Key ID")).toHaveText(keyArn.split("key/")[1] ?? "");
    await expect(encryption.keyArnField).not.toHaveAttribute("aria-invalid", "true");
  });

  // The save's validation time must fall between the click and the success message.
  let clickedAt = 0;
  let confirmedAt = 0;
  await test.step("save shows the pending state until the server answers", async () => {
    // Holding the server action's request keeps the form pending for as long as the checks take.
    let releaseRequest!: () => void;
    const requestReleased = new Promise<void>((resolve) => (releaseRequest = resolve));
    let markRequestHeld!: () => void;
    const requestHeld = new Promise<void>((resolve) => (markRequestHeld = resolve));
    await page.route("**/account/encryption", async (route) => {
      if (route.request().method() === "POST" && route.request().headers()["next-action"] !== undefined) {
        markRequestHeld();
        await requestReleased;
      }
      await route.continue();
    });

    clickedAt = Date.now();
    await encryption.saveButton.click();
    const pendingButton = encryption.connect.getByRole("button", { name: "Validating key with AWS KMS…" });
    await expect(pendingButton).toBeVisible();
    await expect(pendingButton).toBeDisabled();
    await expect(encryption.keyArnField).toBeDisabled();
    await requestHeld;

    releaseRequest();
    await expect(encryption.connect.getByRole("status")).toHaveText(`BYOK is active with ${keyArn}.`);
    confirmedAt = Date.now();
    await page.unroute("**/account/encryption");
  });

  await test.step("status shows the active key and when it was validated", async () => {
    await expect(encryption.stateBadge).toHaveText("Active");
    await expect(encryption.statusKeyArn).toHaveText(keyArn);
    await expect(encryption.lastValidated).toContainText(/just now|\d+ seconds? ago/);
    await expect(encryption.lastValidated).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
    const validatedAt = Date.parse((await encryption.lastValidated.locator("time").getAttribute("datetime")) ?? "");
    expect(validatedAt).toBeGreaterThanOrEqual(clickedAt);
    expect(validatedAt).toBeLessThanOrEqual(confirmedAt);
    await expect(encryption.status.getByText(`${owner.name} (${owner.email})`)).toBeVisible();
  });

  await test.step("the database holds the active configuration", async () => {
    const config = await db.encryptionConfig.findUnique({ where: { accountId: tenant.accountId } });
    expect(config?.keyArn).toBe(keyArn);
    expect(config?.state).toBe("ACTIVE");
    expect(config?.enabledById).toBe(owner.id);
    const saved = await db.auditEvent.findMany({ where: { accountId: tenant.accountId, action: "byok.key.save" } });
    expect(saved.map((event) => event.outcome)).toEqual(["SUCCESS"]);
  });
});
