import "server-only";

import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";

import { authOptions } from "@/lib/auth/options";
import { authorizeAccountAction, loadAccountAccess, type AccountAccess, type AuthorizeRequest } from "@/lib/auth/authorize";
import { db } from "@/lib/db/client";

/** Returns the signed-in user's id, or null. */
export async function sessionUserId(): Promise<string | null> {
  const session = await getServerSession(authOptions());
  return session?.user?.id ?? null;
}

/** For pages: the caller's account access; signed-out users go to sign-in and come back to `path`. */
export async function requirePageAccess(path: string): Promise<AccountAccess> {
  const userId = await sessionUserId();
  if (!userId) redirect(`/sign-in?callbackUrl=${encodeURIComponent(path)}`);
  const access = await loadAccountAccess(db(), userId);
  if (!access) redirect((await isSupportUser(userId)) ? "/support" : "/no-account");
  return access;
}

// Platform support staff belong to no account; their home is the support console, which authorizes them itself.
async function isSupportUser(userId: string): Promise<boolean> {
  const user = await db().user.findUnique({ where: { id: userId }, select: { globalRole: true } });
  return user?.globalRole === "SUPPORT";
}

/** For server actions: authorizes the session's user, recording any refusal. */
export async function authorizeSessionAction(request: Omit<AuthorizeRequest, "userId">): Promise<AccountAccess> {
  return authorizeAccountAction(db(), { ...request, userId: await sessionUserId() });
}
