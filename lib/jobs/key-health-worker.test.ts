import { DisableKeyCommand } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseKeyArn } from "@/lib/arn";
import { saveKeyConfiguration } from "@/lib/byok/configure";
import { migrateDatabase } from "@/lib/db/migrate";
import { startKeyHealthWorker, type KeyHealthWorker } from "@/lib/jobs/key-health-worker";
import { queueRewrapJob } from "@/lib/rewrap";
import { createFact } from "@/lib/tenant-data/repository";
import { createScratchDatabase } from "@/tests/support/database";
import { createKey, createTenant, keyPolicy, REGION, startTestStack, type TestStack } from "@/tests/support/stack";

/**
 * The pg-boss worker against real PostgreSQL: two workers, each due check run once. The
 * workers sweep the whole database, so this file has one of its own: on the shared one
 * they would check other files' keys and run their queued jobs.
 */

let stack: TestStack;
let database: { url: string; drop: () => Promise<void> };
const workers: KeyHealthWorker[] = [];

beforeAll(async () => {
  database = await createScratchDatabase();
  await migrateDatabase(database.url);
  stack = await startTestStack({ databaseUrl: database.url });
});

afterAll(async () => {
  for (const worker of workers) await worker.stop();
  await stack.close();
  await database.drop();
});

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await read();
  }
  return value;
}

describe("key health worker", () => {
  it("checks due keys once however many workers run", async () => {
    const tenant = await createTenant(stack.prisma);
    const keyArn = await createKey(stack.tenantKms());
    const parsed = parseKeyArn(keyArn, { serviceRegion: REGION });
    if (!parsed.ok) throw new Error(parsed.problem.message);
    await saveKeyConfiguration(stack.deps(), await tenant.access("OWNER"), parsed.key);
    await stack.tenantKms().send(new DisableKeyCommand({ KeyId: keyArn }));
    await stack.prisma.encryptionConfig.update({ where: { accountId: tenant.accountId }, data: { nextHealthCheckAt: new Date(Date.now() - 1_000) } });

    for (let index = 0; index < 2; index++) {
      workers.push(await startKeyHealthWorker({ connection: { connectionString: database.url }, deps: stack.deps(), sweepEveryMs: 500 }));
    }

    const config = await waitFor(
      () => stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } }),
      (current) => current.state === "UNAVAILABLE",
    );
    expect(config.state).toBe("UNAVAILABLE");
    expect(config.lastErrorCode).toBe("KEY_DISABLED");
    // The next check is a minute away, so both workers together ran exactly one.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await stack.prisma.keyCheck.count({ where: { accountId: tenant.accountId, trigger: "HEALTH_CHECK" } })).toBe(1);
  });

  it("runs a queued re-wrap job to completion", async () => {
    const tenant = await createTenant(stack.prisma);
    const keyArn = await createKey(stack.tenantKms());
    const parsed = parseKeyArn(keyArn, { serviceRegion: REGION });
    if (!parsed.ok) throw new Error(parsed.problem.message);
    await saveKeyConfiguration(stack.deps(), await tenant.access("OWNER"), parsed.key);
    await createFact(stack.tenantData().client, tenant.accountId, { content: "moves to the platform key" });
    await stack.prisma.encryptionConfig.update({ where: { accountId: tenant.accountId }, data: { state: "DISABLED", nextHealthCheckAt: null } });

    const queued = await queueRewrapJob(stack.prisma, { accountId: tenant.accountId, kind: "TO_PLATFORM", sourceKeyArn: keyArn, targetKeyArn: stack.platformKeyArn, requestedBy: "test" });
    expect(workers.length).toBeGreaterThan(0);

    const job = await waitFor(
      () => stack.prisma.rewrapJob.findUniqueOrThrow({ where: { id: queued.id } }),
      (current) => current.status === "COMPLETED",
    );
    expect(job).toMatchObject({ status: "COMPLETED", total: 1, moved: 1, failed: 0 });
    const dataKeys = await stack.prisma.dataKey.findMany({ where: { accountId: tenant.accountId } });
    expect(dataKeys.every((key) => key.kmsKeyArn === stack.platformKeyArn && key.source === "PLATFORM")).toBe(true);
  });

  it("queues a scheduled re-wrap once and moves the next date one interval on", async () => {
    const tenant = await createTenant(stack.prisma);
    const keyArn = await createKey(stack.tenantKms(), { policy: keyPolicy({ actions: ["kms:GenerateDataKey", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo"] }) });
    const parsed = parseKeyArn(keyArn, { serviceRegion: REGION });
    if (!parsed.ok) throw new Error(parsed.problem.message);
    await saveKeyConfiguration(stack.deps(), await tenant.access("OWNER"), parsed.key);
    await createFact(stack.tenantData().client, tenant.accountId, { content: "re-wrapped on schedule" });
    await stack.prisma.encryptionConfig.update({ where: { accountId: tenant.accountId }, data: { rewrapIntervalDays: 30, nextRewrapAt: new Date(Date.now() - 1_000) } });
    expect(workers.length).toBe(2);

    const jobs = await waitFor(
      () => stack.prisma.rewrapJob.findMany({ where: { accountId: tenant.accountId } }),
      (current) => current.length > 0 && current.every((job) => job.status === "COMPLETED"),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await stack.prisma.rewrapJob.count({ where: { accountId: tenant.accountId } })).toBe(1);
    expect(jobs[0]).toMatchObject({ kind: "ROTATION", sourceKeyArn: keyArn, targetKeyArn: keyArn, requestedBy: "schedule", moved: 1 });
    const config = await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } });
    const daysAhead = (config.nextRewrapAt!.getTime() - Date.now()) / 86_400_000;
    expect(daysAhead).toBeGreaterThan(29.9);
    expect(daysAhead).toBeLessThan(30.1);
  });
});
