import { DisableKeyCommand, type KMSClient } from "@aws-sdk/client-kms";
import type { DeserializeMiddleware } from "@smithy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseKeyArn } from "@/lib/arn";
import { saveKeyConfiguration, testKeyConnection } from "@/lib/byok/configure";
import { DataKeyUnavailableError } from "@/lib/data-keys/errors";
import type { KmsCall, KmsCallCause } from "@/lib/db/generated/client";
import { runHealthCheck } from "@/lib/health/service";
import { queueRewrapJob, runRewrapJob } from "@/lib/rewrap";
import { createFact, findFact } from "@/lib/tenant-data/repository";
import { createKey, createTenant, keyPolicy, REGION, SERVICE, startTestStack, type TestStack } from "@/tests/support/stack";

/**
 * Every cause of a KMS call with a tenant's key, made through the code path that makes it in
 * production, against real PostgreSQL and the local KMS. Each row in kms_calls must carry
 * what a tenant needs to find the call in CloudTrail. Request ids are compared with the
 * `x-amzn-RequestId` header of the local KMS's HTTP responses, read below the SDK's parsing.
 */

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.close();
});

const REWRAP_INSTANCE = "rewrap-worker-test";

/** One HTTP response of the local KMS as it came off the wire. */
interface ObservedResponse {
  operation: string;
  /** Key ids the request named (KeyId, or SourceKeyId and DestinationKeyId for ReEncrypt). */
  keyIds: string[];
  status: number;
  requestId: string | undefined;
}

/**
 * Records every response that `kms` receives. The middleware sits in the deserialize step
 * below the SDK's deserializer, so it receives each raw HTTP response, including error
 * responses and every retry attempt, before the SDK turns it into output or an error.
 */
function observeResponses(kms: KMSClient): ObservedResponse[] {
  const observed: ObservedResponse[] = [];
  const middleware: DeserializeMiddleware<object, object> = (next, context) => async (args) => {
    const result = await next(args);
    const response = result.response as { statusCode?: number; headers?: Record<string, string> };
    const input = args.input as { KeyId?: string; SourceKeyId?: string; DestinationKeyId?: string };
    observed.push({
      operation: ((context as { commandName?: string }).commandName ?? "").replace(/Command$/, ""),
      keyIds: [input.KeyId, input.SourceKeyId, input.DestinationKeyId].filter((id) => id !== undefined),
      status: response.statusCode ?? 0,
      requestId: response.headers?.["x-amzn-requestid"],
    });
    return result;
  };
  kms.middlewareStack.add(middleware as never, { step: "deserialize", priority: "low", name: "observeLocalKmsResponses" });
  return observed;
}

/**
 * Creates a BYOK tenant with its own key, and one platform KMS client whose responses are
 * observed. The key policy also grants kms:GetKeyRotationStatus, which Test connection and
 * the health check call.
 */
async function byokTenant() {
  const tenant = await createTenant(stack.prisma);
  const keyArn = await createKey(stack.tenantKms(), { policy: keyPolicy({ actions: ["kms:GenerateDataKey", "kms:Decrypt", "kms:GetKeyRotationStatus"] }) });
  const parsed = parseKeyArn(keyArn, { serviceRegion: REGION });
  if (!parsed.ok) throw new Error(parsed.problem.message);
  const deps = stack.deps();
  const observed = observeResponses(deps.kms);
  return { tenant, keyArn, key: parsed.key, deps, observed };
}

/** Turns BYOK off, as support does, and runs the job that moves the data keys to the platform key. */
async function moveToPlatformKey(accountId: string, keyArn: string, kms: KMSClient) {
  await stack.prisma.encryptionConfig.update({ where: { accountId }, data: { state: "DISABLED" } });
  const job = await queueRewrapJob(stack.prisma, { accountId, kind: "TO_PLATFORM", sourceKeyArn: keyArn, targetKeyArn: stack.platformKeyArn, requestedBy: "support@platform.example" });
  return runRewrapJob({ prisma: stack.prisma, kms, instance: REWRAP_INSTANCE }, job.id);
}

function callsOf(accountId: string, afterId = 0n): Promise<KmsCall[]> {
  return stack.prisma.kmsCall.findMany({ where: { accountId, id: { gt: afterId } }, orderBy: { id: "asc" } });
}

/** Returns the responses to requests that named `keyArn`, which are the calls kms_calls must contain, in order. */
function responsesFor(observed: ObservedResponse[], keyArn: string): ObservedResponse[] {
  return observed.filter((response) => response.keyIds.includes(keyArn));
}

function expectRowMatches(row: KmsCall, response: ObservedResponse | undefined, expected: { accountId: string; keyArn: string; instance: string }) {
  const label = `${row.cause} ${row.operation}`;
  expect(response, `${label}: no KMS response observed`).toBeDefined();
  expect(row.operation, label).toBe(response?.operation);
  expect(row.keyArn, label).toBe(expected.keyArn);
  // GetKeyRotationStatus takes no encryption context.
  const context = row.operation === "GetKeyRotationStatus" ? {} : { service: SERVICE, account_uuid: expected.accountId };
  expect(row.encryptionContext, label).toEqual(context);
  expect(row.requestId, label).toMatch(/^[0-9a-f-]{36}$/);
  expect(row.requestId, label).toBe(response?.requestId);
  expect(Number.isInteger(row.latencyMs), label).toBe(true);
  expect(row.latencyMs, label).toBeGreaterThanOrEqual(0);
  expect(row.instance, label).toBe(expected.instance);
}

describe("KMS call log", () => {
  it("records one successful call of each cause", async () => {
    const { tenant, keyArn, key, deps, observed } = await byokTenant();
    const owner = await tenant.access("OWNER");

    expect((await saveKeyConfiguration(deps, owner, key)).status).toBe("success");
    expect((await testKeyConnection(deps, owner)).status).toBe("success");
    expect((await runHealthCheck(deps, tenant.accountId))?.state).toBe("ACTIVE");
    const writer = stack.tenantData({ kms: deps.kms });
    const fact = await createFact(writer.client, tenant.accountId, { content: "written under the tenant key" });
    const reader = stack.tenantData({ kms: deps.kms });
    expect((await findFact(reader.client, tenant.accountId, fact!.id))?.content).toBe("written under the tenant key");
    expect(await moveToPlatformKey(tenant.accountId, keyArn, deps.kms)).toMatchObject({ status: "COMPLETED", moved: 1 });

    const rows = await callsOf(tenant.accountId);
    // Test connection and the health check may each also read the rotation status. Those reads
    // are checked apart from the round trips, so this test does not depend on when they happen.
    const rotationReads = rows.filter((row) => row.operation === "GetKeyRotationStatus");
    expect(rotationReads.length).toBeGreaterThan(0);
    expect(rotationReads.every((row) => row.cause === "TEST_CONNECTION" || row.cause === "HEALTH_CHECK")).toBe(true);
    expect(rows.filter((row) => row.operation !== "GetKeyRotationStatus").map((row) => [row.cause, row.operation])).toEqual([
      ["VALIDATION", "GenerateDataKey"],
      ["VALIDATION", "Decrypt"],
      ["TEST_CONNECTION", "GenerateDataKey"],
      ["TEST_CONNECTION", "Decrypt"],
      ["HEALTH_CHECK", "GenerateDataKey"],
      ["HEALTH_CHECK", "Decrypt"],
      ["DATA_KEY_CREATE", "GenerateDataKey"],
      ["DECRYPT_CACHE_MISS", "Decrypt"],
      ["REWRAP", "Decrypt"],
    ]);
    // The platform key's Encrypt of the re-wrap is observed too, but it is not the tenant's call to record.
    const responses = responsesFor(observed, keyArn);
    expect(responses).toHaveLength(rows.length);
    for (const [index, row] of rows.entries()) {
      expectRowMatches(row, responses[index], { accountId: tenant.accountId, keyArn, instance: row.cause === "REWRAP" ? REWRAP_INSTANCE : "vitest" });
      expect(row.ok, row.cause).toBe(true);
      expect(row.errorCode, row.cause).toBeNull();
      expect(responses[index]?.status, row.cause).toBe(200);
    }
    expect(new Set(rows.map((row) => row.requestId)).size).toBe(rows.length);
  });

  it("records one failed call of each cause with the AWS error code", async () => {
    const { tenant, keyArn, key, deps, observed } = await byokTenant();
    const owner = await tenant.access("OWNER");
    expect((await saveKeyConfiguration(deps, owner, key)).status).toBe("success");
    const fact = await createFact(stack.tenantData({ kms: deps.kms }).client, tenant.accountId, { content: "written before the key was disabled" });
    const setupCalls = await callsOf(tenant.accountId);
    const setupResponses = responsesFor(observed, keyArn).length;

    await stack.tenantKms().send(new DisableKeyCommand({ KeyId: keyArn }));

    // A key age limit below zero makes the write ask KMS for a new data key.
    const writer = stack.tenantData({ kms: deps.kms, maxKeyAgeMs: -1 });
    await expect(createFact(writer.client, tenant.accountId, { content: "refused" })).rejects.toBeInstanceOf(DataKeyUnavailableError);
    const reader = stack.tenantData({ kms: deps.kms });
    await expect(findFact(reader.client, tenant.accountId, fact!.id)).rejects.toBeInstanceOf(DataKeyUnavailableError);
    expect(await moveToPlatformKey(tenant.accountId, keyArn, deps.kms)).toMatchObject({ status: "COMPLETED", moved: 0, failed: 1 });
    // BYOK back on, so the health check has a key to check.
    await stack.prisma.encryptionConfig.update({ where: { accountId: tenant.accountId }, data: { state: "ACTIVE" } });
    expect((await saveKeyConfiguration(deps, owner, key)).status).toBe("error");
    expect((await testKeyConnection(deps, owner)).status).toBe("error");
    expect((await runHealthCheck(deps, tenant.accountId))?.state).toBe("UNAVAILABLE");

    const rows = await callsOf(tenant.accountId, setupCalls.at(-1)!.id);
    const expected: [KmsCallCause, string][] = [
      ["DATA_KEY_CREATE", "GenerateDataKey"],
      ["DECRYPT_CACHE_MISS", "Decrypt"],
      ["REWRAP", "Decrypt"],
      ["VALIDATION", "GenerateDataKey"],
      ["TEST_CONNECTION", "GenerateDataKey"],
      ["HEALTH_CHECK", "GenerateDataKey"],
    ];
    expect(rows.map((row) => [row.cause, row.operation])).toEqual(expected);
    const responses = responsesFor(observed, keyArn).slice(setupResponses);
    expect(responses).toHaveLength(rows.length);
    for (const [index, row] of rows.entries()) {
      expectRowMatches(row, responses[index], { accountId: tenant.accountId, keyArn, instance: row.cause === "REWRAP" ? REWRAP_INSTANCE : "vitest" });
      expect(row.ok, row.cause).toBe(false);
      expect(row.errorCode, row.cause).toBe("DisabledException");
      expect(responses[index]?.status, row.cause).toBe(400);
    }
  });
});

describe("recorded rows", () => {
  it("cannot be changed or deleted through the application's client", async () => {
    const { tenant, key, deps } = await byokTenant();
    expect((await saveKeyConfiguration(deps, await tenant.access("OWNER"), key)).status).toBe("success");
    const [call] = await callsOf(tenant.accountId);
    const event = await stack.prisma.auditEvent.findFirstOrThrow({ where: { accountId: tenant.accountId, action: "byok.key.save" } });

    await expect(stack.prisma.kmsCall.update({ where: { id: call!.id }, data: { ok: false, errorCode: "Forged" } })).rejects.toThrow("append-only");
    await expect(stack.prisma.kmsCall.updateMany({ where: { accountId: tenant.accountId }, data: { requestId: null } })).rejects.toThrow("append-only");
    await expect(stack.prisma.kmsCall.delete({ where: { id: call!.id } })).rejects.toThrow("append-only");
    await expect(stack.prisma.kmsCall.deleteMany({ where: { accountId: tenant.accountId } })).rejects.toThrow("append-only");
    await expect(stack.prisma.auditEvent.update({ where: { id: event.id }, data: { outcome: "FAILURE" } })).rejects.toThrow("append-only");
    await expect(stack.prisma.auditEvent.deleteMany({ where: { accountId: tenant.accountId } })).rejects.toThrow("append-only");

    expect(await stack.prisma.kmsCall.findUniqueOrThrow({ where: { id: call!.id } })).toEqual(call);
    expect(await stack.prisma.kmsCall.count({ where: { accountId: tenant.accountId } })).toBe(2);
    expect(await stack.prisma.auditEvent.findUniqueOrThrow({ where: { id: event.id } })).toEqual(event);
  });
});
