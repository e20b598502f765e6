import "server-only";

import { timingSafeEqual } from "node:crypto";

import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from "@aws-sdk/client-kms";

import { classifyKmsError, keyFailure, type KeyFailure, type KmsOperation } from "@/lib/kms/failures";
import { log } from "@/lib/log";

/**
 * Proves that the platform can use a key: GenerateDataKey (AES_256) under the
 * encryption context, then Decrypt of the returned blob with KeyId pinned to the same
 * key ARN and the same context, then a constant-time comparison of the two plaintexts.
 * Both plaintext buffers are zeroed before this function returns.
 */

export interface KmsCallRecord {
  operation: KmsOperation;
  keyArn: string;
  encryptionContext: Record<string, string>;
  requestId?: string;
  ok: boolean;
  errorCode?: string;
  latencyMs: number;
}

export type RoundTripResult =
  | { ok: true; latencyMs: number; calls: KmsCallRecord[] }
  | { ok: false; latencyMs: number; calls: KmsCallRecord[]; failure: KeyFailure };

export interface RoundTripInput {
  kms: KMSClient;
  keyArn: string;
  encryptionContext: Readonly<Record<string, string>>;
}

export async function runKeyRoundTrip({ kms, keyArn, encryptionContext }: RoundTripInput): Promise<RoundTripResult> {
  const started = performance.now();
  const context = { ...encryptionContext };
  const calls: KmsCallRecord[] = [];
  const finish = (failure?: KeyFailure): RoundTripResult => {
    const latencyMs = Math.round(performance.now() - started);
    if (failure) {
      log.warn("kms.round_trip.failed", { keyArn, code: failure.code, operation: failure.operation, awsError: failure.awsErrorName, requestId: failure.requestId });
      return { ok: false, latencyMs, calls, failure };
    }
    return { ok: true, latencyMs, calls };
  };

  const generated = await callKms(calls, "GenerateDataKey", keyArn, context, () =>
    kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: "AES_256", EncryptionContext: context })),
  );
  if (!generated.ok) return finish(generated.failure);
  const { CiphertextBlob: blob, Plaintext: generatedKey, KeyId: generatedBy } = generated.value;
  const generateRequestId = generated.value.$metadata.requestId;
  if (!blob || !generatedKey || generatedKey.length !== 32) {
    generatedKey?.fill(0);
    return finish(keyFailure("ROUND_TRIP_MISMATCH", "GenerateDataKey", generateRequestId));
  }
  if (generatedBy !== keyArn) {
    generatedKey.fill(0);
    return finish(keyFailure("KEY_MISMATCH", "GenerateDataKey", generateRequestId));
  }

  const decrypted = await callKms(calls, "Decrypt", keyArn, context, () =>
    kms.send(new DecryptCommand({ KeyId: keyArn, CiphertextBlob: blob, EncryptionContext: context })),
  );
  if (!decrypted.ok) {
    generatedKey.fill(0);
    return finish(decrypted.failure);
  }
  const { Plaintext: decryptedKey, KeyId: decryptedBy } = decrypted.value;
  const decryptRequestId = decrypted.value.$metadata.requestId;
  const same = decryptedKey !== undefined && decryptedKey.length === generatedKey.length && timingSafeEqual(decryptedKey, generatedKey);
  generatedKey.fill(0);
  decryptedKey?.fill(0);
  if (decryptedBy !== keyArn) return finish(keyFailure("KEY_MISMATCH", "Decrypt", decryptRequestId));
  if (!same) return finish(keyFailure("ROUND_TRIP_MISMATCH", "Decrypt", decryptRequestId));
  return finish();
}

type CallOutcome<T> = { ok: true; value: T } | { ok: false; failure: KeyFailure };

async function callKms<T extends { $metadata: { requestId?: string } }>(
  calls: KmsCallRecord[],
  operation: KmsOperation,
  keyArn: string,
  encryptionContext: Record<string, string>,
  send: () => Promise<T>,
): Promise<CallOutcome<T>> {
  const started = performance.now();
  try {
    const value = await send();
    calls.push({ operation, keyArn, encryptionContext, requestId: value.$metadata.requestId, ok: true, latencyMs: Math.round(performance.now() - started) });
    return { ok: true, value };
  } catch (error) {
    const failure = classifyKmsError(error, operation);
    calls.push({ operation, keyArn, encryptionContext, requestId: failure.requestId, ok: false, errorCode: failure.awsErrorName, latencyMs: Math.round(performance.now() - started) });
    log.warn("kms.call.failed", { operation, keyArn, requestId: failure.requestId, awsError: failure.awsErrorName, error });
    return { ok: false, failure };
  }
}
