import { openEncryptionPage } from "./support/encryption-page";
import { expect, test } from "./support/fixtures";
import { userWithRole } from "./support/seed";
import { signIn } from "./support/sign-in";

test("test connection follows the key state", async ({ page, createTenant, tenantKms, db }) => {
  const tenant = await createTenant({ roles: ["OWNER"] });
  const keyArn = await tenantKms.createKey(tenant.accountId);

  await signIn(page, userWithRole(tenant, "OWNER"));
  const encryption = await openEncryptionPage(page);
  const checks = encryption.status.getByRole("table");

  await test.step("owner saves a working key", async () => {
    await encryption.keyArnField.fill(keyArn);
    await encryption.saveButton.click();
    await expect(encryption.stateBadge).toHaveText("Active");
    await expect(encryption.statusKeyArn).toHaveText(keyArn);
  });

  await test.step("a disabled key fails the test and stays saved", async () => {
    await tenantKms.disableKey(keyArn);
    await encryption.testConnectionButton.click();

    const failure = encryption.status.getByRole("alert");
    await expect(failure).toContainText("Test connection failed");
    await expect(failure).toContainText(`The key ${keyArn} is disabled, so AWS KMS refused kms:GenerateDataKey.`);
    await expect(failure).toContainText("Error code: KEY_DISABLED");
    await expect(encryption.status).toContainText("Last check failed: KEY_DISABLED");
    await expect(checks.getByRole("row").nth(1)).toContainText("Failed: KEY_DISABLED");
    await expect(encryption.statusKeyArn).toHaveText(keyArn);
    await expect(encryption.stateBadge).toHaveText("Key unavailable");

    const config = await db.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } });
    expect(config.keyArn).toBe(keyArn);
    expect(config.lastErrorCode).toBe("KEY_DISABLED");
    expect(config.state).toBe("UNAVAILABLE");
  });

  await test.step("the re-enabled key passes the test", async () => {
    await tenantKms.enableKey(keyArn);
    await encryption.testConnectionButton.click();

    await expect(encryption.status.getByRole("status")).toContainText(`Connection to ${keyArn} works`);
    await expect(encryption.status.getByRole("alert")).toHaveCount(0);
    await expect(encryption.status).not.toContainText("Last check failed");
    await expect(checks.getByRole("row").nth(1)).toContainText("Passed");
    await expect(encryption.stateBadge).toHaveText("Active");

    const config = await db.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } });
    expect(config.keyArn).toBe(keyArn);
    expect(config.lastErrorCode).toBeNull();
    const tests = await db.auditEvent.findMany({ where: { accountId: tenant.accountId, action: "byok.key.test" }, orderBy: { id: "asc" } });
    expect(tests.map((event) => [event.outcome, event.errorCode])).toEqual([
      ["FAILURE", "KEY_DISABLED"],
      ["SUCCESS", null],
    ]);
  });
});
