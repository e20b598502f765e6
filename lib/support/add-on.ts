import "server-only";

import { recordAuditEvent } from "@/lib/audit/record";
import type { PrismaClient } from "@/lib/db/generated/client";
import { AppError } from "@/lib/errors";

import type { SupportActor } from "./authorize";

/**
 * Grants or withdraws an account's BYOK add-on. Withdrawing is rejected while a key is
 * connected and not DISABLED, because the tenant would lose the page that shows its key's
 * state while the platform still uses the key. The account row is locked for the check.
 */
export async function setByokAddOn(prisma: PrismaClient, actor: SupportActor, input: { accountId: string; enabled: boolean }): Promise<{ changed: boolean }> {
  const action = input.enabled ? "support.addon.grant" : "support.addon.withdraw";
  const auditActor = { type: "SUPPORT" as const, userId: actor.id, email: actor.email };

  const outcome = await prisma.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ byok_add_on: boolean }[]>`SELECT byok_add_on FROM accounts WHERE id = ${input.accountId}::uuid FOR UPDATE`;
    const before = locked[0];
    if (!before) return { kind: "missing" as const };

    const config = await tx.encryptionConfig.findUnique({ where: { accountId: input.accountId }, select: { state: true, keyArn: true } });
    if (!input.enabled && config && config.state !== "DISABLED") return { kind: "in-use" as const, state: config.state, keyArn: config.keyArn };
    if (before.byok_add_on === input.enabled) return { kind: "unchanged" as const };

    await tx.account.update({ where: { id: input.accountId }, data: { byokAddOn: input.enabled } });
    await recordAuditEvent(tx, {
      accountId: input.accountId,
      actor: auditActor,
      action,
      outcome: "SUCCESS",
      before: { byokAddOn: before.byok_add_on },
      after: { byokAddOn: input.enabled },
    });
    return { kind: "changed" as const };
  });

  if (outcome.kind === "missing") throw new AppError("ACCOUNT_NOT_FOUND", `No account has the id ${input.accountId}.`);
  if (outcome.kind === "in-use") {
    await recordAuditEvent(prisma, { accountId: input.accountId, actor: auditActor, action, outcome: "FAILURE", errorCode: "BYOK_IN_USE", keyArn: outcome.keyArn, details: { state: outcome.state } });
    throw new AppError(
      "BYOK_IN_USE",
      `The add-on cannot be withdrawn while BYOK is ${outcome.state.toLowerCase()} for this account. Disable BYOK first, then withdraw the add-on.`,
    );
  }
  return { changed: outcome.kind === "changed" };
}
