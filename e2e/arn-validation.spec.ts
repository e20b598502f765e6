import type { Request } from "@playwright/test";

import { openEncryptionPage } from "./support/encryption-page";
import { expect, test } from "./support/fixtures";
import { userWithRole } from "./support/seed";
import { signIn } from "./support/sign-in";

const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";

/** Malformed key ARNs, the reason shown beside the field, and the fields parsed from each. */
const MALFORMED_ARNS = [
  {
    kind: "alias ARN",
    value: "arn:aws:kms:us-west-2:111122223333:alias/acme-byok",
    reason: '"alias/acme-byok" is an alias, which can be moved to another key. Paste the ARN of the key itself',
    region: "us-west-2",
    account: "111122223333",
  },
  {
    kind: "bare key id",
    value: KEY_ID,
    reason: `"${KEY_ID}" is a key ID, which does not say which region and AWS account the key is in.`,
    region: "—",
    account: "—",
  },
  {
    kind: "availability zone as region",
    value: `arn:aws:kms:us-west-2a:111122223333:key/${KEY_ID}`,
    reason: '"us-west-2a" is an availability zone, not a region. KMS keys belong to a region, here us-west-2.',
    region: "—",
    account: "111122223333",
  },
  {
    kind: "other partition",
    value: `arn:aws-cn:kms:cn-north-1:111122223333:key/${KEY_ID}`,
    reason: "The key is in the aws-cn partition, AWS China, but this service runs in the aws partition",
    region: "cn-north-1",
    account: "111122223333",
  },
] as const;

test("malformed ARNs rejected before posting", async ({ page, createTenant, tenantKms, db }) => {
  const tenant = await createTenant({ roles: ["OWNER"] });
  const { primaryArn, replicaArn } = await tenantKms.createMultiRegionKey(tenant.accountId, "eu-west-1");

  const actionRequests: Request[] = [];
  page.on("request", (request) => {
    if (request.method() === "POST" && request.headers()["next-action"] !== undefined) actionRequests.push(request);
  });

  await signIn(page, userWithRole(tenant, "OWNER"));
  const encryption = await openEncryptionPage(page);
  const fieldError = encryption.connect.locator("#keyArn-error");

  for (const malformed of MALFORMED_ARNS) {
    await test.step(`${malformed.kind} is rejected`, async () => {
      await encryption.keyArnField.fill(malformed.value);

      await expect(fieldError).toContainText(malformed.reason);
      await expect(encryption.keyArnField).toHaveAttribute("aria-invalid", "true");
      await expect(encryption.keyArnField).toHaveAccessibleDescription(new RegExp(escapeRegExp(malformed.reason)));
      await expect(encryption.parsedValue("Region")).toHaveText(malformed.region);
      await expect(encryption.parsedValue("AWS account")).toHaveText(malformed.account);

      await encryption.saveButton.click();
      await expect(fieldError).toContainText(malformed.reason);
      await expect(encryption.saveButton).toBeEnabled();
    });
  }

  await test.step("multi-region key in another region offers its replica", async () => {
    await encryption.keyArnField.fill(primaryArn);
    await expect(fieldError).toContainText(
      "This multi-region key is in eu-west-1, but this service runs in us-west-2. Replicate the key to us-west-2 if it has no replica there yet, and paste the replica's ARN.",
    );
    await expect(encryption.parsedValue("Region")).toHaveText("eu-west-1");
    await expect(encryption.parsedValue("Key type")).toHaveText("Multi-region");
    await encryption.saveButton.click();
    await expect(fieldError).toBeVisible();

    await encryption.connect.getByRole("button", { name: `Use ${replicaArn}` }).click();
    await expect(encryption.keyArnField).toHaveValue(replicaArn);
    await expect(fieldError).toHaveCount(0);
    await expect(encryption.keyArnField).not.toHaveAttribute("aria-invalid", "true");
    await expect(encryption.parsedValue("Region")).toHaveText("us-west-2");
    await expect(encryption.parsedValue("Key type")).toHaveText("Multi-region");
  });

  await test.step("only the valid replica ARN is posted", async () => {
    await encryption.saveButton.click();
    await expect(encryption.stateBadge).toHaveText("Active");
    await expect(encryption.statusKeyArn).toHaveText(replicaArn);
    await expect(encryption.status.getByText("Multi-region key")).toBeVisible();

    // Requests go out in order, so any post of a malformed ARN would be listed before this one.
    expect(actionRequests).toHaveLength(1);
    expect(actionRequests[0]?.postData()).toContain(replicaArn);
    const config = await db.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } });
    expect(config.keyArn).toBe(replicaArn);
    expect(config.multiRegion).toBe(true);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
