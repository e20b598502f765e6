import { randomBytes, randomUUID } from "node:crypto";

import { expect, type Browser, type Page } from "@playwright/test";

import { hashPassword } from "@/lib/auth/password";
import type { PrismaClient } from "@/lib/db/generated/client";

import { fillSignInForm, type Credentials } from "./sign-in";

/** Creates a user with the global SUPPORT role and no membership. */
export async function createSupportUser(db: PrismaClient): Promise<Credentials & { id: string }> {
  const email = `support-${randomUUID().slice(0, 8)}@platform.example`;
  const password = randomBytes(12).toString("base64url");
  const user = await db.user.create({ data: { email, name: `Support ${email}`, passwordHash: await hashPassword(password), globalRole: "SUPPORT" } });
  return { id: user.id, email, password };
}

/** Signs in a support user in a new browser context; support users land on the support console. */
export async function signInSupport(browser: Browser, user: Credentials): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto("/sign-in");
  await fillSignInForm(page, user);
  await expect(page).toHaveURL(/\/support$/);
  return page;
}
