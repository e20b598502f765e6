import { openEncryptionPage } from "./support/encryption-page";
import { expect, test } from "./support/fixtures";
import { userWithRole } from "./support/seed";
import { signIn } from "./support/sign-in";

test("key policy without kms:Decrypt is explained", async ({ page, createTenant, tenantKms, db }) => {
  const tenant = await createTenant({ roles: ["OWNER"] });
  const keyArn = await tenantKms.createKey(tenant.accountId, { allowDecrypt: false });

  await signIn(page, userWithRole(tenant, "OWNER"));
  const encryption = await openEncryptionPage(page);
  await encryption.keyArnField.fill(keyArn);
  await encryption.saveButton.click();

  const failure = encryption.connect.getByRole("alert");
  await test.step("the failure names kms:Decrypt and the fix", async () => {
    await expect(failure).toContainText("The key was not saved");
    await expect(failure).toContainText(`AWS KMS denied kms:Decrypt on ${keyArn} to the platform role arn:aws:iam::467218391112:role/zep-byok.`);
    await expect(failure).toContainText(`Key ARN tried: ${keyArn}`);
    await expect(failure.getByRole("listitem").first()).toContainText(
      'The AllowZepBYOKAccess statement allows kms:GenerateDataKey but not kms:Decrypt. Add "kms:Decrypt" to its Action list.',
    );
    await expect(failure).toContainText("Error code: KEY_ACCESS_DENIED");
  });

  await test.step("nothing is saved and the failure is audited", async () => {
    await expect(encryption.stateBadge).toHaveText("Not connected");
    expect(await db.encryptionConfig.findUnique({ where: { accountId: tenant.accountId } })).toBeNull();

    const saves = await db.auditEvent.findMany({ where: { accountId: tenant.accountId, action: "byok.key.save" } });
    expect(saves).toHaveLength(1);
    expect(saves[0]?.outcome).toBe("FAILURE");
    expect(saves[0]?.errorCode).toBe("KEY_ACCESS_DENIED");
    expect(saves[0]?.keyArn).toBe(keyArn);
    expect(saves[0]?.details).toMatchObject({ operation: "Decrypt", awsError: "AccessDeniedException" });
  });
});

test("disabled key is explained", async ({ page, createTenant, tenantKms, db }) => {
  const tenant = await createTenant({ roles: ["ADMIN"] });
  const keyArn = await tenantKms.createKey(tenant.accountId);
  await tenantKms.disableKey(keyArn);

  await signIn(page, userWithRole(tenant, "ADMIN"));
  const encryption = await openEncryptionPage(page);
  await encryption.keyArnField.fill(keyArn);
  await encryption.saveButton.click();

  const failure = encryption.connect.getByRole("alert");
  await test.step("the failure says the key is disabled and how to enable it", async () => {
    await expect(failure).toContainText(`The key ${keyArn} is disabled, so AWS KMS refused kms:GenerateDataKey.`);
    await expect(failure.getByRole("listitem").first()).toContainText(`aws kms enable-key --key-id ${keyArn} --region us-west-2`);
    await expect(failure).toContainText("Error code: KEY_DISABLED");
  });

  await test.step("nothing is saved and the failure is audited", async () => {
    await expect(encryption.stateBadge).toHaveText("Not connected");
    expect(await db.encryptionConfig.findUnique({ where: { accountId: tenant.accountId } })).toBeNull();

    const saves = await db.auditEvent.findMany({ where: { accountId: tenant.accountId, action: "byok.key.save" } });
    expect(saves).toHaveLength(1);
    expect(saves[0]?.outcome).toBe("FAILURE");
    expect(saves[0]?.errorCode).toBe("KEY_DISABLED");
  });
});
