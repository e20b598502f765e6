import "server-only";

import { recordAuditEvent } from "@/lib/audit/record";
import type { GlobalRole, MembershipRole, PrismaClient } from "@/lib/db/generated/client";
import { AccessDeniedError } from "@/lib/errors";

/**
 * Authorization decisions for account-scoped actions. Memberships are read from the
 * database on every call, never from the session token, so a demotion or removal
 * takes effect on the next action. The account an action touches is the session
 * user's membership; an account id posted by the browser is only compared with it.
 */

export interface AccountAccess {
  user: { id: string; email: string; name: string; globalRole: GlobalRole | null };
  account: { id: string; name: string; byokAddOn: boolean };
  role: MembershipRole;
}

export const KEY_MANAGER_ROLES: readonly MembershipRole[] = ["OWNER", "ADMIN"];
export const ANY_MEMBER_ROLES: readonly MembershipRole[] = ["OWNER", "ADMIN", "MEMBER"];

export function canManageKey(role: MembershipRole): boolean {
  return KEY_MANAGER_ROLES.includes(role);
}

/** Loads the user's account membership; a user with several accounts gets the oldest one. */
export async function loadAccountAccess(prisma: PrismaClient, userId: string): Promise<AccountAccess | null> {
  const membership = await prisma.membership.findFirst({
    where: { userId },
    orderBy: { createdAt: "asc" },
    include: { user: true, account: true },
  });
  if (!membership) return null;
  const { user, account } = membership;
  return {
    user: { id: user.id, email: user.email, name: user.name, globalRole: user.globalRole },
    account: { id: account.id, name: account.name, byokAddOn: account.byokAddOn },
    role: membership.role,
  };
}

export interface AuthorizeRequest {
  userId: string | null;
  /** Dotted action name recorded in the audit log, such as `byok.key.save`. */
  action: string;
  allowedRoles: readonly MembershipRole[];
  /** An account id that arrived with the request, if any; it must equal the session's account. */
  claimedAccountId?: string | null;
}

/** Returns the caller's access, or records the refusal and throws AccessDeniedError. */
export async function authorizeAccountAction(prisma: PrismaClient, request: AuthorizeRequest): Promise<AccountAccess> {
  const { userId, action, allowedRoles, claimedAccountId } = request;
  const deny = async (reason: string, access: AccountAccess | null, userMessage: string): Promise<never> => {
    await recordAuditEvent(prisma, {
      accountId: access?.account.id ?? null,
      actor: { type: "USER", userId: userId ?? undefined, email: access?.user.email },
      action,
      outcome: "DENIED",
      errorCode: reason,
      details: { role: access?.role ?? null, claimedAccountId: claimedAccountId ?? null },
    });
    throw new AccessDeniedError(userMessage, `${action} denied for user ${userId ?? "(none)"}: ${reason}`);
  };

  if (!userId) return deny("NOT_SIGNED_IN", null, "Your session has ended. Sign in again.");
  const access = await loadAccountAccess(prisma, userId);
  if (!access) return deny("NO_MEMBERSHIP", null, "Your user is not a member of any account.");
  if (claimedAccountId && claimedAccountId !== access.account.id) {
    return deny("ACCOUNT_MISMATCH", access, "This request names an account you are not signed in to.");
  }
  if (!allowedRoles.includes(access.role)) {
    return deny("ROLE_NOT_ALLOWED", access, `Only account owners and admins can do this; your role is ${access.role.toLowerCase()}.`);
  }
  return access;
}
