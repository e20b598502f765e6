import type { Locator, Page } from "@playwright/test";

/** Locators of Account > Encryption, by role and label where the page provides them. */
export function encryptionPage(page: Page) {
  const status = page.getByRole("region", { name: "Status" });
  const connect = page.getByRole("region", { name: /^(Connect your key|Change key)$/ });
  const parsed = connect.locator("#keyArn-parsed");

  return {
    status,
    stateBadge: status.getByTestId("byok-state"),
    statusKeyArn: status.getByTestId("status-key-arn"),
    lastValidated: status.getByTestId("last-validated"),
    testConnectionButton: status.getByRole("button", { name: "Test connection" }),
    connect,
    keyArnField: connect.getByLabel("Key ARN"),
    saveButton: connect.getByRole("button", { name: "Save Configuration" }),
    /** The value that the form parsed from the typed ARN under `label` (Region, AWS account, Key type or Key ID), or "—" when there is none. */
    parsedValue: (label: string): Locator =>
      parsed.locator("div").filter({ has: page.getByRole("term").filter({ hasText: label }) }).getByRole("definition"),
  };
}

export async function openEncryptionPage(page: Page) {
  await page.goto("/account/encryption");
  return encryptionPage(page);
}
