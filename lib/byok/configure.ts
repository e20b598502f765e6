import "server-only";

import { recordAuditEvent } from "@/lib/audit/record";
import type { AccountAccess } from "@/lib/auth/authorize";
import { startKeyChange } from "@/lib/byok/key-change";
import { requestOlderDataProtection } from "@/lib/byok/rewrap-requests";
import { findActiveKeyChange } from "@/lib/rewrap/start";
import { refreshRotationStatus } from "@/lib/byok/rotation";
import { checkKeyForAccount, type ByokDeps } from "@/lib/byok/key-check";
import type { FormResult } from "@/lib/byok/schema";
import type { KeyArn } from "@/lib/arn";
import type { EncryptionConfig } from "@/lib/db/generated/client";
import { applyKeyOutcome, type HealthDeps } from "@/lib/health/service";
import type { CheckOutcome } from "@/lib/health/transitions";

/**
 * Saving and re-testing an account's key. A configuration becomes active only after a
 * successful round trip under the account's exact encryption context. On failure,
 * nothing changes except the audit log and the KMS call log.
 */

const SAVE_ACTION = "byok.key.save";
const TEST_ACTION = "byok.key.test";

export interface SaveOptions {
  /** On activation, also move the account's data keys under the platform key to the new key (see lib/rewrap). */
  protectOlderData?: boolean;
}

/**
 * Validates the pasted key ARN with KMS and, only if that succeeds, makes it the account's
 * active key. Replacing a different active key starts a key change instead (key-change.ts).
 */
export async function saveKeyConfiguration(deps: ByokDeps, access: AccountAccess, key: KeyArn, options: SaveOptions = {}): Promise<FormResult> {
  const accountId = access.account.id;
  const actor = { type: "USER" as const, userId: access.user.id, email: access.user.email };

  if (!access.account.byokAddOn) {
    await recordAuditEvent(deps.prisma, { accountId, actor, action: SAVE_ACTION, outcome: "DENIED", errorCode: "BYOK_NOT_ENTITLED", keyArn: key.arn });
    return {
      status: "error",
      formError: {
        code: "BYOK_NOT_ENTITLED",
        message: "Your account does not have the BYOK add-on, so no key can be connected.",
        causes: ["Ask platform support to enable the BYOK add-on for your account."],
        keyArn: key.arn,
      },
    };
  }

  const check = await checkKeyForAccount(deps, accountId, key.arn, "VALIDATION");
  if (!check.ok) {
    await recordAuditEvent(deps.prisma, {
      accountId,
      actor,
      action: SAVE_ACTION,
      outcome: "FAILURE",
      errorCode: check.failure.code,
      keyArn: key.arn,
      details: {
        operation: check.failure.operation,
        awsError: check.failure.awsErrorName ?? null,
        requestId: check.failure.requestId ?? null,
        latencyMs: check.latencyMs,
      },
    });
    return { status: "error", formError: { code: check.failure.code, ...check.description, keyArn: key.arn } };
  }

  const current = await deps.prisma.encryptionConfig.findUnique({ where: { accountId } });
  let unmovable = 0;
  if (current && current.state !== "DISABLED" && current.keyArn !== key.arn) {
    const change = await startKeyChange(deps, access, current, key, check.latencyMs);
    if (change.status === "queued") return change.result;
    unmovable = change.unmovable;
  }
  if (current && current.state !== "DISABLED" && current.keyArn === key.arn) {
    const change = await findActiveKeyChange(deps.prisma, accountId);
    if (change) {
      await recordAuditEvent(deps.prisma, { accountId, actor, action: SAVE_ACTION, outcome: "FAILURE", errorCode: "KEY_CHANGE_IN_PROGRESS", keyArn: key.arn, details: { jobId: change.id } });
      return {
        status: "error",
        formError: {
          code: "KEY_CHANGE_IN_PROGRESS",
          message: `A change from ${key.arn} to ${change.targetKeyArn} is in progress, so saving ${key.arn} again would not keep it.`,
          causes: ['To stay on this key, cancel the key change under "Re-wrap" on this page.'],
          keyArn: key.arn,
        },
      };
    }
  }
  const activating = !current || current.state === "DISABLED";

  const now = new Date();
  await deps.prisma.$transaction(async (tx) => {
    const before = await tx.encryptionConfig.findUnique({ where: { accountId } });
    const sameActiveKey = before !== null && before.keyArn === key.arn && before.state !== "DISABLED" ? before : null;
    const fields = {
      keyArn: key.arn,
      keyRegion: key.region,
      keyAwsAccountId: key.accountId,
      keyId: key.keyId,
      multiRegion: key.multiRegion,
      state: "ACTIVE" as const,
      stateChangedAt: sameActiveKey?.state === "ACTIVE" ? sameActiveKey.stateChangedAt : now,
      lastValidatedAt: now,
      lastErrorCode: null,
      lastErrorMessage: null,
      lastErrorAt: null,
      // Re-saving the key that is already on keeps who enabled it and when.
      enabledById: sameActiveKey ? sameActiveKey.enabledById : access.user.id,
      enabledAt: sameActiveKey ? sameActiveKey.enabledAt : now,
      disabledById: null,
      disabledAt: null,
      disabledReason: null,
      consecutiveFailures: 0,
      nextHealthCheckAt: new Date(now.getTime() + deps.settings.healthCheckIntervalMs),
      unavailableSince: null,
      suspendedAt: null,
    };
    const after = await tx.encryptionConfig.upsert({
      where: { accountId },
      create: { accountId, ...fields },
      update: { ...fields, version: { increment: 1 } },
    });
    await tx.keyCheck.create({ data: { accountId, keyArn: key.arn, trigger: "SAVE", ok: true, latencyMs: check.latencyMs } });
    await recordAuditEvent(tx, {
      accountId,
      actor,
      action: SAVE_ACTION,
      outcome: "SUCCESS",
      keyArn: key.arn,
      before: before ? auditView(before) : undefined,
      after: auditView(after),
      details: { latencyMs: check.latencyMs },
    });
  });
  const sentences = [`BYOK is active with ${key.arn}.`];
  if (unmovable > 0 && current) {
    sentences.push(`${unmovable} data key${unmovable === 1 ? " stays" : "s stay"} under ${current.keyArn}, which is unavailable: their records can be read again only when that key works.`);
  }
  if (activating && options.protectOlderData) {
    const protection = await requestOlderDataProtection(deps.prisma, access, deps.settings.platformKeyArn);
    if (protection.status === "success") sentences.push(protection.message);
    if (protection.status === "error" && protection.formError) sentences.push(protection.formError.message);
  }
  return { status: "success", message: sentences.join(" ") };
}

/** Repeats the round trip with the saved key and records the result, keeping the key either way. */
export async function testKeyConnection(deps: HealthDeps, access: AccountAccess): Promise<FormResult> {
  const accountId = access.account.id;
  const actor = { type: "USER" as const, userId: access.user.id, email: access.user.email };
  if (!access.account.byokAddOn) {
    await recordAuditEvent(deps.prisma, { accountId, actor, action: TEST_ACTION, outcome: "DENIED", errorCode: "BYOK_NOT_ENTITLED" });
    return {
      status: "error",
      formError: {
        code: "BYOK_NOT_ENTITLED",
        message: "Your account does not have the BYOK add-on, so there is no key to test.",
        causes: ["Ask platform support to enable the BYOK add-on for your account."],
      },
    };
  }
  const config = await deps.prisma.encryptionConfig.findUnique({ where: { accountId } });
  if (!config) {
    return {
      status: "error",
      formError: { code: "NO_KEY_CONFIGURED", message: "No key is connected to this account yet.", causes: ["Paste a key ARN and save the configuration first."] },
    };
  }

  const check = await checkKeyForAccount(deps, accountId, config.keyArn, "TEST_CONNECTION");
  const outcome: CheckOutcome = check.ok ? { ok: true } : { ok: false, failure: check.failure, message: check.description.message };
  await applyKeyOutcome(deps, { accountId, keyArn: config.keyArn, outcome, trigger: "TEST_CONNECTION", latencyMs: check.latencyMs, actor, action: TEST_ACTION });

  if (check.ok) {
    // The status card then shows a newly granted kms:GetKeyRotationStatus at once.
    await refreshRotationStatus(deps, accountId, config.keyArn, "TEST_CONNECTION");
    return { status: "success", message: `Connection to ${config.keyArn} works (${check.latencyMs} ms).` };
  }
  return { status: "error", formError: { code: check.failure.code, ...check.description, keyArn: config.keyArn } };
}

function auditView(config: EncryptionConfig) {
  return {
    keyArn: config.keyArn,
    state: config.state,
    enabledById: config.enabledById,
    enabledAt: config.enabledAt.toISOString(),
    version: config.version,
  };
}
