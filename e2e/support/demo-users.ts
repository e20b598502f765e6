import { fileURLToPath } from "node:url";

import { DEMO_USERS, type DemoUser } from "@/lib/db/seed-demo";

/**
 * Demo users that scripts/e2e-server.ts seeds, and where the setup project stores each
 * one's signed-in state. Specs use them only for pages they do not change, because
 * every spec uses the same demo accounts.
 */
export const DEMO_ROLES = {
  acmeMember: "member@acme.example",
  globexOwner: "owner@globex.example",
} as const;

export type DemoRole = keyof typeof DEMO_ROLES;

export function demoUser(role: DemoRole): DemoUser {
  const user = DEMO_USERS.find((candidate) => candidate.email === DEMO_ROLES[role]);
  if (user === undefined) throw new Error(`lib/db/seed-demo.ts seeds no user ${DEMO_ROLES[role]}.`);
  return user;
}

/** Storage-state file of a demo role, under e2e/.auth (ignored by git). */
export function storageStatePath(role: DemoRole): string {
  return fileURLToPath(new URL(`../.auth/${role}.json`, import.meta.url));
}
