import { DisableKeyCommand, EnableKeyRotationCommand, PutKeyPolicyCommand } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseKeyArn } from "@/lib/arn";
import { saveKeyConfiguration } from "@/lib/byok/configure";
import { fullKeyPolicy } from "@/lib/byok/key-policy";
import { hasRotationStatusForKey, isRotationStatusDue, refreshRotationStatus, ROTATION_STATUS_REFRESH_MS } from "@/lib/byok/rotation";
import { runHealthCheck } from "@/lib/health/service";
import { createKey, createTenant, keyPolicy, PLATFORM_PRINCIPAL, REGION, SERVICE, startTestStack, TENANT_AWS_ACCOUNT, type TestStack } from "@/tests/support/stack";

/**
 * Rotation status against real PostgreSQL and the local KMS: the key policy grants or
 * denies kms:GetKeyRotationStatus, and the health check reads it at most every
 * ROTATION_STATUS_REFRESH_MS without letting the result touch the key state.
 */

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.close();
});

const DAY_MS = 24 * 60 * 60 * 1000;

/** The stack's policy plus a statement that lets the platform read the rotation status. */
const POLICY_WITH_ROTATION_STATUS = keyPolicy({
  extraStatements: [{ Sid: "ReadRotation", Effect: "Allow", Principal: { AWS: PLATFORM_PRINCIPAL }, Action: "kms:GetKeyRotationStatus", Resource: "*" }],
});

/** Creates a tenant whose key (with `policy`) is saved and active. */
async function byokTenant(policy: string = POLICY_WITH_ROTATION_STATUS) {
  const tenant = await createTenant(stack.prisma);
  const keyArn = await createKey(stack.tenantKms(), { policy });
  const parsed = parseKeyArn(keyArn, { serviceRegion: REGION });
  if (!parsed.ok) throw new Error(parsed.problem.message);
  const deps = stack.deps();
  expect((await saveKeyConfiguration(deps, await tenant.access("OWNER"), parsed.key)).status).toBe("success");
  return { tenant, accountId: tenant.accountId, keyArn, deps };
}

async function configOf(accountId: string) {
  return stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId } });
}

async function rotationCallsOf(accountId: string) {
  return stack.prisma.kmsCall.findMany({ where: { accountId, operation: "GetKeyRotationStatus" }, orderBy: { id: "asc" } });
}

describe("refreshRotationStatus", () => {
  it("stores rotation that is on", async () => {
    const { accountId, keyArn, deps } = await byokTenant();
    await stack.tenantKms().send(new EnableKeyRotationCommand({ KeyId: keyArn, RotationPeriodInDays: 180 }));
    const before = Date.now();

    const read = await refreshRotationStatus(deps, accountId, keyArn);

    expect(read).toMatchObject({ ok: true, enabled: true, periodDays: 180 });
    const config = await configOf(accountId);
    expect(config.rotationEnabled).toBe(true);
    expect(config.rotationPeriodDays).toBe(180);
    expect(config.rotationErrorCode).toBeNull();
    expect(config.rotationCheckedAt!.getTime()).toBeGreaterThanOrEqual(before);
    // KMS counts the period from the creation of the current key material, a moment before.
    expect(config.nextRotationAt!.getTime()).toBeGreaterThan(before + 180 * DAY_MS - 60_000);
    expect(config.nextRotationAt!.getTime()).toBeLessThanOrEqual(Date.now() + 180 * DAY_MS);
  });

  it("stores rotation that is off", async () => {
    const { accountId, keyArn, deps } = await byokTenant();

    const read = await refreshRotationStatus(deps, accountId, keyArn);

    expect(read).toEqual({ ok: true, enabled: false, periodDays: null, nextRotationAt: null });
    const config = await configOf(accountId);
    expect(config.rotationEnabled).toBe(false);
    expect(config.rotationPeriodDays).toBeNull();
    expect(config.nextRotationAt).toBeNull();
    expect(config.rotationErrorCode).toBeNull();
    expect(config.rotationCheckedAt).not.toBeNull();
  });

  it("records the call in the KMS call log", async () => {
    const { accountId, keyArn, deps } = await byokTenant();

    await refreshRotationStatus(deps, accountId, keyArn);

    const [call, ...more] = await rotationCallsOf(accountId);
    expect(more).toHaveLength(0);
    expect(call).toMatchObject({ keyArn, ok: true, errorCode: null, cause: "HEALTH_CHECK", instance: "vitest", encryptionContext: {} });
    expect(call?.requestId).toMatch(/\S/);
    expect(call?.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("stores a denial without touching the key state", async () => {
    const { accountId, keyArn, deps } = await byokTenant(keyPolicy());
    await stack.tenantKms().send(new EnableKeyRotationCommand({ KeyId: keyArn }));
    await refreshRotationStatusWithPolicy(accountId, keyArn, POLICY_WITH_ROTATION_STATUS);
    expect((await configOf(accountId)).rotationEnabled).toBe(true);
    const before = await configOf(accountId);

    const read = await refreshRotationStatus(deps, accountId, keyArn);

    expect(read).toEqual({ ok: false, awsErrorName: "AccessDeniedException" });
    const config = await configOf(accountId);
    expect(config.rotationEnabled).toBeNull();
    expect(config.rotationPeriodDays).toBeNull();
    expect(config.nextRotationAt).toBeNull();
    expect(config.rotationErrorCode).toBe("AccessDeniedException");
    expect(config.rotationCheckedAt!.getTime()).toBeGreaterThan(before.rotationCheckedAt!.getTime());
    expect(config.state).toBe("ACTIVE");
    expect(config.stateChangedAt).toEqual(before.stateChangedAt);
    expect(config.lastErrorCode).toBeNull();
    expect(config.version).toBe(before.version);
    const calls = await rotationCallsOf(accountId);
    expect(calls.at(-1)).toMatchObject({ keyArn, ok: false, errorCode: "AccessDeniedException", cause: "HEALTH_CHECK", encryptionContext: {} });
    expect(calls.at(-1)?.requestId).toMatch(/\S/);
  });

  it("returns a KMS fault instead of throwing", async () => {
    const { accountId, keyArn } = await byokTenant();
    stack.kms.setFault({ kind: "internal-error", operations: ["GetKeyRotationStatus"] });
    let read;
    try {
      read = await refreshRotationStatus(stack.deps({ maxAttempts: 1 }), accountId, keyArn);
    } finally {
      stack.kms.clearFaults();
    }

    expect(read).toEqual({ ok: false, awsErrorName: "KMSInternalException" });
    const config = await configOf(accountId);
    expect(config.rotationErrorCode).toBe("KMSInternalException");
    expect(config.state).toBe("ACTIVE");
    expect((await rotationCallsOf(accountId)).at(-1)).toMatchObject({ ok: false, errorCode: "KMSInternalException" });
  });

  it("leaves a config with another key alone", async () => {
    const { accountId, deps } = await byokTenant();
    const otherKeyArn = await createKey(stack.tenantKms(), { policy: POLICY_WITH_ROTATION_STATUS });

    await refreshRotationStatus(deps, accountId, otherKeyArn);

    expect((await configOf(accountId)).rotationCheckedAt).toBeNull();
    expect((await rotationCallsOf(accountId)).map((call) => call.keyArn)).toEqual([otherKeyArn]);
  });
});

describe("key policy for the rotation status", () => {
  it("allows the read with the helper's statement", async () => {
    const { accountId, keyArn, deps } = await byokTenant(keyPolicy());
    const policy = fullKeyPolicy({
      principalArn: PLATFORM_PRINCIPAL,
      service: SERVICE,
      accountUuid: accountId,
      serviceRegion: REGION,
      includeAccountCondition: true,
      includeReEncrypt: false,
      includeRotationStatus: true,
      tenantAwsAccountId: TENANT_AWS_ACCOUNT,
    });
    await stack.tenantKms().send(new PutKeyPolicyCommand({ KeyId: keyArn, PolicyName: "default", Policy: policy }));

    expect(await refreshRotationStatus(deps, accountId, keyArn)).toMatchObject({ ok: true, enabled: false });
    expect((await runHealthCheck(deps, accountId))?.state).toBe("ACTIVE");
  });

  it("denies the read under an encryption-context condition", async () => {
    const conditioned = keyPolicy({
      actions: ["kms:GenerateDataKey", "kms:Decrypt", "kms:GetKeyRotationStatus"],
      condition: { StringEquals: { "kms:EncryptionContext:service": SERVICE } },
    });
    const { accountId, keyArn, deps } = await byokTenant(conditioned);

    expect(await refreshRotationStatus(deps, accountId, keyArn)).toEqual({ ok: false, awsErrorName: "AccessDeniedException" });
  });
});

describe("rotation status in the health check", () => {
  it("reads the status after a passing check", async () => {
    const { accountId, keyArn, deps } = await byokTenant();
    await stack.tenantKms().send(new EnableKeyRotationCommand({ KeyId: keyArn }));

    expect((await runHealthCheck(deps, accountId))?.state).toBe("ACTIVE");

    const config = await configOf(accountId);
    expect(config.rotationEnabled).toBe(true);
    expect(config.rotationPeriodDays).toBe(365);
    expect(await rotationCallsOf(accountId)).toHaveLength(1);
  });

  it("keeps the key active when the policy denies the read", async () => {
    const { accountId, deps } = await byokTenant(keyPolicy());

    const transition = await runHealthCheck(deps, accountId);

    expect(transition?.state).toBe("ACTIVE");
    const config = await configOf(accountId);
    expect(config.state).toBe("ACTIVE");
    expect(config.consecutiveFailures).toBe(0);
    expect(config.rotationErrorCode).toBe("AccessDeniedException");
    const check = await stack.prisma.keyCheck.findFirstOrThrow({ where: { accountId, trigger: "HEALTH_CHECK" } });
    expect(check.ok).toBe(true);
    expect((await rotationCallsOf(accountId)).map((call) => call.errorCode)).toEqual(["AccessDeniedException"]);
  });

  it("keeps the key active when the read fails", async () => {
    const { accountId } = await byokTenant();
    stack.kms.setFault({ kind: "internal-error", operations: ["GetKeyRotationStatus"] });
    let transition;
    try {
      transition = await runHealthCheck(stack.deps({ maxAttempts: 1 }), accountId);
    } finally {
      stack.kms.clearFaults();
    }

    expect(transition?.state).toBe("ACTIVE");
    const config = await configOf(accountId);
    expect(config.state).toBe("ACTIVE");
    expect(config.rotationErrorCode).toBe("KMSInternalException");
  });

  it("skips the read after a failed check", async () => {
    const { accountId, keyArn, deps } = await byokTenant();
    await stack.tenantKms().send(new DisableKeyCommand({ KeyId: keyArn }));

    expect((await runHealthCheck(deps, accountId))?.state).toBe("UNAVAILABLE");

    expect(await rotationCallsOf(accountId)).toHaveLength(0);
    expect((await configOf(accountId)).rotationCheckedAt).toBeNull();
  });

  it("reads again only after the refresh interval", async () => {
    const { accountId, deps } = await byokTenant();
    // The key was connected long ago, so moving the last read back keeps it a read of this key.
    await stack.prisma.encryptionConfig.update({ where: { accountId }, data: { enabledAt: new Date(Date.now() - DAY_MS) } });

    await runHealthCheck(deps, accountId);
    await runHealthCheck(deps, accountId);
    expect(await rotationCallsOf(accountId)).toHaveLength(1);

    await setRotationCheckedAt(accountId, new Date(Date.now() - ROTATION_STATUS_REFRESH_MS + 60_000));
    await runHealthCheck(deps, accountId);
    expect(await rotationCallsOf(accountId)).toHaveLength(1);

    await setRotationCheckedAt(accountId, new Date(Date.now() - ROTATION_STATUS_REFRESH_MS - 60_000));
    await runHealthCheck(deps, accountId);
    expect(await rotationCallsOf(accountId)).toHaveLength(2);
  });

  it("reads again at once for a newly saved key", async () => {
    const { tenant, accountId, deps } = await byokTenant();
    await runHealthCheck(deps, accountId);
    const newKeyArn = await createKey(stack.tenantKms(), { policy: POLICY_WITH_ROTATION_STATUS });
    await stack.tenantKms().send(new EnableKeyRotationCommand({ KeyId: newKeyArn, RotationPeriodInDays: 90 }));
    const parsed = parseKeyArn(newKeyArn, { serviceRegion: REGION });
    if (!parsed.ok) throw new Error(parsed.problem.message);
    expect((await saveKeyConfiguration(deps, await tenant.access("OWNER"), parsed.key)).status).toBe("success");

    await runHealthCheck(deps, accountId);

    expect((await rotationCallsOf(accountId)).map((call) => call.keyArn).at(-1)).toBe(newKeyArn);
    expect((await configOf(accountId)).rotationPeriodDays).toBe(90);
  });
});

describe("isRotationStatusDue", () => {
  const enabledAt = new Date("2026-12-01T00:00:00Z");
  const now = new Date("2026-12-04T12:00:00Z");

  it.each([
    ["due when never read", null, true],
    ["due when read before the key was enabled", new Date("2026-11-30T23:00:00Z"), true],
    ["not due when read just now", new Date(now.getTime() - 1_000), false],
    ["not due just inside the interval", new Date(now.getTime() - ROTATION_STATUS_REFRESH_MS + 1_000), false],
    ["due after exactly one interval", new Date(now.getTime() - ROTATION_STATUS_REFRESH_MS), true],
  ])("is %s", (_name, rotationCheckedAt, due) => {
    expect(isRotationStatusDue({ rotationCheckedAt, enabledAt }, now)).toBe(due);
  });

  it("treats a read of the previous key as missing", () => {
    expect(hasRotationStatusForKey({ rotationCheckedAt: new Date("2026-11-30T00:00:00Z"), enabledAt })).toBe(false);
    expect(hasRotationStatusForKey({ rotationCheckedAt: enabledAt, enabledAt })).toBe(true);
    expect(hasRotationStatusForKey({ rotationCheckedAt: null, enabledAt })).toBe(false);
  });
});

async function setRotationCheckedAt(accountId: string, rotationCheckedAt: Date) {
  await stack.prisma.encryptionConfig.update({ where: { accountId }, data: { rotationCheckedAt } });
}

/** Reads the rotation status once under `policy`, then restores the key's policy as it was. */
async function refreshRotationStatusWithPolicy(accountId: string, keyArn: string, policy: string) {
  const tenantKms = stack.tenantKms();
  await tenantKms.send(new PutKeyPolicyCommand({ KeyId: keyArn, PolicyName: "default", Policy: policy }));
  await refreshRotationStatus(stack.deps(), accountId, keyArn);
  await tenantKms.send(new PutKeyPolicyCommand({ KeyId: keyArn, PolicyName: "default", Policy: keyPolicy() }));
}
