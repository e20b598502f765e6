import "server-only";

import type { KMSClient } from "@aws-sdk/client-kms";

import type { KmsCallCause, PrismaClient } from "@/lib/db/generated/client";
import type { ByokSettings } from "@/lib/byok/settings";
import { buildEncryptionContext } from "@/lib/kms/context";
import { describeKeyFailure, type FailureDescription, type KeyFailure } from "@/lib/kms/failures";
import { runKeyRoundTrip } from "@/lib/kms/round-trip";

/** Dependencies of BYOK operations. Tests pass real instances of each. */
export interface ByokDeps {
  prisma: PrismaClient;
  kms: KMSClient;
  settings: ByokSettings;
}

export type KeyCheckOutcome =
  | { ok: true; latencyMs: number }
  | { ok: false; latencyMs: number; failure: KeyFailure; description: FailureDescription };

/**
 * Runs the validation round trip for `accountId` under its encryption context and
 * appends every KMS call it made to the KMS call log, whatever the outcome.
 */
export async function checkKeyForAccount(
  deps: ByokDeps,
  accountId: string,
  keyArn: string,
  cause: KmsCallCause,
): Promise<KeyCheckOutcome> {
  const encryptionContext = buildEncryptionContext(deps.settings.serviceName, accountId);
  const result = await runKeyRoundTrip({ kms: deps.kms, keyArn, encryptionContext });

  await deps.prisma.kmsCall.createMany({
    data: result.calls.map((call) => ({
      accountId,
      keyArn: call.keyArn,
      operation: call.operation,
      encryptionContext: call.encryptionContext,
      requestId: call.requestId ?? null,
      ok: call.ok,
      errorCode: call.errorCode ?? null,
      cause,
      latencyMs: call.latencyMs,
      instance: deps.settings.instance,
    })),
  });

  if (result.ok) return { ok: true, latencyMs: result.latencyMs };
  const description = describeKeyFailure(result.failure, {
    keyArn,
    region: deps.settings.serviceRegion,
    principalArn: deps.settings.principalArn,
    encryptionContext,
    timeoutMs: deps.settings.kmsTimeoutMs,
    maxAttempts: deps.settings.kmsMaxAttempts,
  });
  return { ok: false, latencyMs: result.latencyMs, failure: result.failure, description };
}
