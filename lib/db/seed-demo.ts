import { hashPassword } from "@/lib/auth/password";
import type { GlobalRole, MembershipRole, PrismaClient } from "@/lib/db/generated/client";

/**
 * The demo tenant for development: an account with the BYOK add-on and its owner,
 * admin and member, an account without the add-on, and a platform support user.
 * These passwords are public (README) and exist only for local use.
 */

export interface DemoUser {
  email: string;
  password: string;
  name: string;
  account: string | null;
  role: MembershipRole | GlobalRole;
}

export const DEMO_ACCOUNT_NAME = "Acme Robotics";
export const DEMO_ACCOUNT_WITHOUT_ADD_ON_NAME = "Globex Shipping";

export const DEMO_USERS: readonly DemoUser[] = [
  { email: "owner@acme.example", password: "demo-owner-pass", name: "Olivia Owner", account: DEMO_ACCOUNT_NAME, role: "OWNER" },
  { email: "admin@acme.example", password: "demo-admin-pass", name: "Adam Admin", account: DEMO_ACCOUNT_NAME, role: "ADMIN" },
  { email: "member@acme.example", password: "demo-member-pass", name: "Mia Member", account: DEMO_ACCOUNT_NAME, role: "MEMBER" },
  { email: "owner@globex.example", password: "demo-globex-pass", name: "Gus Globex", account: DEMO_ACCOUNT_WITHOUT_ADD_ON_NAME, role: "OWNER" },
  { email: "support@platform.example", password: "demo-support-pass", name: "Sam Support", account: null, role: "SUPPORT" },
  // A second support user, because disabling BYOK needs another support user's approval.
  { email: "approver@platform.example", password: "demo-approver-pass", name: "Avery Approver", account: null, role: "SUPPORT" },
];

export interface SeededDemo {
  accountId: string;
  users: readonly DemoUser[];
}

/** Creates the demo data once; later runs leave existing rows untouched. */
export async function seedDemo(prisma: PrismaClient): Promise<SeededDemo> {
  const accounts = new Map<string, string>();
  for (const [name, byokAddOn] of [[DEMO_ACCOUNT_NAME, true], [DEMO_ACCOUNT_WITHOUT_ADD_ON_NAME, false]] as const) {
    const existing = await prisma.account.findFirst({ where: { name }, orderBy: { createdAt: "asc" } });
    const account = existing ?? (await prisma.account.create({ data: { name, byokAddOn } }));
    accounts.set(name, account.id);
  }

  for (const demo of DEMO_USERS) {
    const user =
      (await prisma.user.findUnique({ where: { email: demo.email } })) ??
      (await prisma.user.create({
        data: {
          email: demo.email,
          name: demo.name,
          passwordHash: await hashPassword(demo.password),
          globalRole: demo.role === "SUPPORT" ? "SUPPORT" : null,
        },
      }));
    const accountId = demo.account ? accounts.get(demo.account) : undefined;
    if (accountId && demo.role !== "SUPPORT") {
      await prisma.membership.upsert({
        where: { accountId_userId: { accountId, userId: user.id } },
        create: { accountId, userId: user.id, role: demo.role },
        update: {},
      });
    }
  }
  return { accountId: accounts.get(DEMO_ACCOUNT_NAME)!, users: DEMO_USERS };
}
