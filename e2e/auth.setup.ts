import { test as setup } from "@playwright/test";

import { DEMO_ROLES, demoUser, storageStatePath, type DemoRole } from "./support/demo-users";
import { signIn } from "./support/sign-in";

for (const role of Object.keys(DEMO_ROLES) as DemoRole[]) {
  setup(`sign in as ${role}`, async ({ page }) => {
    await signIn(page, demoUser(role));
    await page.context().storageState({ path: storageStatePath(role) });
  });
}
