import { DisableKeyCommand, PutKeyPolicyCommand } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseKeyArn, type KeyArn } from "@/lib/arn";
import { saveKeyConfiguration } from "@/lib/byok/configure";
import { cancelRewrap, requestOlderDataProtection, requestRotationRewrap, setRewrapSchedule } from "@/lib/byok/rewrap-requests";
import type { FormResult } from "@/lib/byok/schema";
import { runRewrapJob } from "@/lib/rewrap/run";
import { createFact } from "@/lib/tenant-data/repository";
import { createKey, createTenant, keyPolicy, REGION, startTestStack, type TestStack } from "@/tests/support/stack";

/**
 * What an admin starts from the Encryption page, against real PostgreSQL and the local
 * KMS: a key change, protecting data written before activation, a re-wrap now or on a
 * schedule, and cancelling a job. The jobs themselves are tested in lib/rewrap.
 */

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.close();
});

const WITH_REENCRYPT = keyPolicy({ actions: ["kms:GenerateDataKey", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo"] });

function keyOf(arn: string): KeyArn {
  const parsed = parseKeyArn(arn, { serviceRegion: REGION });
  if (!parsed.ok) throw new Error(`test ARN rejected: ${parsed.problem.message}`);
  return parsed.key;
}

function messageOf(result: FormResult): string {
  if (result.status === "success") return result.message;
  throw new Error(`expected success, got ${JSON.stringify(result)}`);
}

function errorOf(result: FormResult) {
  if (result.status === "error" && result.formError) return result.formError;
  throw new Error(`expected a form error, got ${JSON.stringify(result)}`);
}

/** Creates a BYOK tenant whose key wraps one data key, which protects one fact. */
async function tenantWithData() {
  const tenant = await createTenant(stack.prisma);
  const oldArn = await createKey(stack.tenantKms(), { policy: WITH_REENCRYPT });
  messageOf(await saveKeyConfiguration(stack.deps(), await tenant.access("OWNER"), keyOf(oldArn)));
  await createFact(stack.tenantData().client, tenant.accountId, { content: "kept" });
  return { tenant, accountId: tenant.accountId, oldArn };
}

function configOf(accountId: string) {
  return stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId } });
}

describe("changing the key", () => {
  it("queues a change and keeps the old key", async () => {
    const { tenant, accountId, oldArn } = await tenantWithData();
    const newArn = await createKey(stack.tenantKms(), { policy: WITH_REENCRYPT });

    const result = await saveKeyConfiguration(stack.deps(), await tenant.access("ADMIN"), keyOf(newArn));

    expect(messageOf(result)).toBe(
      `${newArn} works. 1 data key is moving to it from ${oldArn}, and the account switches when the move is done. Keep the old key enabled and its policy unchanged until then.`,
    );
    expect((await configOf(accountId)).keyArn).toBe(oldArn);
    const job = await stack.prisma.rewrapJob.findFirstOrThrow({ where: { accountId } });
    expect(job).toMatchObject({ kind: "KEY_CHANGE", status: "PENDING", sourceKeyArn: oldArn, targetKeyArn: newArn, requestedBy: (await tenant.access("ADMIN")).user.email });
    const audit = await stack.prisma.auditEvent.findFirstOrThrow({ where: { accountId, action: "byok.key.change" } });
    expect(audit).toMatchObject({ outcome: "SUCCESS", actorType: "USER", keyArn: newArn, after: { keyArn: oldArn, changingTo: newArn } });
    // The new key was validated with the usual round trip, which counts as a save check.
    expect(await stack.prisma.keyCheck.count({ where: { accountId, keyArn: newArn, trigger: "SAVE", ok: true } })).toBe(1);

    // Saving the same new key again joins the running change.
    messageOf(await saveKeyConfiguration(stack.deps(), await tenant.access("ADMIN"), keyOf(newArn)));
    expect(await stack.prisma.rewrapJob.count({ where: { accountId } })).toBe(1);

    await runRewrapJob({ prisma: stack.prisma, kms: stack.deps().kms, instance: "test" }, job.id);
    const switched = await configOf(accountId);
    expect(switched.keyArn).toBe(newArn);
    // The status then names the admin who asked for the change as the one who enabled the key.
    expect(switched.enabledById).toBe(tenant.userIds.ADMIN);
    expect(switched.enabledAt.getTime()).toBeGreaterThan(job.createdAt.getTime());
  });

  it("refuses a second key change while one runs", async () => {
    const { tenant, accountId } = await tenantWithData();
    const firstArn = await createKey(stack.tenantKms(), { policy: WITH_REENCRYPT });
    const secondArn = await createKey(stack.tenantKms(), { policy: WITH_REENCRYPT });
    messageOf(await saveKeyConfiguration(stack.deps(), await tenant.access("ADMIN"), keyOf(firstArn)));

    const error = errorOf(await saveKeyConfiguration(stack.deps(), await tenant.access("ADMIN"), keyOf(secondArn)));

    expect(error.code).toBe("KEY_CHANGE_IN_PROGRESS");
    expect(error.message).toBe(`A change to ${firstArn} is already in progress, so ${secondArn} was not started.`);
    expect(await stack.prisma.rewrapJob.count({ where: { accountId } })).toBe(1);
  });

  it("accepts one of two concurrent key changes", async () => {
    const { tenant, accountId } = await tenantWithData();
    const [firstArn, secondArn] = [await createKey(stack.tenantKms(), { policy: WITH_REENCRYPT }), await createKey(stack.tenantKms(), { policy: WITH_REENCRYPT })];

    const results = await Promise.all([
      saveKeyConfiguration(stack.deps(), await tenant.access("OWNER"), keyOf(firstArn)),
      saveKeyConfiguration(stack.deps(), await tenant.access("ADMIN"), keyOf(secondArn)),
    ]);

    expect(results.map((result) => result.status).sort()).toEqual(["error", "success"]);
    expect(results.map((result) => (result.status === "error" ? result.formError?.code : null)).filter(Boolean)).toEqual(["KEY_CHANGE_IN_PROGRESS"]);
    expect(await stack.prisma.rewrapJob.count({ where: { accountId, kind: "KEY_CHANGE" } })).toBe(1);
  });

  it("switches at once from an unavailable key", async () => {
    const { tenant, accountId, oldArn } = await tenantWithData();
    await stack.tenantKms().send(new DisableKeyCommand({ KeyId: oldArn }));
    await stack.prisma.encryptionConfig.update({ where: { accountId }, data: { state: "UNAVAILABLE" } });
    const newArn = await createKey(stack.tenantKms(), { policy: WITH_REENCRYPT });

    const result = await saveKeyConfiguration(stack.deps(), await tenant.access("ADMIN"), keyOf(newArn));

    expect(messageOf(result)).toBe(
      `BYOK is active with ${newArn}. 1 data key stays under ${oldArn}, which is unavailable: their records can be read again only when that key works.`,
    );
    expect(await configOf(accountId)).toMatchObject({ keyArn: newArn, state: "ACTIVE" });
    expect(await stack.prisma.rewrapJob.count({ where: { accountId } })).toBe(0);
  });
});

describe("protecting data written before activation", () => {
  it("queues a move of the platform-key data keys when asked", async () => {
    const tenant = await createTenant(stack.prisma);
    await createFact(stack.tenantData().client, tenant.accountId, { content: "before activation" });
    const arn = await createKey(stack.tenantKms(), { policy: WITH_REENCRYPT });

    const result = await saveKeyConfiguration(stack.deps(), await tenant.access("OWNER"), keyOf(arn), { protectOlderData: true });

    expect(messageOf(result)).toBe(
      `BYOK is active with ${arn}. The 1 data key of data written before activation is moving under your key; the progress is shown under "Re-wrap".`,
    );
    const job = await stack.prisma.rewrapJob.findFirstOrThrow({ where: { accountId: tenant.accountId } });
    expect(job).toMatchObject({ kind: "FROM_PLATFORM", sourceKeyArn: stack.platformKeyArn, targetKeyArn: arn, status: "PENDING" });
  });

  it("can be started again after the key policy is fixed", async () => {
    const tenant = await createTenant(stack.prisma);
    await createFact(stack.tenantData().client, tenant.accountId, { content: "before activation" });
    const arn = await createKey(stack.tenantKms(), { policy: keyPolicy() });
    const access = await tenant.access("OWNER");
    messageOf(await saveKeyConfiguration(stack.deps(), access, keyOf(arn), { protectOlderData: true }));
    const rewrapDeps = { prisma: stack.prisma, kms: stack.deps().kms, instance: "test" };
    const first = await stack.prisma.rewrapJob.findFirstOrThrow({ where: { accountId: tenant.accountId } });
    expect((await runRewrapJob(rewrapDeps, first.id)).status).toBe("FAILED");

    await stack.tenantKms().send(new PutKeyPolicyCommand({ KeyId: arn, PolicyName: "default", Policy: WITH_REENCRYPT }));
    const retried = await requestOlderDataProtection(stack.prisma, access, stack.platformKeyArn);

    expect(messageOf(retried)).toContain("The 1 data key of data written before activation is moving under your key");
    const second = await stack.prisma.rewrapJob.findFirstOrThrow({ where: { accountId: tenant.accountId, status: "PENDING" } });
    expect((await runRewrapJob(rewrapDeps, second.id)).status).toBe("COMPLETED");
    expect((await stack.prisma.dataKey.findMany({ where: { accountId: tenant.accountId } })).map((key) => key.kmsKeyArn)).toEqual([arn]);
  });

  it("queues nothing by default", async () => {
    const tenant = await createTenant(stack.prisma);
    await createFact(stack.tenantData().client, tenant.accountId, { content: "before activation" });
    const arn = await createKey(stack.tenantKms(), { policy: WITH_REENCRYPT });

    expect(messageOf(await saveKeyConfiguration(stack.deps(), await tenant.access("OWNER"), keyOf(arn)))).toBe(`BYOK is active with ${arn}.`);
    expect(await stack.prisma.rewrapJob.count({ where: { accountId: tenant.accountId } })).toBe(0);
  });
});

describe("re-wrap requests", () => {
  it("queues a rotation re-wrap of the current key, once while it is pending", async () => {
    const { tenant, accountId, oldArn } = await tenantWithData();
    const access = await tenant.access("ADMIN");

    expect(messageOf(await requestRotationRewrap(stack.prisma, access))).toBe(`Re-wrap of the data keys under ${oldArn} queued. Progress shows below.`);
    messageOf(await requestRotationRewrap(stack.prisma, access));

    const jobs = await stack.prisma.rewrapJob.findMany({ where: { accountId } });
    expect(jobs.map((job) => [job.kind, job.sourceKeyArn, job.targetKeyArn, job.status])).toEqual([["ROTATION", oldArn, oldArn, "PENDING"]]);
    expect(await stack.prisma.auditEvent.count({ where: { accountId, action: "byok.rewrap.request", outcome: "SUCCESS" } })).toBe(2);
  });

  it("refuses a re-wrap while the key is unavailable", async () => {
    const { tenant, accountId, oldArn } = await tenantWithData();
    await stack.prisma.encryptionConfig.update({ where: { accountId }, data: { state: "UNAVAILABLE" } });

    const error = errorOf(await requestRotationRewrap(stack.prisma, await tenant.access("ADMIN")));

    expect(error.code).toBe("KEY_UNAVAILABLE");
    expect(error.message).toBe(`The platform cannot use ${oldArn} right now, so its data keys cannot be re-wrapped.`);
    expect(await stack.prisma.rewrapJob.count({ where: { accountId } })).toBe(0);
  });

  it("sets and clears the schedule, recording before and after", async () => {
    const { tenant, accountId } = await tenantWithData();
    const access = await tenant.access("OWNER");

    expect(messageOf(await setRewrapSchedule(stack.prisma, access, 90))).toMatch(/^Data keys will be re-wrapped every 90 days, first on \d{4}-\d{2}-\d{2}\.$/);
    const scheduled = await configOf(accountId);
    expect(scheduled.rewrapIntervalDays).toBe(90);
    expect(Math.round((scheduled.nextRewrapAt!.getTime() - Date.now()) / 86_400_000)).toBe(90);

    expect(messageOf(await setRewrapSchedule(stack.prisma, access, null))).toBe("Scheduled re-wraps are off.");
    expect(await configOf(accountId)).toMatchObject({ rewrapIntervalDays: null, nextRewrapAt: null });
    const events = await stack.prisma.auditEvent.findMany({ where: { accountId, action: "byok.rewrap.schedule" }, orderBy: { id: "asc" } });
    expect(events.map((event) => [event.before, (event.after as { rewrapIntervalDays: number | null }).rewrapIntervalDays])).toEqual([
      [{ rewrapIntervalDays: null, nextRewrapAt: null }, 90],
      [{ rewrapIntervalDays: 90, nextRewrapAt: scheduled.nextRewrapAt!.toISOString() }, null],
    ]);
  });

  it("cancels a pending key change, and not another account's job", async () => {
    const { tenant, accountId, oldArn } = await tenantWithData();
    const newArn = await createKey(stack.tenantKms(), { policy: WITH_REENCRYPT });
    messageOf(await saveKeyConfiguration(stack.deps(), await tenant.access("ADMIN"), keyOf(newArn)));
    const job = await stack.prisma.rewrapJob.findFirstOrThrow({ where: { accountId } });
    const stranger = await tenantWithData();

    const refused = errorOf(await cancelRewrap(stack.prisma, await stranger.tenant.access("OWNER"), job.id));
    expect(refused.code).toBe("JOB_NOT_FOUND");

    const result = await cancelRewrap(stack.prisma, await tenant.access("OWNER"), job.id);
    expect(messageOf(result)).toBe(`Key change cancelled. The account keeps ${oldArn}; data keys already moved stay under ${newArn}, so keep that key too.`);
    const cancelled = await stack.prisma.rewrapJob.findUniqueOrThrow({ where: { id: job.id } });
    expect(cancelled.status).toBe("CANCELLED");
    expect(cancelled.lastError).toBe(
      `Cancelled by ${(await tenant.access("OWNER")).user.email}. The account keeps ${oldArn}; data keys already moved stay under ${newArn}, so keep that key usable too.`,
    );
    expect(errorOf(await cancelRewrap(stack.prisma, await tenant.access("OWNER"), job.id)).code).toBe("JOB_FINISHED");
    expect((await configOf(accountId)).keyArn).toBe(oldArn);
  });
});
