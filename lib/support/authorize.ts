import "server-only";

import { recordAuditEvent } from "@/lib/audit/record";
import type { PrismaClient } from "@/lib/db/generated/client";
import { AccessDeniedError } from "@/lib/errors";

declare const supportActorBrand: unique symbol;

/**
 * A user whose global role was SUPPORT when authorizeSupport read it. The brand makes
 * authorizeSupport the only way to obtain one, so every support operation that takes an
 * actor has been authorized.
 */
export interface SupportActor {
  id: string;
  email: string;
  name: string;
  readonly [supportActorBrand]: true;
}

export interface SupportAuthorizeRequest {
  userId: string | null;
  /** Dotted action name recorded in the audit log, such as `support.addon.grant`. */
  action: string;
  /** The account the action targets, recorded in the refusal's details only. */
  targetAccountId?: string;
}

/**
 * Returns the caller as a support actor, or records the refusal and throws AccessDeniedError.
 * The global role is read from the database on every call, so removing SUPPORT from a user
 * takes effect on their next request. A refusal is written without an account id, so a
 * tenant's audit log never shows another tenant's user probing the support console.
 */
export async function authorizeSupport(prisma: PrismaClient, request: SupportAuthorizeRequest): Promise<SupportActor> {
  const { userId, action, targetAccountId } = request;
  const user = userId ? await prisma.user.findUnique({ where: { id: userId }, select: { id: true, email: true, name: true, globalRole: true } }) : null;
  if (user?.globalRole === "SUPPORT") return { id: user.id, email: user.email, name: user.name } as SupportActor;

  let reason = "NOT_SUPPORT";
  if (!userId) reason = "NOT_SIGNED_IN";
  else if (!user) reason = "UNKNOWN_USER";
  await recordAuditEvent(prisma, {
    accountId: null,
    actor: { type: "USER", userId: userId ?? undefined, email: user?.email },
    action,
    outcome: "DENIED",
    errorCode: reason,
    details: { targetAccountId: targetAccountId ?? null },
  });
  const userMessage = userId ? "Only platform support staff can use the support console." : "Your session has ended. Sign in again.";
  throw new AccessDeniedError(userMessage, `${action} denied for user ${userId ?? "(none)"}: ${reason}`);
}
