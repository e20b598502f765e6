import "server-only";

import { parseKeyArn } from "@/lib/arn";
import { recordAuditEvent } from "@/lib/audit/record";
import type { KeyState, PrismaClient, RewrapJob } from "@/lib/db/generated/client";
import { log } from "@/lib/log";

/**
 * The last step of a key change: the account starts using the new key in the same
 * transaction that proves no data key is left under the old one. The transaction locks
 * the account's configuration row FOR UPDATE, and lib/data-keys locks it FOR SHARE while
 * it stores a new data key. A data key made under the old key therefore either commits
 * before the check (and is seen), or finds the new key and is made again under it.
 */

export type SwitchResult = { status: "switched" } | { status: "again" } | { status: "blocked"; reason: string };

export async function switchAccountKey(prisma: PrismaClient, job: RewrapJob): Promise<SwitchResult> {
  const { accountId, sourceKeyArn, targetKeyArn } = job;
  return prisma.$transaction(async (tx) => {
    // A cancel that lands before the switch wins: the row lock orders the two.
    const [current] = await tx.$queryRaw<{ status: string }[]>`SELECT "status" FROM "rewrap_jobs" WHERE "id" = ${job.id}::uuid FOR UPDATE`;
    if (current?.status !== "RUNNING") return { status: "blocked", reason: "The key change was cancelled before the switch." };
    const [config] = await tx.$queryRaw<{ key_arn: string; state: KeyState }[]>`
      SELECT "key_arn", "state" FROM "encryption_configs" WHERE "account_id" = ${accountId}::uuid FOR UPDATE`;
    if (!config || config.state === "DISABLED") {
      return { status: "blocked", reason: "BYOK was turned off for the account while the job ran, so the account was not switched." };
    }
    if (config.key_arn !== sourceKeyArn) {
      return { status: "blocked", reason: `The account's key changed to ${config.key_arn} while the job ran, so it was not switched to ${targetKeyArn}.` };
    }
    const left = await tx.dataKey.findMany({ where: { accountId, kmsKeyArn: sourceKeyArn }, select: { serial: true } });
    if (left.some((key) => key.serial > job.cursor)) return { status: "again" };
    if (left.length > 0) {
      const reason =
        `${left.length} data key${left.length === 1 ? "" : "s"} could not be moved from ${sourceKeyArn}, so the account still uses it. ` +
        "Keep that key enabled and its policy unchanged, fix the error shown, and start the key change again: keys already moved are skipped.";
      return { status: "blocked", reason };
    }

    // The ARN passed the parser with the service region when the change was requested.
    const parsed = parseKeyArn(targetKeyArn, { serviceRegion: targetKeyArn.split(":")[3] ?? "" });
    if (!parsed.ok) throw new Error(`Key change job ${job.id} has a target that is not a key ARN: ${parsed.problem.message}`);
    const key = parsed.key;
    const before = await tx.encryptionConfig.findUniqueOrThrow({ where: { accountId } });
    // The status shows who enabled the current key and when: for a changed key, the
    // admin who asked for the change, and the moment of the switch.
    const requester = job.requestedBy ? await tx.user.findUnique({ where: { email: job.requestedBy }, select: { id: true } }) : null;
    const now = new Date();
    const after = await tx.encryptionConfig.update({
      where: { accountId },
      data: {
        keyArn: key.arn,
        keyRegion: key.region,
        keyAwsAccountId: key.accountId,
        keyId: key.keyId,
        multiRegion: key.multiRegion,
        state: "ACTIVE",
        stateChangedAt: before.state === "ACTIVE" ? before.stateChangedAt : now,
        // The round trip that validated the new key ran when the change was requested.
        lastValidatedAt: job.createdAt,
        lastErrorCode: null,
        lastErrorMessage: null,
        lastErrorAt: null,
        consecutiveFailures: 0,
        nextHealthCheckAt: now,
        unavailableSince: null,
        suspendedAt: null,
        enabledById: requester?.id ?? null,
        enabledAt: now,
        rotationEnabled: null,
        rotationPeriodDays: null,
        nextRotationAt: null,
        rotationCheckedAt: null,
        rotationErrorCode: null,
        version: { increment: 1 },
      },
    });
    await recordAuditEvent(tx, {
      accountId,
      actor: { type: "SYSTEM" },
      action: "byok.key.changed",
      outcome: "SUCCESS",
      keyArn: key.arn,
      before: { keyArn: before.keyArn, state: before.state, version: before.version },
      after: { keyArn: after.keyArn, state: after.state, version: after.version },
      details: { jobId: job.id, requestedBy: job.requestedBy, moved: job.moved },
    });
    log.info("byok.key.changed", { accountId, jobId: job.id, sourceKeyArn, targetKeyArn });
    return { status: "switched" };
  });
}
