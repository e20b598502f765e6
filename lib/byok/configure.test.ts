import { DisableKeyCommand, EnableKeyCommand, ReplicateKeyCommand, ScheduleKeyDeletionCommand } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseKeyArn, type KeyArn } from "@/lib/arn";
import { saveKeyConfiguration, testKeyConnection } from "@/lib/byok/configure";
import type { FormResult } from "@/lib/byok/schema";
import { createKey, createTenant, keyPolicy, PLATFORM_PRINCIPAL, REGION, SERVICE, startTestStack, type TestStack } from "@/tests/support/stack";

/**
 * Saving a key against real PostgreSQL and the local KMS over HTTP: one test for each
 * failure mode an admin can hit, and what each leaves behind (nothing but audit rows
 * and KMS call rows on failure).
 */

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.close();
});

function keyOf(arn: string): KeyArn {
  const parsed = parseKeyArn(arn, { serviceRegion: REGION });
  if (!parsed.ok) throw new Error(`test ARN rejected: ${parsed.problem.message}`);
  return parsed.key;
}

function formError(result: FormResult) {
  expect(result.status).toBe("error");
  if (result.status !== "error" || !result.formError) throw new Error(`expected a form error, got ${JSON.stringify(result)}`);
  return result.formError;
}

async function expectNothingSaved(accountId: string) {
  expect(await stack.prisma.encryptionConfig.findUnique({ where: { accountId } })).toBeNull();
  expect(await stack.prisma.keyCheck.count({ where: { accountId } })).toBe(0);
}

async function lastAudit(accountId: string) {
  return stack.prisma.auditEvent.findFirstOrThrow({ where: { accountId }, orderBy: { id: "desc" } });
}

describe("saveKeyConfiguration", () => {
  it("activates a working key and records who and when", async () => {
    const tenant = await createTenant(stack.prisma);
    const arn = await createKey(stack.tenantKms());

    const result = await saveKeyConfiguration(stack.deps(), await tenant.access("ADMIN"), keyOf(arn));

    expect(result).toEqual({ status: "success", message: `BYOK is active with ${arn}.` });
    const config = await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } });
    expect(config.state).toBe("ACTIVE");
    expect(config.keyArn).toBe(arn);
    expect(config.keyRegion).toBe(REGION);
    expect(config.keyAwsAccountId).toBe("111122223333");
    expect(config.multiRegion).toBe(false);
    expect(config.enabledById).toBe(tenant.userIds.ADMIN);
    expect(Date.now() - config.lastValidatedAt.getTime()).toBeLessThan(60_000);

    const calls = await stack.prisma.kmsCall.findMany({ where: { accountId: tenant.accountId }, orderBy: { id: "asc" } });
    expect(calls.map((call) => [call.operation, call.ok, call.cause])).toEqual([
      ["GenerateDataKey", true, "VALIDATION"],
      ["Decrypt", true, "VALIDATION"],
    ]);
    expect(calls.every((call) => typeof call.requestId === "string" && call.requestId.length > 0)).toBe(true);
    expect(calls[0]!.encryptionContext).toEqual({ service: SERVICE, account_uuid: tenant.accountId });
    expect(calls[1]!.encryptionContext).toEqual(calls[0]!.encryptionContext);

    const audit = await lastAudit(tenant.accountId);
    expect(audit.action).toBe("byok.key.save");
    expect(audit.outcome).toBe("SUCCESS");
    expect(audit.actorUserId).toBe(tenant.userIds.ADMIN);
    expect(audit.after).toMatchObject({ keyArn: arn, state: "ACTIVE" });
    expect(await stack.prisma.keyCheck.count({ where: { accountId: tenant.accountId, ok: true, trigger: "SAVE" } })).toBe(1);
  });

  it("works with the encryption-context conditions of the key policy", async () => {
    const tenant = await createTenant(stack.prisma);
    const arn = await createKey(stack.tenantKms(), {
      policy: keyPolicy({ condition: { StringEquals: { "kms:EncryptionContext:service": SERVICE, "kms:EncryptionContext:account_uuid": tenant.accountId } } }),
    });

    const result = await saveKeyConfiguration(stack.deps(), await tenant.access("OWNER"), keyOf(arn));

    expect(result.status).toBe("success");
  });

  it("keeps who enabled a key when the same key is saved again", async () => {
    const tenant = await createTenant(stack.prisma);
    const arn = await createKey(stack.tenantKms());
    await saveKeyConfiguration(stack.deps(), await tenant.access("OWNER"), keyOf(arn));
    const first = await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } });

    await saveKeyConfiguration(stack.deps(), await tenant.access("ADMIN"), keyOf(arn));

    const second = await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } });
    expect(second.enabledById).toBe(tenant.userIds.OWNER);
    expect(second.enabledAt).toEqual(first.enabledAt);
    expect(second.lastValidatedAt.getTime()).toBeGreaterThanOrEqual(first.lastValidatedAt.getTime());
    expect(second.version).toBe(first.version + 1);
  });

  it("replaces the key only after the new key passes", async () => {
    const tenant = await createTenant(stack.prisma);
    const oldArn = await createKey(stack.tenantKms());
    const brokenArn = await createKey(stack.tenantKms(), { policy: keyPolicy({ actions: ["kms:GenerateDataKey"] }) });
    const newArn = await createKey(stack.tenantKms());
    await saveKeyConfiguration(stack.deps(), await tenant.access("OWNER"), keyOf(oldArn));

    const refused = await saveKeyConfiguration(stack.deps(), await tenant.access("ADMIN"), keyOf(brokenArn));
    expect(refused.status).toBe("error");
    expect((await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } })).keyArn).toBe(oldArn);

    const replaced = await saveKeyConfiguration(stack.deps(), await tenant.access("ADMIN"), keyOf(newArn));
    expect(replaced.status).toBe("success");
    const config = await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } });
    expect(config.keyArn).toBe(newArn);
    expect(config.enabledById).toBe(tenant.userIds.ADMIN);
    expect((await lastAudit(tenant.accountId)).before).toMatchObject({ keyArn: oldArn });
  });

  it("refuses accounts without the add-on", async () => {
    const tenant = await createTenant(stack.prisma, { byokAddOn: false });
    const arn = await createKey(stack.tenantKms());

    const error = formError(await saveKeyConfiguration(stack.deps(), await tenant.access("OWNER"), keyOf(arn)));

    expect(error.code).toBe("BYOK_NOT_ENTITLED");
    await expectNothingSaved(tenant.accountId);
    expect(await stack.prisma.kmsCall.count({ where: { accountId: tenant.accountId } })).toBe(0);
    expect((await lastAudit(tenant.accountId)).outcome).toBe("DENIED");
  });
});

describe("saveKeyConfiguration failure modes", () => {
  interface FailureCase {
    name: string;
    code: string;
    operation: string;
    /** Creates the key (and breaks it) and returns the ARN to paste. */
    arrange: (accountId: string) => Promise<string>;
    messageIncludes: string[];
    deps?: Parameters<TestStack["deps"]>[0];
    before?: () => void;
  }

  const cases: FailureCase[] = [
    {
      name: "policy without a statement for the platform",
      code: "KEY_ACCESS_DENIED",
      operation: "GenerateDataKey",
      arrange: () => createKey(stack.tenantKms(), { policy: keyPolicy({ actions: ["kms:DescribeKey"] }) }),
      messageIncludes: ["kms:GenerateDataKey", PLATFORM_PRINCIPAL],
    },
    {
      name: "policy that allows GenerateDataKey but not Decrypt",
      code: "KEY_ACCESS_DENIED",
      operation: "Decrypt",
      arrange: () => createKey(stack.tenantKms(), { policy: keyPolicy({ actions: ["kms:GenerateDataKey"] }) }),
      messageIncludes: ["kms:Decrypt"],
    },
    {
      name: "statement naming another principal",
      code: "KEY_ACCESS_DENIED",
      operation: "GenerateDataKey",
      arrange: () => createKey(stack.tenantKms(), { policy: keyPolicy({ principal: "arn:aws:iam::467218391112:role/someone-else" }) }),
      messageIncludes: ["kms:GenerateDataKey"],
    },
    {
      name: "condition for another account's context",
      code: "KEY_ACCESS_DENIED",
      operation: "GenerateDataKey",
      arrange: () =>
        createKey(stack.tenantKms(), {
          policy: keyPolicy({ condition: { StringEquals: { "kms:EncryptionContext:account_uuid": "00000000-0000-4000-8000-000000000000" } } }),
        }),
      messageIncludes: ["kms:GenerateDataKey"],
    },
    {
      name: "explicit Deny of Decrypt",
      code: "KEY_ACCESS_DENIED",
      operation: "Decrypt",
      arrange: () =>
        createKey(stack.tenantKms(), {
          policy: keyPolicy({ extraStatements: [{ Sid: "DenyDecrypt", Effect: "Deny", Principal: { AWS: PLATFORM_PRINCIPAL }, Action: "kms:Decrypt", Resource: "*" }] }),
        }),
      messageIncludes: ["kms:Decrypt"],
    },
    {
      name: "disabled key",
      code: "KEY_DISABLED",
      operation: "GenerateDataKey",
      arrange: async () => {
        const arn = await createKey(stack.tenantKms());
        await stack.tenantKms().send(new DisableKeyCommand({ KeyId: arn }));
        return arn;
      },
      messageIncludes: ["disabled"],
    },
    {
      name: "key pending deletion",
      code: "KEY_PENDING_DELETION",
      operation: "GenerateDataKey",
      arrange: async () => {
        const arn = await createKey(stack.tenantKms());
        await stack.tenantKms().send(new ScheduleKeyDeletionCommand({ KeyId: arn, PendingWindowInDays: 7 }));
        return arn;
      },
      messageIncludes: ["scheduled for deletion"],
    },
    {
      name: "key that does not exist in the region",
      code: "KEY_NOT_FOUND",
      operation: "GenerateDataKey",
      arrange: async () => "arn:aws:kms:us-west-2:111122223333:key/0b7c5a36-2f05-4d3c-9a57-8f6cdb3a1e11",
      messageIncludes: ["found no key"],
    },
    {
      name: "multi-region key without a replica in the service region",
      code: "KEY_NOT_FOUND",
      operation: "GenerateDataKey",
      arrange: async () => {
        const primary = await createKey(stack.tenantKms("us-east-1"), { multiRegion: true });
        return primary.replace(":us-east-1:", ":us-west-2:");
      },
      messageIncludes: ["replica"],
    },
    {
      name: "asymmetric signing key",
      code: "KEY_WRONG_USAGE",
      operation: "GenerateDataKey",
      arrange: () => createKey(stack.tenantKms(), { keySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" }),
      messageIncludes: ["cannot make data keys"],
    },
    {
      name: "HMAC key",
      code: "KEY_WRONG_USAGE",
      operation: "GenerateDataKey",
      arrange: () => createKey(stack.tenantKms(), { keySpec: "HMAC_256", keyUsage: "GENERATE_VERIFY_MAC" }),
      messageIncludes: ["symmetric"],
    },
    {
      name: "throttling that outlasts the retries",
      code: "KMS_THROTTLED",
      operation: "GenerateDataKey",
      arrange: async () => {
        const arn = await createKey(stack.tenantKms());
        stack.kms.setFault({ kind: "throttle", operations: ["GenerateDataKey"], count: 3 });
        return arn;
      },
      deps: { maxAttempts: 3 },
      messageIncludes: ["throttled"],
    },
    {
      name: "KMS slower than the timeout",
      code: "KMS_TIMEOUT",
      operation: "GenerateDataKey",
      arrange: async () => {
        const arn = await createKey(stack.tenantKms());
        stack.kms.setFault({ kind: "slow", operations: ["GenerateDataKey"], delayMs: 1_500, count: 2 });
        return arn;
      },
      deps: { timeoutMs: 300, maxAttempts: 2 },
      messageIncludes: ["did not answer", "300 ms"],
    },
    {
      name: "KMS that cannot be reached",
      code: "KMS_UNREACHABLE",
      operation: "GenerateDataKey",
      arrange: () => createKey(stack.tenantKms()),
      deps: { endpoint: "http://127.0.0.1:9", maxAttempts: 1 },
      messageIncludes: ["could not reach"],
    },
    {
      name: "platform credentials that KMS does not know",
      code: "PLATFORM_CREDENTIALS",
      operation: "GenerateDataKey",
      arrange: () => createKey(stack.tenantKms()),
      deps: { accessKeyId: "AKIAUNKNOWNCALLER001", maxAttempts: 1 },
      messageIncludes: ["platform's own credentials"],
    },
  ];

  // Faults are global to the shared local KMS, so these run one after another.
  describe.sequential.each(cases)("$name", (testCase) => {
    it(`fails with ${testCase.code} and saves nothing`, async () => {
      const tenant = await createTenant(stack.prisma);
      const arn = await testCase.arrange(tenant.accountId);

      let result: FormResult;
      try {
        result = await saveKeyConfiguration(stack.deps(testCase.deps), await tenant.access("ADMIN"), keyOf(arn));
      } finally {
        stack.kms.clearFaults();
      }

      const error = formError(result);
      expect(error.code).toBe(testCase.code);
      expect(error.keyArn).toBe(arn);
      expect(error.message).toContain(arn);
      for (const text of testCase.messageIncludes) expect([error.message, ...error.causes].join(" ")).toContain(text);
      expect(error.causes.length).toBeGreaterThan(0);
      await expectNothingSaved(tenant.accountId);

      const audit = await lastAudit(tenant.accountId);
      expect(audit.outcome).toBe("FAILURE");
      expect(audit.errorCode).toBe(testCase.code);
      expect(audit.keyArn).toBe(arn);
      expect(audit.details).toMatchObject({ operation: testCase.operation });
    });
  });

  it("recovers when throttling ends within the retries", async () => {
    const tenant = await createTenant(stack.prisma);
    const arn = await createKey(stack.tenantKms());
    stack.kms.setFault({ kind: "throttle", operations: ["GenerateDataKey"], count: 1 });

    const result = await saveKeyConfiguration(stack.deps({ maxAttempts: 3 }), await tenant.access("ADMIN"), keyOf(arn));

    stack.kms.clearFaults();
    expect(result.status).toBe("success");
  });

  it("accepts a multi-region key once its replica exists", async () => {
    const tenant = await createTenant(stack.prisma);
    const primary = await createKey(stack.tenantKms("us-east-1"), { multiRegion: true });
    await stack.tenantKms("us-east-1").send(new ReplicateKeyCommand({ KeyId: primary, ReplicaRegion: REGION, Policy: keyPolicy() }));
    const replica = primary.replace(":us-east-1:", ":us-west-2:");

    const result = await saveKeyConfiguration(stack.deps(), await tenant.access("ADMIN"), keyOf(replica));

    expect(result.status).toBe("success");
    const config = await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } });
    expect(config.multiRegion).toBe(true);
    expect(config.keyId.startsWith("mrk-")).toBe(true);
  });
});

describe("testKeyConnection", () => {
  it("updates last validated when the key still works", async () => {
    const tenant = await createTenant(stack.prisma);
    const arn = await createKey(stack.tenantKms());
    await saveKeyConfiguration(stack.deps(), await tenant.access("ADMIN"), keyOf(arn));
    const before = await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } });

    const result = await testKeyConnection(stack.deps(), await tenant.access("OWNER"));

    expect(result.status).toBe("success");
    const after = await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } });
    expect(after.lastValidatedAt.getTime()).toBeGreaterThanOrEqual(before.lastValidatedAt.getTime());
    expect(await stack.prisma.keyCheck.count({ where: { accountId: tenant.accountId, trigger: "TEST_CONNECTION", ok: true } })).toBe(1);
    // GenerateDataKey and Decrypt, then the rotation status read that shows a newly granted permission at once.
    const calls = await stack.prisma.kmsCall.findMany({ where: { accountId: tenant.accountId, cause: "TEST_CONNECTION" }, orderBy: { id: "asc" } });
    expect(calls.map((call) => call.operation)).toEqual(["GenerateDataKey", "Decrypt", "GetKeyRotationStatus"]);
    expect(after.rotationCheckedAt).not.toBeNull();
  });

  it("keeps the saved key and records the failure", async () => {
    const tenant = await createTenant(stack.prisma);
    const arn = await createKey(stack.tenantKms());
    await saveKeyConfiguration(stack.deps(), await tenant.access("ADMIN"), keyOf(arn));
    await stack.tenantKms().send(new DisableKeyCommand({ KeyId: arn }));

    const error = formError(await testKeyConnection(stack.deps(), await tenant.access("ADMIN")));

    expect(error.code).toBe("KEY_DISABLED");
    const config = await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } });
    expect(config.keyArn).toBe(arn);
    expect(config.lastErrorCode).toBe("KEY_DISABLED");
    expect(config.lastErrorMessage).toContain(arn);
    expect(config.state).toBe("UNAVAILABLE");
    expect((await lastAudit(tenant.accountId)).outcome).toBe("FAILURE");

    await stack.tenantKms().send(new EnableKeyCommand({ KeyId: arn }));
    expect((await testKeyConnection(stack.deps(), await tenant.access("ADMIN"))).status).toBe("success");
    const recovered = await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } });
    expect(recovered.state).toBe("ACTIVE");
    expect(recovered.lastErrorCode).toBeNull();
  });

  it("marks the key degraded when KMS cannot be reached", async () => {
    const tenant = await createTenant(stack.prisma);
    const arn = await createKey(stack.tenantKms());
    await saveKeyConfiguration(stack.deps(), await tenant.access("ADMIN"), keyOf(arn));

    const error = formError(await testKeyConnection(stack.deps({ endpoint: "http://127.0.0.1:9", maxAttempts: 1 }), await tenant.access("ADMIN")));

    expect(error.code).toBe("KMS_UNREACHABLE");
    expect((await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } })).state).toBe("DEGRADED");
  });

  it("refuses accounts without the add-on", async () => {
    const tenant = await createTenant(stack.prisma, { byokAddOn: false });

    const error = formError(await testKeyConnection(stack.deps(), await tenant.access("OWNER")));

    expect(error.code).toBe("BYOK_NOT_ENTITLED");
    expect((await lastAudit(tenant.accountId)).outcome).toBe("DENIED");
  });

  it("reports that no key is connected", async () => {
    const tenant = await createTenant(stack.prisma);

    const error = formError(await testKeyConnection(stack.deps(), await tenant.access("ADMIN")));

    expect(error.code).toBe("NO_KEY_CONFIGURED");
  });
});

describe("two accounts with one key", () => {
  it("validates each account under its own context", async () => {
    const first = await createTenant(stack.prisma);
    const second = await createTenant(stack.prisma);
    const arn = await createKey(stack.tenantKms(), {
      policy: keyPolicy({ condition: { StringEquals: { "kms:EncryptionContext:account_uuid": first.accountId } } }),
    });

    const firstResult = await saveKeyConfiguration(stack.deps(), await first.access("ADMIN"), keyOf(arn));
    const secondResult = await saveKeyConfiguration(stack.deps(), await second.access("ADMIN"), keyOf(arn));

    expect(firstResult.status).toBe("success");
    expect(formError(secondResult).code).toBe("KEY_ACCESS_DENIED");
    const secondCalls = await stack.prisma.kmsCall.findMany({ where: { accountId: second.accountId } });
    expect(secondCalls.every((call) => (call.encryptionContext as { account_uuid: string }).account_uuid === second.accountId)).toBe(true);
  });
});
