import { DisableKeyCommand, EnableKeyCommand, PutKeyPolicyCommand, ScheduleKeyDeletionCommand } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseKeyArn } from "@/lib/arn";
import { saveKeyConfiguration } from "@/lib/byok/configure";
import { DataKeyUnavailableError } from "@/lib/data-keys/errors";
import { claimDueAccounts, recordLiveRefusal, runHealthCheck, type KeyEvent } from "@/lib/health/service";
import { createFact, createMessage, createSession, findFact } from "@/lib/tenant-data/repository";
import { createKey, createTenant, keyPolicy, REGION, startTestStack, type TestStack } from "@/tests/support/stack";

/**
 * Revocation and recovery against real PostgreSQL and the local KMS: the tenant pulls the
 * policy statement, disables the key or schedules its deletion, or KMS becomes
 * unreachable, while two app instances write.
 */

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.close();
});

const POLICY_WITHOUT_PLATFORM = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Sid: "KeyAdministration", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "kms:*", Resource: "*" }],
});

async function byokTenant(events: KeyEvent[] = []) {
  const tenant = await createTenant(stack.prisma);
  const keyArn = await createKey(stack.tenantKms());
  const parsed = parseKeyArn(keyArn, { serviceRegion: REGION });
  if (!parsed.ok) throw new Error(parsed.problem.message);
  const deps = stack.deps({ events: { notify: async (event) => void events.push(event) } });
  expect((await saveKeyConfiguration(deps, await tenant.access("OWNER"), parsed.key)).status).toBe("success");
  return { tenant, keyArn, deps, events };
}

async function stateOf(accountId: string) {
  return stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId } });
}

describe("key health", () => {
  it("revoked policy stops writes everywhere, then resumes", async () => {
    const { tenant, keyArn, deps, events } = await byokTenant();
    // Two app instances, each with its own cache; each re-reads the key state after 200 ms.
    const first = stack.tenantData({ writeLeaseMs: 200 });
    const second = stack.tenantData({ writeLeaseMs: 200 });
    const session = await createSession(first.client, tenant.accountId, {});
    const written = await createMessage(first.client, tenant.accountId, session.id, { role: "USER", content: "before revocation" });
    await createFact(second.client, tenant.accountId, { content: "warm second instance" });

    await stack.tenantKms().send(new PutKeyPolicyCommand({ KeyId: keyArn, PolicyName: "default", Policy: POLICY_WITHOUT_PLATFORM }));
    const transition = await runHealthCheck(deps, tenant.accountId);

    expect(transition?.state).toBe("UNAVAILABLE");
    expect(events.map((event) => event.kind)).toEqual(["KEY_UNAVAILABLE"]);
    expect(events[0]).toMatchObject({ keyArn, cause: "KEY_ACCESS_DENIED" });
    const messagesBefore = await stack.prisma.message.count({ where: { accountId: tenant.accountId } });

    // Both instances reject writes once their 200 ms view of the key state has run out.
    const deadline = Date.now() + 2_000;
    let rejectedByBoth = false;
    while (!rejectedByBoth && Date.now() < deadline) {
      const results = await Promise.allSettled([
        createMessage(first.client, tenant.accountId, session.id, { role: "USER", content: "during revocation" }),
        createFact(second.client, tenant.accountId, { content: "during revocation" }),
      ]);
      rejectedByBoth = results.every((result) => result.status === "rejected" && result.reason instanceof DataKeyUnavailableError);
    }
    expect(rejectedByBoth).toBe(true);
    // Once rejected, writes stay rejected on both instances, and none of them left a row.
    const stored = await stack.prisma.message.count({ where: { accountId: tenant.accountId } });
    expect(stored).toBeGreaterThanOrEqual(messagesBefore);
    for (let attempt = 0; attempt < 5; attempt++) {
      await expect(createMessage(first.client, tenant.accountId, session.id, { role: "USER", content: "still revoked" })).rejects.toBeInstanceOf(DataKeyUnavailableError);
      await expect(createFact(second.client, tenant.accountId, { content: "still revoked" })).rejects.toBeInstanceOf(DataKeyUnavailableError);
    }
    expect(await stack.prisma.message.count({ where: { accountId: tenant.accountId } })).toBe(stored);

    // Reads keep working from the cache, and fail once the cached key is gone.
    const fact = await createFactOrNull(first, tenant.accountId);
    expect(fact).toBeNull();
    const page = await findFact(second.client, tenant.accountId, (await stack.prisma.fact.findFirstOrThrow({ where: { accountId: tenant.accountId } })).id);
    expect(page?.content).toBe("warm second instance");
    second.cache.clear();
    await expect(findFact(second.client, tenant.accountId, (await stack.prisma.fact.findFirstOrThrow({ where: { accountId: tenant.accountId } })).id)).rejects.toBeInstanceOf(DataKeyUnavailableError);

    await stack.tenantKms().send(new PutKeyPolicyCommand({ KeyId: keyArn, PolicyName: "default", Policy: keyPolicy() }));
    expect((await runHealthCheck(deps, tenant.accountId))?.state).toBe("ACTIVE");
    expect(events.map((event) => event.kind)).toEqual(["KEY_UNAVAILABLE", "KEY_RESTORED"]);

    const resumeDeadline = Date.now() + 2_000;
    let resumed = false;
    while (!resumed && Date.now() < resumeDeadline) {
      resumed = (await createMessage(first.client, tenant.accountId, session.id, { role: "USER", content: "after restore" }).catch(() => null)) !== null;
    }
    expect(resumed).toBe(true);
    expect(written?.id).toBeTruthy();
  });

  it("marks the key unavailable at once when live traffic sees a refusal", async () => {
    const { tenant, keyArn, deps } = await byokTenant();
    const instance = stack.tenantData({ onKeyRefused: (accountId, arn, failure) => recordLiveRefusal(deps, accountId, arn, failure) });
    const created = await createFact(instance.client, tenant.accountId, { content: "cached" });
    instance.cache.clear();
    await stack.tenantKms().send(new DisableKeyCommand({ KeyId: keyArn }));

    await expect(findFact(instance.client, tenant.accountId, created!.id)).rejects.toBeInstanceOf(DataKeyUnavailableError);

    const config = await stateOf(tenant.accountId);
    expect(config.state).toBe("UNAVAILABLE");
    expect(config.lastErrorCode).toBe("KEY_DISABLED");
    const audit = await stack.prisma.auditEvent.findFirstOrThrow({ where: { accountId: tenant.accountId, action: "byok.key.live_refusal" } });
    expect(audit.actorType).toBe("SYSTEM");
    expect(audit.after).toMatchObject({ state: "UNAVAILABLE" });
  });

  it.each([
    ["disabled", "KEY_DISABLED", (keyArn: string) => stack.tenantKms().send(new DisableKeyCommand({ KeyId: keyArn }))],
    ["scheduled for deletion", "KEY_PENDING_DELETION", (keyArn: string) => stack.tenantKms().send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }))],
  ])("makes a %s key unavailable", async (_name, code, breakKey) => {
    const { tenant, keyArn, deps } = await byokTenant();
    await breakKey(keyArn);

    const transition = await runHealthCheck(deps, tenant.accountId);

    expect(transition?.state).toBe("UNAVAILABLE");
    expect((await stateOf(tenant.accountId)).lastErrorCode).toBe(code);
    const check = await stack.prisma.keyCheck.findFirstOrThrow({ where: { accountId: tenant.accountId, trigger: "HEALTH_CHECK" } });
    expect(check.ok).toBe(false);
    expect(check.errorCode).toBe(code);
  });

  it.each([
    ["throttled", { kind: "throttle" as const }],
    ["slower than the timeout", { kind: "slow" as const, delayMs: 1_500 }],
    ["failing internally", { kind: "internal-error" as const }],
  ])("marks the key degraded, not unavailable, when KMS is %s", async (_name, fault) => {
    const { tenant, deps } = await byokTenant();
    const slowDeps = { ...stack.deps({ timeoutMs: 300, maxAttempts: 2 }), events: deps.events };
    stack.kms.setFault({ ...fault, operations: ["GenerateDataKey"] });

    let transition;
    try {
      transition = await runHealthCheck(slowDeps, tenant.accountId);
    } finally {
      stack.kms.clearFaults();
    }

    expect(transition?.state).toBe("DEGRADED");
    const config = await stateOf(tenant.accountId);
    expect(config.unavailableSince).toBeNull();
    expect(config.nextHealthCheckAt!.getTime() - Date.now()).toBeLessThan(10_000);
    expect((await runHealthCheck(deps, tenant.accountId))?.state).toBe("ACTIVE");
  });

  it("suspends the account and lifts the suspension when the key works again", async () => {
    const events: KeyEvent[] = [];
    const { tenant, keyArn, deps } = await byokTenant(events);
    const impatient = { ...deps, health: { ...deps.health, suspendAfterMs: 0 } };
    await stack.tenantKms().send(new DisableKeyCommand({ KeyId: keyArn }));

    await runHealthCheck(impatient, tenant.accountId);
    expect((await stateOf(tenant.accountId)).suspendedAt).not.toBeNull();
    expect(events.map((event) => event.kind)).toEqual(["KEY_UNAVAILABLE", "ACCOUNT_SUSPENDED"]);

    await stack.tenantKms().send(new EnableKeyCommand({ KeyId: keyArn }));
    await runHealthCheck(impatient, tenant.accountId);

    const config = await stateOf(tenant.accountId);
    expect(config.state).toBe("ACTIVE");
    expect(config.suspendedAt).toBeNull();
    expect(config.restoredAt).not.toBeNull();
  });

  it("gives each due account to exactly one claimer", async () => {
    const tenants = await Promise.all([byokTenant(), byokTenant(), byokTenant()]);
    const ids = tenants.map(({ tenant }) => tenant.accountId);
    await stack.prisma.encryptionConfig.updateMany({ where: { accountId: { in: ids } }, data: { nextHealthCheckAt: new Date(Date.now() - 1_000) } });

    const claims = await Promise.all([claimDueAccounts(stack, 100, 60_000), claimDueAccounts(stack, 100, 60_000), claimDueAccounts(stack, 100, 60_000)]);

    const claimed = claims.flat().filter((id) => ids.includes(id));
    expect(claimed.sort()).toEqual([...ids].sort());
  });
});

async function createFactOrNull(instance: ReturnType<TestStack["tenantData"]>, accountId: string) {
  return createFact(instance.client, accountId, { content: "should fail" }).catch(() => null);
}
