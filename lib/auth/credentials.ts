import { z } from "zod";

import { recordAuditEvent } from "@/lib/audit/record";
import { verifyPassword } from "@/lib/auth/password";
import { clearSignInFailures, isSignInBlocked, recordSignInFailure } from "@/lib/auth/sign-in-throttle";
import type { PrismaClient } from "@/lib/db/generated/client";
import { log } from "@/lib/log";

/**
 * Email and password sign-in. Returns the user, or null for wrong or malformed credentials;
 * throws `Error("TOO_MANY_ATTEMPTS")` while the email is throttled, and
 * `Error("SIGN_IN_FAILED")` when the check itself fails. next-auth passes these messages to
 * the browser as `error`, so they are codes and never carry internal text.
 */

const credentialsSchema = z.object({
  // Control characters (NUL above all) are rejected before they reach the database.
  email: z.email().max(254).refine((value) => !/[\u0000-\u001f\u007f]/.test(value)),
  // argon2 hashes any length, so an unbounded password would be an easy way to burn CPU.
  password: z.string().min(1).max(1024),
});

export async function authorizeCredentials(
  prisma: PrismaClient,
  credentials: Record<string, string> | undefined,
): Promise<{ id: string; email: string; name: string } | null> {
  const email = credentials?.email?.trim().toLowerCase() ?? "";
  const parsed = credentialsSchema.safeParse({ email, password: credentials?.password ?? "" });
  const deny = (errorCode: string, userId?: string) =>
    recordAuditEvent(prisma, { accountId: null, actor: { type: "USER", userId, email: parsed.success ? email : undefined }, action: "auth.sign_in", outcome: "DENIED", errorCode });

  try {
    if (!parsed.success) {
      await deny("INVALID_INPUT");
      return null;
    }
    if (isSignInBlocked(email)) {
      await deny("TOO_MANY_ATTEMPTS");
      throw new Error("TOO_MANY_ATTEMPTS");
    }

    const user = await prisma.user.findUnique({ where: { email } });
    const ok = await verifyPassword(user?.passwordHash, parsed.data.password);
    if (!user || !ok) {
      recordSignInFailure(email);
      await deny("INVALID_CREDENTIALS", user?.id);
      return null;
    }
    clearSignInFailures(email);
    return { id: user.id, email: user.email, name: user.name };
  } catch (error) {
    if (error instanceof Error && error.message === "TOO_MANY_ATTEMPTS") throw error;
    log.error("auth.sign_in.failed", { error });
    throw new Error("SIGN_IN_FAILED");
  }
}
