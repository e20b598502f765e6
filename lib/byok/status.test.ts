import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseKeyArn } from "@/lib/arn";
import { saveKeyConfiguration } from "@/lib/byok/configure";
import { ROTATION_STATUS_REFRESH_MS } from "@/lib/byok/rotation";
import { CHECK_HISTORY_LENGTH, loadEncryptionStatus } from "@/lib/byok/status";
import type { KmsCallCause } from "@/lib/db/generated/client";
import { runHealthCheck } from "@/lib/health/service";
import { createKey, createTenant, PLATFORM_PRINCIPAL, REGION, startTestStack, type TestStack } from "@/tests/support/stack";

/** What the status card reads: the check history, the key's last use and its rotation status. */

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.close();
});

const KEY_ARN = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const OTHER_KEY_ARN = "arn:aws:kms:us-west-2:111122223333:key/0000abcd-12ab-34cd-56ef-1234567890ab";
const ENABLED_AT = new Date("2026-12-01T00:00:00Z");
const MINUTE_MS = 60_000;

/** Creates an account with an active config for KEY_ARN, written directly so each test controls every column. */
async function accountWithKey(rotation: Partial<{ rotationEnabled: boolean | null; rotationPeriodDays: number | null; nextRotationAt: Date | null; rotationCheckedAt: Date | null; rotationErrorCode: string | null }> = {}) {
  const { accountId } = await createTenant(stack.prisma);
  await stack.prisma.encryptionConfig.create({
    data: {
      accountId,
      keyArn: KEY_ARN,
      keyRegion: "us-west-2",
      keyAwsAccountId: "111122223333",
      keyId: "1234abcd-12ab-34cd-56ef-1234567890ab",
      multiRegion: false,
      state: "ACTIVE",
      stateChangedAt: ENABLED_AT,
      lastValidatedAt: ENABLED_AT,
      enabledAt: ENABLED_AT,
      ...rotation,
    },
  });
  return accountId;
}

async function load(accountId: string) {
  const status = await loadEncryptionStatus(stack.prisma, accountId, 60_000, PLATFORM_PRINCIPAL);
  if (!status) throw new Error("loadEncryptionStatus returned null for an account with a key");
  return status;
}

async function addCall(accountId: string, values: { at: Date; operation?: string; ok?: boolean; keyArn?: string; cause?: KmsCallCause }) {
  await stack.prisma.kmsCall.create({
    data: {
      accountId,
      keyArn: values.keyArn ?? KEY_ARN,
      operation: values.operation ?? "Decrypt",
      encryptionContext: {},
      ok: values.ok ?? true,
      errorCode: values.ok === false ? "AccessDeniedException" : null,
      cause: values.cause ?? "HEALTH_CHECK",
      latencyMs: 5,
      instance: "vitest",
      createdAt: values.at,
    },
  });
}

describe("loadEncryptionStatus after real checks", () => {
  it("reflects a real save and check", async () => {
    const tenant = await createTenant(stack.prisma);
    const keyArn = await createKey(stack.tenantKms());
    const parsed = parseKeyArn(keyArn, { serviceRegion: REGION });
    if (!parsed.ok) throw new Error(parsed.problem.message);
    const deps = stack.deps();
    expect((await saveKeyConfiguration(deps, await tenant.access("OWNER"), parsed.key)).status).toBe("success");
    await runHealthCheck(deps, tenant.accountId);

    const status = await load(tenant.accountId);

    expect(status.checkHistory.checks.map((check) => [check.trigger, check.ok])).toEqual([
      ["SAVE", true],
      ["HEALTH_CHECK", true],
    ]);
    expect(status.checkHistory.passed).toBe(2);
    expect(status.lastUse).toMatchObject({ operation: "Decrypt", cause: "HEALTH_CHECK" });
    // The stack's key policy does not grant kms:GetKeyRotationStatus.
    expect(status.rotation).toMatchObject({ kind: "denied", principalArn: PLATFORM_PRINCIPAL });
  });
});

describe("loadEncryptionStatus check history", () => {
  it("keeps the newest checks, oldest first", async () => {
    const accountId = await accountWithKey();
    const start = new Date("2026-12-02T00:00:00Z").getTime();
    const total = CHECK_HISTORY_LENGTH + 5;
    // Checks 10 and 50 fail, and checks 0 to 4 fall out of the history.
    await stack.prisma.keyCheck.createMany({
      data: Array.from({ length: total }, (_, index) => ({
        accountId,
        keyArn: KEY_ARN,
        trigger: index === 50 ? ("TEST_CONNECTION" as const) : ("HEALTH_CHECK" as const),
        ok: index !== 10 && index !== 50,
        errorCode: index === 10 || index === 50 ? "KEY_DISABLED" : null,
        latencyMs: index,
        checkedAt: new Date(start + index * MINUTE_MS),
      })),
    });

    const { checkHistory, recentChecks } = await load(accountId);

    expect(checkHistory.checks).toHaveLength(CHECK_HISTORY_LENGTH);
    expect(checkHistory.checks[0]?.checkedAt).toEqual(new Date(start + 5 * MINUTE_MS));
    expect(checkHistory.checks.at(-1)?.checkedAt).toEqual(new Date(start + (total - 1) * MINUTE_MS));
    expect(checkHistory.passed).toBe(CHECK_HISTORY_LENGTH - 2);
    expect(checkHistory.checks.filter((check) => !check.ok).map((check) => [check.latencyMs, check.trigger, check.errorCode])).toEqual([
      [10, "HEALTH_CHECK", "KEY_DISABLED"],
      [50, "TEST_CONNECTION", "KEY_DISABLED"],
    ]);
    expect(recentChecks).toHaveLength(10);
    expect(recentChecks[0]?.latencyMs).toBe(total - 1);
  });

  it("is empty without checks", async () => {
    const accountId = await accountWithKey();

    const { checkHistory } = await load(accountId);

    expect(checkHistory).toEqual({ checks: [], passed: 0 });
  });
});

describe("loadEncryptionStatus last use", () => {
  it("is the newest successful call with the current key", async () => {
    const accountId = await accountWithKey();
    await addCall(accountId, { at: new Date("2026-12-02T10:00:00Z"), operation: "GenerateDataKey", cause: "DATA_KEY_CREATE" });
    await addCall(accountId, { at: new Date("2026-12-02T11:00:00Z"), operation: "Decrypt", cause: "DECRYPT_CACHE_MISS" });
    await addCall(accountId, { at: new Date("2026-12-02T12:00:00Z"), ok: false });
    await addCall(accountId, { at: new Date("2026-12-02T13:00:00Z"), keyArn: OTHER_KEY_ARN });
    await addCall(accountId, { at: new Date("2026-12-02T14:00:00Z"), operation: "GetKeyRotationStatus" });

    const { lastUse } = await load(accountId);

    expect(lastUse).toEqual({ at: new Date("2026-12-02T11:00:00Z"), operation: "Decrypt", cause: "DECRYPT_CACHE_MISS" });
  });

  it("is null when the key was never used", async () => {
    const accountId = await accountWithKey();
    await addCall(accountId, { at: new Date("2026-12-02T12:00:00Z"), ok: false });

    expect((await load(accountId)).lastUse).toBeNull();
  });

  it("ignores other accounts", async () => {
    const accountId = await accountWithKey();
    const otherAccountId = await accountWithKey();
    await addCall(otherAccountId, { at: new Date("2026-12-02T12:00:00Z") });

    expect((await load(accountId)).lastUse).toBeNull();
  });
});

describe("loadEncryptionStatus rotation", () => {
  const checkedAt = new Date("2026-12-03T00:00:00Z");

  it("reports rotation that is on", async () => {
    const nextRotationAt = new Date("2027-12-01T00:00:00Z");
    const accountId = await accountWithKey({ rotationEnabled: true, rotationPeriodDays: 365, nextRotationAt, rotationCheckedAt: checkedAt });

    expect((await load(accountId)).rotation).toEqual({ kind: "on", periodDays: 365, nextRotationAt, checkedAt });
  });

  it("reports rotation that is off", async () => {
    const accountId = await accountWithKey({ rotationEnabled: false, rotationCheckedAt: checkedAt });

    expect((await load(accountId)).rotation).toEqual({ kind: "off", checkedAt });
  });

  it("names the principal when the policy denies the read", async () => {
    const accountId = await accountWithKey({ rotationErrorCode: "AccessDeniedException", rotationCheckedAt: checkedAt });

    expect((await load(accountId)).rotation).toEqual({ kind: "denied", checkedAt, principalArn: PLATFORM_PRINCIPAL });
  });

  it("reports another error with the next read", async () => {
    const accountId = await accountWithKey({ rotationErrorCode: "ThrottlingException", rotationCheckedAt: checkedAt });

    expect((await load(accountId)).rotation).toEqual({
      kind: "failed",
      errorCode: "ThrottlingException",
      checkedAt,
      retryAfter: new Date(checkedAt.getTime() + ROTATION_STATUS_REFRESH_MS),
    });
  });

  it("is unchecked before the first read", async () => {
    const accountId = await accountWithKey();

    expect((await load(accountId)).rotation).toEqual({ kind: "unchecked" });
  });

  it("ignores a read of the previous key", async () => {
    const accountId = await accountWithKey({ rotationEnabled: true, rotationPeriodDays: 365, rotationCheckedAt: new Date(ENABLED_AT.getTime() - MINUTE_MS) });

    expect((await load(accountId)).rotation).toEqual({ kind: "unchecked" });
  });
});
