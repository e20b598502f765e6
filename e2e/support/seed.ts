import { randomBytes, randomUUID } from "node:crypto";

import { hashPassword } from "@/lib/auth/password";
import type { MembershipRole, PrismaClient } from "@/lib/db/generated/client";

/**
 * Seed factories for tenants of the platform. Every call creates a new account with
 * users whose emails are unique to it, so tests never share rows and can run in
 * parallel. Nothing is deleted afterwards because scripts/e2e-server.ts recreates the
 * database on every start.
 */

export interface SeededUser {
  id: string;
  email: string;
  password: string;
  name: string;
  role: MembershipRole;
}

export interface SeededTenant {
  accountId: string;
  accountName: string;
  /** The account's users by role. Only the roles passed to `createTenant` are present. */
  users: Partial<Record<MembershipRole, SeededUser>>;
}

export interface TenantOptions {
  byokAddOn?: boolean;
  /** Roles of the users to create, one user each. The default is a single owner. */
  roles?: readonly MembershipRole[];
}

export async function createTenant(prisma: PrismaClient, options: TenantOptions = {}): Promise<SeededTenant> {
  const { byokAddOn = true, roles = ["OWNER"] } = options;
  const suffix = randomUUID().slice(0, 8);
  const accountName = `E2E Tenant ${suffix}`;
  const account = await prisma.account.create({ data: { name: accountName, byokAddOn } });

  const users: SeededTenant["users"] = {};
  for (const role of roles) {
    const password = randomBytes(12).toString("base64url");
    const email = `${role.toLowerCase()}-${suffix}@e2e.example`;
    const name = `${role.charAt(0)}${role.slice(1).toLowerCase()} ${suffix}`;
    const user = await prisma.user.create({
      data: {
        email,
        name,
        passwordHash: await hashPassword(password),
        memberships: { create: { accountId: account.id, role } },
      },
    });
    users[role] = { id: user.id, email, password, name, role };
  }
  return { accountId: account.id, accountName, users };
}

/** Returns the tenant's user with `role`, and throws when the tenant was created without one. */
export function userWithRole(tenant: SeededTenant, role: MembershipRole): SeededUser {
  const user = tenant.users[role];
  if (user === undefined) {
    throw new Error(`Tenant ${tenant.accountName} has no ${role} user. Pass "${role}" in roles to createTenant.`);
  }
  return user;
}
