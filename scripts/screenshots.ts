import { chromium, type Page } from "@playwright/test";

/**
 * Takes the README's screenshots of a running dashboard (BASE_URL, default
 * http://127.0.0.1:3000) with the demo users and keys that `npm run dev` prints:
 * DEMO_KEY_ARN and DEMO_DENIED_KEY_ARN must be set to those two ARNs.
 */

const baseUrl = process.env.BASE_URL ?? "http://127.0.0.1:3000";
const workingArn = process.env.DEMO_KEY_ARN;
const deniedArn = process.env.DEMO_DENIED_KEY_ARN;
const outDir = process.env.SCREENSHOT_DIR ?? "docs/screenshots";
if (!workingArn || !deniedArn) {
  console.error("Set DEMO_KEY_ARN and DEMO_DENIED_KEY_ARN to the ARNs that `npm run dev` printed.");
  process.exit(1);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});

async function signIn(page: Page, email: string, password: string) {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/account/encryption");
}

async function shoot(page: Page, name: string) {
  await page.screenshot({ path: `${outDir}/${name}.png`, fullPage: true });
  console.log(`${outDir}/${name}.png`);
}

try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await signIn(page, "owner@acme.example", "demo-owner-pass");
  await shoot(page, "encryption-initial");

  await page.getByLabel("Key ARN").fill(deniedArn);
  await page.getByRole("button", { name: "Save Configuration" }).click();
  await page.getByText("The key was not saved").waitFor();
  await shoot(page, "encryption-failed-validation");

  await page.getByLabel("Key ARN").fill("arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab");
  await shoot(page, "encryption-arn-feedback");

  await page.getByLabel("Key ARN").fill(workingArn);
  await page.getByRole("button", { name: "Save Configuration" }).click();
  await page.getByText("BYOK is active with").waitFor();
  await shoot(page, "encryption-active");

  const member = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await signIn(member, "member@acme.example", "demo-member-pass");
  await shoot(member, "encryption-member");

  const globex = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await signIn(globex, "owner@globex.example", "demo-globex-pass");
  await shoot(globex, "encryption-no-add-on");
} finally {
  await browser.close();
}
