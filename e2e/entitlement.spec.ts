import { storageStatePath } from "./support/demo-users";
import { expect, test } from "./support/fixtures";

test.use({ storageState: storageStatePath("globexOwner") });

test("add-on notice replaces the form", async ({ page }) => {
  await page.goto("/account/encryption");

  const notice = page.getByRole("region", { name: "Bring your own key (BYOK) is an add-on" });
  await test.step("the notice explains BYOK and how to get it", async () => {
    await expect(notice).toContainText("connect a symmetric key from your own AWS KMS account");
    await expect(notice.getByRole("listitem")).toHaveCount(3);
    await expect(notice).toContainText("Every use of your key by the platform appears in your AWS CloudTrail");
    await expect(notice).toContainText("To get the add-on, ask platform support or your account manager to enable BYOK for Globex Shipping.");
  });

  await test.step("no status, form or key policy is shown", async () => {
    await expect(page.getByRole("region", { name: "Status" })).toHaveCount(0);
    await expect(page.getByLabel("Key ARN")).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Save Configuration" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Test connection" })).toHaveCount(0);
    await expect(page.getByRole("region", { name: "Key policy" })).toHaveCount(0);
  });
});
