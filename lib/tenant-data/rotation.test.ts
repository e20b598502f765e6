import { RotateKeyOnDemandCommand } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseKeyArn } from "@/lib/arn";
import { saveKeyConfiguration } from "@/lib/byok/configure";
import { createFact, findFact } from "@/lib/tenant-data/repository";
import { createKey, createTenant, REGION, startTestStack, type TestStack } from "@/tests/support/stack";

/** KMS key rotation keeps the same key ARN and keeps old ciphertext decryptable, so nothing here changes. */

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.close();
});

describe("key rotation", () => {
  it("keeps records from before and after rotation readable", async () => {
    const tenant = await createTenant(stack.prisma);
    const keyArn = await createKey(stack.tenantKms());
    const parsed = parseKeyArn(keyArn, { serviceRegion: REGION });
    if (!parsed.ok) throw new Error(parsed.problem.message);
    await saveKeyConfiguration(stack.deps(), await tenant.access("OWNER"), parsed.key);
    // A data key per write, so the second record's data key is wrapped by the new key material.
    const writer = stack.tenantData({ maxKeyAgeMs: -1, writeLeaseMs: 0 });

    const before = await createFact(writer.client, tenant.accountId, { content: "before rotation" });
    await stack.tenantKms().send(new RotateKeyOnDemandCommand({ KeyId: keyArn }));
    const after = await createFact(writer.client, tenant.accountId, { content: "after rotation" });

    const reader = stack.tenantData();
    expect((await findFact(reader.client, tenant.accountId, before!.id))?.content).toBe("before rotation");
    expect((await findFact(reader.client, tenant.accountId, after!.id))?.content).toBe("after rotation");
    const keys = await stack.prisma.dataKey.findMany({ where: { accountId: tenant.accountId }, orderBy: { serial: "asc" } });
    expect(keys.map((key) => key.kmsKeyArn)).toEqual([keyArn, keyArn]);
  });
});
