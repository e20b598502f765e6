import "server-only";

import { recordAuditEvent } from "@/lib/audit/record";
import type { AccountAccess } from "@/lib/auth/authorize";
import { checkKeyForAccount, type ByokDeps, type KeyCheckOutcome } from "@/lib/byok/key-check";
import type { FormResult } from "@/lib/byok/schema";
import type { KeyArn } from "@/lib/arn";
import type { EncryptionConfig, KeyState } from "@/lib/db/generated/client";

/**
 * Saving and re-testing an account's key. A configuration becomes active only after a
 * successful round trip under the account's exact encryption context. On failure,
 * nothing changes except the audit log and the KMS call log.
 */

const SAVE_ACTION = "byok.key.save";
const TEST_ACTION = "byok.key.test";

/** Validates the pasted key ARN with KMS and, only if that succeeds, makes it the account's active key. */
export async function saveKeyConfiguration(deps: ByokDeps, access: AccountAccess, key: KeyArn): Promise<FormResult> {
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
  return { status: "success", message: `BYOK is active with ${key.arn}.` };
}

/** Repeats the round trip with the saved key and records the result, keeping the key either way. */
export async function testKeyConnection(deps: ByokDeps, access: AccountAccess): Promise<FormResult> {
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
  const now = new Date();
  await deps.prisma.$transaction(async (tx) => {
    await tx.keyCheck.create({
      data: { accountId, keyArn: config.keyArn, trigger: "TEST_CONNECTION", ok: check.ok, errorCode: check.ok ? null : check.failure.code, latencyMs: check.latencyMs },
    });
    const state = nextKeyState(config.state, check);
    const stateChange = state === config.state ? {} : { state, stateChangedAt: now };
    await tx.encryptionConfig.update({
      where: { accountId },
      data: check.ok
        ? { lastValidatedAt: now, lastErrorCode: null, lastErrorMessage: null, lastErrorAt: null, ...stateChange, version: { increment: 1 } }
        : { lastErrorCode: check.failure.code, lastErrorMessage: check.description.message, lastErrorAt: now, ...stateChange, version: { increment: 1 } },
    });
    await recordAuditEvent(tx, {
      accountId,
      actor,
      action: TEST_ACTION,
      outcome: check.ok ? "SUCCESS" : "FAILURE",
      errorCode: check.ok ? undefined : check.failure.code,
      keyArn: config.keyArn,
      before: { state: config.state },
      after: { state },
      details: { latencyMs: check.latencyMs, ...(check.ok ? {} : { operation: check.failure.operation, requestId: check.failure.requestId ?? null }) },
    });
  });

  if (check.ok) return { status: "success", message: `Connection to ${config.keyArn} works (${check.latencyMs} ms).` };
  return { status: "error", formError: { code: check.failure.code, ...check.description, keyArn: config.keyArn } };
}

/**
 * Returns the key state after a check. A key that refused (denied, disabled, pending
 * deletion, not found) makes the account UNAVAILABLE, so new writes stop at once. KMS that
 * could not be reached or was throttled makes it DEGRADED, which keeps writing. A passing
 * check makes it ACTIVE again. DISABLED is left alone: only saving a key lifts it.
 */
export function nextKeyState(current: KeyState, check: KeyCheckOutcome): KeyState {
  if (current === "DISABLED") return current;
  if (check.ok) return "ACTIVE";
  return check.failure.keyRefused ? "UNAVAILABLE" : "DEGRADED";
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
