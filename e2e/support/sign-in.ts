import { expect, type Page } from "@playwright/test";

export interface Credentials {
  email: string;
  password: string;
}

/**
 * Signs in through the sign-in form and waits for the redirect to Account > Encryption,
 * where the form sends users who arrive without a callback URL.
 */
export async function signIn(page: Page, user: Credentials): Promise<void> {
  await page.goto("/sign-in");
  await fillSignInForm(page, user);
  await expect(page).toHaveURL(/\/account\/encryption$/);
}

/** Types the credentials into the sign-in form on the current page and submits it. */
export async function fillSignInForm(page: Page, user: Credentials): Promise<void> {
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}
