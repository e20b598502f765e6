import { expect, test } from "./support/fixtures";
import { userWithRole } from "./support/seed";
import { fillSignInForm } from "./support/sign-in";

test("signed-out user returns after sign-in", async ({ page, createTenant }) => {
  const tenant = await createTenant({ roles: ["MEMBER"] });
  const member = userWithRole(tenant, "MEMBER");

  await test.step("the encryption page sends a signed-out user to sign-in", async () => {
    await page.goto("/account/encryption");
    await expect(page).toHaveURL("/sign-in?callbackUrl=%2Faccount%2Fencryption");
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  });

  await test.step("signing in lands back on the encryption page", async () => {
    await fillSignInForm(page, member);
    await expect(page).toHaveURL("/account/encryption");
    await expect(page.getByRole("heading", { name: "Encryption", level: 1 })).toBeVisible();
    await expect(page.getByRole("banner")).toContainText(tenant.accountName);
    await expect(page.getByRole("banner")).toContainText(member.email);
  });
});

test("wrong password shows an error", async ({ page, createTenant, db }) => {
  const tenant = await createTenant({ roles: ["OWNER"] });
  const owner = userWithRole(tenant, "OWNER");

  await page.goto("/sign-in?callbackUrl=%2Faccount%2Fencryption");
  await fillSignInForm(page, { email: owner.email, password: `${owner.password}-wrong` });

  // Scoped to the main landmark, because Next.js adds its own (empty) alert region for route announcements.
  await expect(page.getByRole("main").getByRole("alert")).toHaveText("The email or password is incorrect.");
  await expect(page).toHaveURL("/sign-in?callbackUrl=%2Faccount%2Fencryption");
  await expect(page.getByLabel("Password")).toBeEnabled();

  const denials = await db.auditEvent.findMany({ where: { action: "auth.sign_in", actorEmail: owner.email } });
  expect(denials).toHaveLength(1);
  expect(denials[0]?.outcome).toBe("DENIED");
  expect(denials[0]?.errorCode).toBe("INVALID_CREDENTIALS");

  await test.step("the right password then signs in", async () => {
    await fillSignInForm(page, owner);
    await expect(page).toHaveURL("/account/encryption");
  });
});
