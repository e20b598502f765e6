import "server-only";

import { recordAuditEvent } from "@/lib/audit/record";
import { authorizeAccountAction, KEY_MANAGER_ROLES } from "@/lib/auth/authorize";
import type { Prisma, PrismaClient } from "@/lib/db/generated/client";
import { AccessDeniedError } from "@/lib/errors";
import { authorizeSupport } from "@/lib/support/authorize";

/**
 * Authorization of audit log reads. Owners and admins read their own account's log on
 * Account > Audit. Platform support reads any account's log in the support console, and
 * each of those reads and exports is itself recorded in the account's log, so the tenant
 * can see when platform staff looked. Roles are read from the database on every call, and
 * every denial is recorded as a DENIED audit event.
 */

/** Dotted action of an audit log read: `audit.read` for a page view, `audit.export` for a download. */
export type AuditReadAction = "audit.read" | "audit.export";

/** Reader of one account's log: a member of the account, or platform support. */
export interface AuditReader<Kind extends "member" | "support" = "member" | "support"> {
  accountId: string;
  accountName: string;
  viewer: { id: string; email: string; kind: Kind };
}

export type AuditReadAccess<Kind extends "member" | "support"> =
  | { allowed: true; reader: AuditReader<Kind> }
  | { allowed: false; reason: "forbidden" | "not-found"; message: string };

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Authorizes an owner or admin to read their own account's log. `claimedAccountId` is an
 * account id that came with the request. When it names another account, the read is
 * denied. authorizeAccountAction records each denial in the caller's own account.
 */
export async function authorizeOwnAuditRead(
  prisma: PrismaClient,
  request: { userId: string; action: AuditReadAction; claimedAccountId?: string },
): Promise<AuditReadAccess<"member">> {
  try {
    const access = await authorizeAccountAction(prisma, {
      userId: request.userId,
      action: request.action,
      allowedRoles: KEY_MANAGER_ROLES,
      claimedAccountId: request.claimedAccountId ?? null,
    });
    return { allowed: true, reader: { accountId: access.account.id, accountName: access.account.name, viewer: { id: access.user.id, email: access.user.email, kind: "member" } } };
  } catch (error) {
    if (!(error instanceof AccessDeniedError)) throw error;
    return { allowed: false, reason: "forbidden", message: error.userMessage };
  }
}

/**
 * Authorizes platform support to read the log of the account `accountId`. authorizeSupport
 * denies a user without the SUPPORT role and records the denial without an account id, so
 * no tenant's log shows another tenant's user probing the console. An id that names no
 * account is denied with reason "not-found" and recorded the same way.
 */
export async function authorizeSupportAuditRead(
  prisma: PrismaClient,
  request: { userId: string; action: AuditReadAction; accountId: string },
): Promise<AuditReadAccess<"support">> {
  const { userId, action, accountId } = request;
  let actor: { id: string; email: string };
  try {
    actor = await authorizeSupport(prisma, { userId, action, targetAccountId: accountId });
  } catch (error) {
    if (!(error instanceof AccessDeniedError)) throw error;
    return { allowed: false, reason: "forbidden", message: error.userMessage };
  }

  const account = UUID_PATTERN.test(accountId) ? await prisma.account.findUnique({ where: { id: accountId }, select: { id: true, name: true } }) : null;
  if (!account) {
    await recordAuditEvent(prisma, {
      accountId: null,
      actor: { type: "SUPPORT", userId: actor.id, email: actor.email },
      action,
      outcome: "DENIED",
      errorCode: "ACCOUNT_NOT_FOUND",
      details: { requestedAccountId: accountId },
    });
    return { allowed: false, reason: "not-found", message: `Account ${accountId} was not found. Check the account UUID in the support console.` };
  }
  return { allowed: true, reader: { accountId: account.id, accountName: account.name, viewer: { id: actor.id, email: actor.email, kind: "support" } } };
}

/**
 * Records a support user's successful read or export in the account's own log, with the
 * filters applied. Call it before the rows reach the browser, so that a failed write
 * shows none.
 */
export async function recordSupportAuditRead(
  prisma: PrismaClient,
  reader: AuditReader<"support">,
  entry: { action: AuditReadAction; details: Prisma.InputJsonObject },
): Promise<void> {
  await recordAuditEvent(prisma, {
    accountId: reader.accountId,
    actor: { type: "SUPPORT", userId: reader.viewer.id, email: reader.viewer.email },
    action: entry.action,
    outcome: "SUCCESS",
    details: entry.details,
  });
}
