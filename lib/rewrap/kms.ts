import "server-only";

import { DecryptCommand, EncryptCommand, ReEncryptCommand, type KMSClient } from "@aws-sdk/client-kms";

import type { PrismaClient, RewrapJobKind } from "@/lib/db/generated/client";
import { classifyKmsError, keyFailure, type KeyFailure, type KmsOperation } from "@/lib/kms/failures";
import { log } from "@/lib/log";

/**
 * The KMS side of a re-wrap: one stored data key in, the same data key wrapped by the
 * target key out. Its plaintext bytes never change, so records and app caches stay valid.
 *
 * - TO_PLATFORM: Decrypt with the tenant key (KeyId pinned), then Encrypt with the
 *   platform key. The tenant's policy grants only GenerateDataKey and Decrypt, which is
 *   enough for this direction, and the plaintext is zeroed right after the Encrypt.
 * - FROM_PLATFORM, ROTATION, KEY_CHANGE: one ReEncrypt, which KMS runs without
 *   returning the plaintext. A target that is the tenant's key can only be reached this
 *   way, because the platform may not call Encrypt on it. The tenant's policy must allow
 *   kms:ReEncryptFrom (on the source) and kms:ReEncryptTo (on the target).
 *
 * Every call that involves a tenant key is appended to kms_calls with cause REWRAP, one
 * row per tenant key, so the tenant finds each one in CloudTrail by its request id.
 */

export interface RewrapKmsDeps {
  prisma: PrismaClient;
  kms: KMSClient;
  /** Name of this worker, stored with each KMS call made with a tenant key. */
  instance: string;
}

export interface StoredDataKey {
  serial: number;
  wrappedKey: Uint8Array;
  encryptionContext: Record<string, string>;
}

export interface RewrapCall {
  accountId: string;
  kind: RewrapJobKind;
  sourceKeyArn: string;
  targetKeyArn: string;
}

export type RewrapOutcome = { ok: true; wrappedKey: Uint8Array<ArrayBuffer> } | { ok: false; failure: KeyFailure; keyArn: string };

/** Tenant keys a job of `kind` touches: the source, the target, or both. */
function tenantKeysOf(call: RewrapCall): { source: boolean; target: boolean } {
  switch (call.kind) {
    case "TO_PLATFORM":
      return { source: true, target: false };
    case "FROM_PLATFORM":
      return { source: false, target: true };
    case "ROTATION":
    case "KEY_CHANGE":
      return { source: true, target: true };
  }
}

/** Wraps one data key with the job's target key. A KMS error comes back as a failed outcome, not as an exception. */
export function rewrapDataKey(deps: RewrapKmsDeps, call: RewrapCall, dataKey: StoredDataKey): Promise<RewrapOutcome> {
  return call.kind === "TO_PLATFORM" ? decryptThenEncrypt(deps, call, dataKey) : reEncrypt(deps, call, dataKey);
}

async function reEncrypt(deps: RewrapKmsDeps, call: RewrapCall, dataKey: StoredDataKey): Promise<RewrapOutcome> {
  const { sourceKeyArn, targetKeyArn } = call;
  const context = dataKey.encryptionContext;
  const tenantKeys = tenantKeysOf(call);
  // Rotation re-wraps within one key, so it is one CloudTrail event in one place.
  const recordedArns = [...new Set([tenantKeys.source ? sourceKeyArn : null, tenantKeys.target ? targetKeyArn : null])].filter((arn) => arn !== null);
  const result = await sendRecorded(deps, call, "ReEncrypt", recordedArns, context, () =>
    deps.kms.send(
      new ReEncryptCommand({
        CiphertextBlob: dataKey.wrappedKey,
        SourceKeyId: sourceKeyArn,
        SourceEncryptionContext: context,
        DestinationKeyId: targetKeyArn,
        DestinationEncryptionContext: context,
      }),
    ),
  );
  if (!result.ok) return { ok: false, failure: result.failure, keyArn: failedKeyOf(call, result.failure) };
  const { output } = result;
  if (!output.CiphertextBlob || output.SourceKeyId !== sourceKeyArn || output.KeyId !== targetKeyArn) {
    return { ok: false, failure: keyFailure("KEY_MISMATCH", "ReEncrypt", output.$metadata.requestId), keyArn: targetKeyArn };
  }
  return { ok: true, wrappedKey: Uint8Array.from(output.CiphertextBlob) };
}

// The SDK's ReEncrypt errors do not name the key that refused. A ciphertext that does not
// open is the source's problem, and for ROTATION both keys are one. FROM_PLATFORM names the
// target (the tenant key). For KEY_CHANGE either tenant key may have refused, so both are named.
function failedKeyOf(call: RewrapCall, failure: KeyFailure): string {
  if (failure.code === "CONTEXT_MISMATCH" || failure.code === "KEY_MISMATCH") return call.sourceKeyArn;
  if (call.kind === "KEY_CHANGE") return `${call.sourceKeyArn} or ${call.targetKeyArn}`;
  return call.kind === "FROM_PLATFORM" ? call.targetKeyArn : call.sourceKeyArn;
}

async function decryptThenEncrypt(deps: RewrapKmsDeps, call: RewrapCall, dataKey: StoredDataKey): Promise<RewrapOutcome> {
  const { sourceKeyArn, targetKeyArn } = call;
  const context = dataKey.encryptionContext;
  const decrypted = await sendRecorded(deps, call, "Decrypt", [sourceKeyArn], context, () =>
    deps.kms.send(new DecryptCommand({ CiphertextBlob: dataKey.wrappedKey, KeyId: sourceKeyArn, EncryptionContext: context })),
  );
  if (!decrypted.ok) return { ok: false, failure: decrypted.failure, keyArn: sourceKeyArn };
  const plaintext = decrypted.output.Plaintext;
  try {
    if (!plaintext || plaintext.length !== 32 || decrypted.output.KeyId !== sourceKeyArn) {
      return { ok: false, failure: keyFailure("KEY_MISMATCH", "Decrypt", decrypted.output.$metadata.requestId), keyArn: sourceKeyArn };
    }
    const encrypted = await sendRecorded(deps, call, "Encrypt", [], context, () =>
      deps.kms.send(new EncryptCommand({ KeyId: targetKeyArn, Plaintext: plaintext, EncryptionContext: context })),
    );
    if (!encrypted.ok) return { ok: false, failure: encrypted.failure, keyArn: targetKeyArn };
    if (!encrypted.output.CiphertextBlob || encrypted.output.KeyId !== targetKeyArn) {
      return { ok: false, failure: keyFailure("KEY_MISMATCH", "Encrypt", encrypted.output.$metadata.requestId), keyArn: targetKeyArn };
    }
    return { ok: true, wrappedKey: Uint8Array.from(encrypted.output.CiphertextBlob) };
  } finally {
    // NOTE: the SDK serializes Plaintext into a base64 string for the Encrypt request body,
    // and that string cannot be zeroed.
    plaintext?.fill(0);
  }
}

type Sent<T> = { ok: true; output: T } | { ok: false; failure: KeyFailure };

// Sends one KMS call and appends one kms_calls row for each tenant key in `recordedArns`.
async function sendRecorded<T extends { $metadata: { requestId?: string } }>(
  deps: RewrapKmsDeps,
  call: RewrapCall,
  operation: KmsOperation,
  recordedArns: string[],
  encryptionContext: Record<string, string>,
  send: () => Promise<T>,
): Promise<Sent<T>> {
  const started = performance.now();
  let output: T | undefined;
  let failure: KeyFailure | undefined;
  try {
    output = await send();
  } catch (error) {
    failure = classifyKmsError(error, operation);
    log.warn("kms.call.failed", { accountId: call.accountId, operation, kmsKeyArn: call.sourceKeyArn, targetKeyArn: call.targetKeyArn, requestId: failure.requestId, awsError: failure.awsErrorName, error });
  }
  const latencyMs = Math.round(performance.now() - started);
  if (recordedArns.length > 0) {
    await deps.prisma.kmsCall.createMany({
      data: recordedArns.map((keyArn) => ({
        accountId: call.accountId,
        keyArn,
        operation,
        encryptionContext: { ...encryptionContext },
        requestId: output?.$metadata.requestId ?? failure?.requestId ?? null,
        ok: failure === undefined,
        errorCode: failure?.awsErrorName ?? null,
        cause: "REWRAP" as const,
        latencyMs,
        instance: deps.instance,
      })),
    });
  }
  return failure ? { ok: false, failure } : { ok: true, output: output! };
}
