import "server-only";

import type { KeyArn } from "@/lib/arn";
import { recordAuditEvent } from "@/lib/audit/record";
import type { AccountAccess } from "@/lib/auth/authorize";
import type { ByokDeps } from "@/lib/byok/key-check";
import type { FormResult } from "@/lib/byok/schema";
import type { EncryptionConfig, RewrapJob } from "@/lib/db/generated/client";
import { findActiveKeyChange, KeyChangeInProgressError, queueRewrapJob } from "@/lib/rewrap/start";

/**
 * Changing an account's key from one tenant key to another, after the new key passed
 * validation. The data keys move first, with ReEncrypt from the old key to the new one,
 * and the account switches only when none is left under the old key (lib/rewrap/switch.ts).
 * Until then new records keep using the old key, so it must stay usable.
 *
 * Two cases switch at once instead. When no data key uses the old key, there is nothing
 * to move. When the old key is unavailable, nothing can be moved, and waiting would keep
 * the account unable to write. Records under the old key then stay readable only while
 * the old key works.
 */

export const KEY_CHANGE_ACTION = "byok.key.change";

export type KeyChangeStart = { status: "switch-now"; unmovable: number } | { status: "queued"; result: FormResult };

/** Decides how `key` replaces the account's current key, queueing the move when data keys must move first. */
export async function startKeyChange(deps: ByokDeps, access: AccountAccess, current: EncryptionConfig, key: KeyArn, latencyMs: number): Promise<KeyChangeStart> {
  const { prisma } = deps;
  const accountId = access.account.id;
  const actor = { type: "USER" as const, userId: access.user.id, email: access.user.email };

  const underOldKey = await prisma.dataKey.count({ where: { accountId, kmsKeyArn: current.keyArn } });
  const running = await findActiveKeyChange(prisma, accountId);
  if (running && running.targetKeyArn !== key.arn) return changeInProgress(deps, access, running, key);
  if (underOldKey === 0 && !running) return { status: "switch-now", unmovable: 0 };
  if (current.state === "UNAVAILABLE" && !running) return { status: "switch-now", unmovable: underOldKey };

  let job: RewrapJob;
  try {
    job = await queueRewrapJob(prisma, { accountId, kind: "KEY_CHANGE", sourceKeyArn: current.keyArn, targetKeyArn: key.arn, requestedBy: access.user.email });
  } catch (error) {
    // Another admin's change was queued between the check above and this one.
    if (error instanceof KeyChangeInProgressError) return changeInProgress(deps, access, error.running, key);
    throw error;
  }
  await prisma.$transaction(async (tx) => {
    await tx.keyCheck.create({ data: { accountId, keyArn: key.arn, trigger: "SAVE", ok: true, latencyMs } });
    await recordAuditEvent(tx, {
      accountId,
      actor,
      action: KEY_CHANGE_ACTION,
      outcome: "SUCCESS",
      keyArn: key.arn,
      before: { keyArn: current.keyArn },
      after: { keyArn: current.keyArn, changingTo: key.arn },
      details: { jobId: job.id, dataKeys: underOldKey, latencyMs },
    });
  });
  const message =
    `${key.arn} works. ${underOldKey} data key${underOldKey === 1 ? " is" : "s are"} moving to it from ${current.keyArn}, and the account switches when the move is done. ` +
    "Keep the old key enabled and its policy unchanged until then.";
  return { status: "queued", result: { status: "success", message } };
}

async function changeInProgress(deps: ByokDeps, access: AccountAccess, running: RewrapJob, key: KeyArn): Promise<KeyChangeStart> {
  const accountId = access.account.id;
  const actor = { type: "USER" as const, userId: access.user.id, email: access.user.email };
  await recordAuditEvent(deps.prisma, {
    accountId,
    actor,
    action: KEY_CHANGE_ACTION,
    outcome: "FAILURE",
    errorCode: "KEY_CHANGE_IN_PROGRESS",
    keyArn: key.arn,
    details: { jobId: running.id, targetKeyArn: running.targetKeyArn },
  });
  return {
    status: "queued",
    result: {
      status: "error",
      formError: {
        code: "KEY_CHANGE_IN_PROGRESS",
        message: `A change to ${running.targetKeyArn} is already in progress, so ${key.arn} was not started.`,
        causes: ['Wait for that change to finish, or cancel it under "Re-wrap" on this page, then save the new key again.'],
        keyArn: key.arn,
      },
    },
  };
}
