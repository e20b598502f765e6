import { DisableKeyCommand } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { parseKeyArn } from "@/lib/arn";
import { saveKeyConfiguration } from "@/lib/byok/configure";
import { startKeyHealthWorker, type KeyHealthWorker } from "@/lib/jobs/key-health-worker";
import { createKey, createTenant, REGION, startTestStack, type TestStack } from "@/tests/support/stack";

/** The pg-boss worker against real PostgreSQL: two workers, each due check run once. */

let stack: TestStack;
const workers: KeyHealthWorker[] = [];

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  for (const worker of workers) await worker.stop();
  await stack.close();
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
      workers.push(await startKeyHealthWorker({ connection: { connectionString: inject("databaseUrl") }, deps: stack.deps(), sweepEveryMs: 500 }));
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
});
