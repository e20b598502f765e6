import { CreateKeyCommand, DescribeKeyCommand, GenerateDataKeyCommand, type KMSClient } from "@aws-sdk/client-kms";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { errorOf, startTestKms, type TestKms } from "./test-helpers";

let kms: TestKms;
let admin: KMSClient;
let keyArn: string;

beforeAll(async () => {
  kms = await startTestKms();
  admin = kms.client("admin");
  keyArn = (await admin.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? "";
});

afterEach(() => {
  kms.server.clearFaults();
});

afterAll(async () => {
  await kms.server.close();
});

function generate(client: KMSClient = admin) {
  return client.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: "AES_256" }));
}

describe("throttle fault", () => {
  it("SDK sees ThrottlingException", async () => {
    kms.server.setFault({ kind: "throttle" });
    const error = await errorOf(generate());

    expect(error.name).toBe("ThrottlingException");
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it("applies only to listed operations", async () => {
    kms.server.setFault({ kind: "throttle", operations: ["Decrypt"] });
    const generated = await generate();
    expect(generated.KeyId).toBe(keyArn);
  });

  it("ends after its count", async () => {
    kms.server.setFault({ kind: "throttle", count: 2 });
    const first = await errorOf(generate());
    const second = await errorOf(generate());
    const third = await generate();

    expect(first.name).toBe("ThrottlingException");
    expect(second.name).toBe("ThrottlingException");
    expect(third.KeyId).toBe(keyArn);
    expect(kms.server.listFaults()).toEqual([]);
  });

  it("SDK retries recover after the count", async () => {
    kms.server.setFault({ kind: "throttle", count: 2 });
    const retrying = kms.client("admin", undefined, { maxAttempts: 3 });

    const generated = await retrying.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: "AES_256" }));
    expect(generated.KeyId).toBe(keyArn);
    expect(generated.$metadata.attempts).toBe(3);
  });

  it("stays until cleared", async () => {
    kms.server.setFault({ kind: "throttle" });
    await errorOf(generate());
    await errorOf(generate());
    kms.server.clearFaults();

    const generated = await generate();
    expect(generated.KeyId).toBe(keyArn);
  });
});

describe("other faults", () => {
  it("slow response trips a short requestTimeout", async () => {
    kms.server.setFault({ kind: "slow", delayMs: 30_000, count: 1 });
    // @smithy/node-http-handler 4.x only logs a warning on requestTimeout unless throwOnRequestTimeout is set.
    const impatient = kms.client("admin", undefined, { requestHandler: { requestTimeout: 200, throwOnRequestTimeout: true } });

    const error = await errorOf(impatient.send(new DescribeKeyCommand({ KeyId: keyArn })));
    expect(error.name).toBe("TimeoutError");
  });

  it("internal error is KMSInternalException with status 500", async () => {
    kms.server.setFault({ kind: "internal-error", count: 1 });
    const error = await errorOf(generate());

    expect(error.name).toBe("KMSInternalException");
    expect(error.$metadata?.httpStatusCode).toBe(500);
  });

  it("dropped connection fails the call", async () => {
    kms.server.setFault({ kind: "drop-connection", count: 1 });
    const error = await errorOf(generate());

    expect(error.name).not.toMatch(/Exception$/);
    expect((error as Error & { code?: string }).code).toBe("ECONNRESET");
  });

  it("slow fault without delayMs is rejected", () => {
    expect(() => kms.server.setFault({ kind: "slow" })).toThrow(/delayMs/);
  });
});

describe("fault control over HTTP", () => {
  it("POST sets a fault and DELETE clears it", async () => {
    const posted = await fetch(`${kms.server.url}/_local/faults`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ kind: "throttle", operations: ["GenerateDataKey"] }),
    });
    const throttled = await errorOf(generate());
    const deleted = await fetch(`${kms.server.url}/_local/faults`, { method: "DELETE" });
    const generated = await generate();

    expect(posted.status).toBe(200);
    expect(await posted.json()).toEqual({ faults: [{ kind: "throttle", operations: ["GenerateDataKey"] }] });
    expect(throttled.name).toBe("ThrottlingException");
    expect(deleted.status).toBe(200);
    expect(generated.KeyId).toBe(keyArn);
  });

  it("GET lists remaining counts", async () => {
    kms.server.setFault({ kind: "throttle", count: 3 });
    await errorOf(generate());

    const listed = await fetch(`${kms.server.url}/_local/faults`);
    expect(await listed.json()).toEqual({ faults: [{ kind: "throttle", count: 2 }] });
  });

  it("invalid fault is HTTP 400 naming the field", async () => {
    const posted = await fetch(`${kms.server.url}/_local/faults`, {
      method: "POST",
      body: JSON.stringify({ kind: "meltdown" }),
    });
    const body = (await posted.json()) as { message: string };

    expect(posted.status).toBe(400);
    expect(body.message).toContain("kind");
  });
});
