import type { KMSClient } from "@aws-sdk/client-kms";
import type { InitializeMiddleware } from "@smithy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildEncryptionContext } from "@/lib/kms/context";
import { runKeyRoundTrip } from "@/lib/kms/round-trip";
import { createKey, SERVICE, startTestStack, type TestStack } from "@/tests/support/stack";

/**
 * The round trip against the local KMS over HTTP, with SDK middleware that plays the
 * part of a bug or a misbehaving endpoint where a case cannot be produced otherwise.
 */

const ACCOUNT = "0b7c5a36-2f05-4d3c-9a57-8f6cdb3a1e11";
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.close();
});

type Middleware = InitializeMiddleware<object, object>;

// Initialize-step middleware receives the command's input before it is sent and its parsed output after.
function clientWith(middleware: Middleware): KMSClient {
  const client = stack.deps().kms;
  client.middlewareStack.add(middleware as never, { step: "initialize" });
  return client;
}

function commandName(context: unknown): string {
  return (context as { commandName?: string }).commandName ?? "";
}

describe("runKeyRoundTrip", () => {
  it("passes and zeroes both plaintext data keys", async () => {
    const keyArn = await createKey(stack.tenantKms());
    const plaintexts: Uint8Array[] = [];
    const kms = clientWith(
      (next) => async (args) => {
        const result = await next(args);
        const plaintext = (result.output as { Plaintext?: Uint8Array }).Plaintext;
        if (plaintext) plaintexts.push(plaintext);
        return result;
      }
    );

    const result = await runKeyRoundTrip({ kms, keyArn, encryptionContext: buildEncryptionContext(SERVICE, ACCOUNT) });

    expect(result.ok).toBe(true);
    expect(plaintexts).toHaveLength(2);
    for (const plaintext of plaintexts) {
      expect(plaintext.length).toBe(32);
      expect(plaintext.every((byte) => byte === 0)).toBe(true);
    }
  });

  it("reports a differently cased context on Decrypt as CONTEXT_MISMATCH", async () => {
    const keyArn = await createKey(stack.tenantKms());
    const kms = clientWith(
      (next, context) => async (args) => {
        if (commandName(context) === "DecryptCommand") {
          const input = args.input as { EncryptionContext?: Record<string, string> };
          input.EncryptionContext = { Service: SERVICE, account_uuid: ACCOUNT };
        }
        return next(args);
      }
    );

    const result = await runKeyRoundTrip({ kms, keyArn, encryptionContext: buildEncryptionContext(SERVICE, ACCOUNT) });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failure.code).toBe("CONTEXT_MISMATCH");
    expect(result.failure.operation).toBe("Decrypt");
    expect(result.calls.map((call) => call.ok)).toEqual([true, false]);
  });

  it("rejects a GenerateDataKey answer from another key", async () => {
    const keyArn = await createKey(stack.tenantKms());
    const kms = clientWith(
      (next, context) => async (args) => {
        const result = await next(args);
        if (commandName(context) === "GenerateDataKeyCommand") {
          (result.output as { KeyId?: string }).KeyId = "arn:aws:kms:us-west-2:111122223333:key/00000000-0000-4000-8000-000000000000";
        }
        return result;
      }
    );

    const result = await runKeyRoundTrip({ kms, keyArn, encryptionContext: buildEncryptionContext(SERVICE, ACCOUNT) });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failure.code).toBe("KEY_MISMATCH");
    expect(result.calls).toHaveLength(1);
  });

  it("rejects a Decrypt that returns other bytes", async () => {
    const keyArn = await createKey(stack.tenantKms());
    const kms = clientWith(
      (next, context) => async (args) => {
        const result = await next(args);
        if (commandName(context) === "DecryptCommand") {
          const plaintext = (result.output as { Plaintext?: Uint8Array }).Plaintext;
          if (plaintext) plaintext[0] = plaintext[0]! ^ 0xff;
        }
        return result;
      }
    );

    const result = await runKeyRoundTrip({ kms, keyArn, encryptionContext: buildEncryptionContext(SERVICE, ACCOUNT) });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.failure.code).toBe("ROUND_TRIP_MISMATCH");
  });

  it("pins KeyId on Decrypt", async () => {
    const keyArn = await createKey(stack.tenantKms());
    const decryptKeyIds: (string | undefined)[] = [];
    const kms = clientWith(
      (next, context) => async (args) => {
        if (commandName(context) === "DecryptCommand") decryptKeyIds.push((args.input as { KeyId?: string }).KeyId);
        return next(args);
      }
    );

    await runKeyRoundTrip({ kms, keyArn, encryptionContext: buildEncryptionContext(SERVICE, ACCOUNT) });

    expect(decryptKeyIds).toEqual([keyArn]);
  });
});
