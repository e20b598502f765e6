import "server-only";

import { redirect } from "next/navigation";

import { sessionUserId } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { AccessDeniedError } from "@/lib/errors";

import { authorizeSupport, type SupportActor } from "./authorize";

export type SupportPageAccess = { allowed: true; actor: SupportActor } | { allowed: false; message: string };

/**
 * Authorizes the viewer of a support page. Signed-out users go to sign-in and come back to
 * `path`. A signed-in user without the SUPPORT role gets a refusal, which authorizeSupport
 * records, and the page shows it in place of the data.
 */
export async function requireSupportPage(path: string, action: string, targetAccountId?: string): Promise<SupportPageAccess> {
  const userId = await sessionUserId();
  if (!userId) redirect(`/sign-in?callbackUrl=${encodeURIComponent(path)}`);
  try {
    return { allowed: true, actor: await authorizeSupport(db(), { userId, action, targetAccountId }) };
  } catch (error) {
    if (!(error instanceof AccessDeniedError)) throw error;
    return { allowed: false, message: error.userMessage };
  }
}
