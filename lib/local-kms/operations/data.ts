/**
 * The cryptographic operations: GenerateDataKey, GenerateDataKeyWithoutPlaintext, Encrypt,
 * Decrypt and ReEncrypt, on SYMMETRIC_DEFAULT keys only. Every check runs in AWS order: input
 * validation, key lookup, key policy, key usage, key state, then the cryptography.
 */
import { randomBytes } from "node:crypto";

import { openBlob, parseBlob, sealBlob, type EncryptionContext } from "../blob";
import { KmsError, invalidCiphertextError, keyNotFoundError, validationError } from "../errors";
import { formatKeyArn } from "../identifiers";
import type { KeyRecord } from "../store";
import {
  authorizeOrThrow,
  ENCRYPTION_ALGORITHMS,
  keyArnOf,
  requireEnabled,
  requireSymmetricAlgorithm,
  requireSymmetricEncryptionKey,
  resolveKeyOrThrow,
  type CallContext,
} from "./context";
import {
  readBlob,
  readEncryptionContext,
  readOptionalEnum,
  readOptionalInteger,
  readOptionalString,
  readString,
  type RequestInput,
} from "./input";

const MAX_PLAINTEXT_BYTES = 4096;
const MAX_CIPHERTEXT_BYTES = 6144;
const DATA_KEY_BYTES: Record<string, number> = { AES_256: 32, AES_128: 16 };

/** Encrypts `plaintext` under the key's newest material version. */
function sealUnderCurrentVersion(ctx: CallContext, key: KeyRecord, plaintext: Buffer, context: EncryptionContext | undefined): Buffer {
  const material = ctx.store.getMaterial(key.account, key.keyId);
  const current = material?.versions.at(-1);
  if (!material || !current) {
    throw new KmsError("KMSInternalException", `Key material of ${keyArnOf(key)} is missing from the local KMS state.`, 500);
  }
  return sealBlob(
    { keyId: key.keyId, account: key.account, materialVersion: material.versions.length - 1 },
    Buffer.from(current.material, "base64"),
    plaintext,
    context,
  );
}

/** Resolves and checks a key for an operation that encrypts under it. */
function encryptionKeyOrThrow(
  ctx: CallContext,
  keyIdValue: string,
  operation: string,
  context: EncryptionContext | undefined,
  algorithm?: string,
): KeyRecord {
  const key = resolveKeyOrThrow(ctx, keyIdValue);
  authorizeOrThrow(ctx, key, operation, context);
  requireSymmetricEncryptionKey(key, operation);
  requireSymmetricAlgorithm(key, algorithm);
  requireEnabled(key);
  return key;
}

/**
 * Decrypts a blob for Decrypt (policy action `operation` = "Decrypt") or ReEncrypt ("ReEncryptFrom").
 * `keyIdValue`, when given, must name the key that made the blob, or the call fails with IncorrectKeyException.
 * NOTE: a blob whose key does not exist in this region fails with NotFoundException. The code
 * that AWS returns in that case is not verified, and moto 5 returns AccessDeniedException.
 */
function unsealOrThrow(
  ctx: CallContext,
  blobBytes: Buffer,
  context: EncryptionContext | undefined,
  keyIdValue: string | undefined,
  algorithm: string | undefined,
  operation: string,
): { key: KeyRecord; plaintext: Buffer } {
  const blob = parseBlob(blobBytes);
  if (!blob) {
    throw invalidCiphertextError();
  }

  if (keyIdValue !== undefined) {
    const pinned = resolveKeyOrThrow(ctx, keyIdValue);
    if (pinned.account !== blob.account || pinned.keyId !== blob.keyId) {
      throw new KmsError(
        "IncorrectKeyException",
        `The ciphertext was not encrypted under ${keyArnOf(pinned)}, the key named in the request.`,
      );
    }
  }

  const key = ctx.store.getKey(blob.account, ctx.region, blob.keyId);
  if (!key) {
    throw keyNotFoundError(formatKeyArn(ctx.region, blob.account, blob.keyId));
  }
  authorizeOrThrow(ctx, key, operation, context);
  requireSymmetricEncryptionKey(key, operation);
  requireSymmetricAlgorithm(key, algorithm);
  requireEnabled(key);

  const version = ctx.store.getMaterial(key.account, key.keyId)?.versions[blob.materialVersion];
  if (!version) {
    throw invalidCiphertextError();
  }
  const plaintext = openBlob(blob, Buffer.from(version.material, "base64"), context);
  if (!plaintext) {
    throw invalidCiphertextError();
  }
  return { key, plaintext };
}

function readDataKeyLength(input: RequestInput): number {
  const keySpec = readOptionalEnum(input, "KeySpec", ["AES_256", "AES_128"]);
  const numberOfBytes = readOptionalInteger(input, "NumberOfBytes", 1, 1024);
  if (keySpec !== undefined && numberOfBytes !== undefined) {
    throw validationError("Specify either KeySpec or NumberOfBytes, not both.");
  }
  if (keySpec === undefined && numberOfBytes === undefined) {
    throw validationError("Specify KeySpec (AES_256 or AES_128) or NumberOfBytes.");
  }
  return numberOfBytes ?? DATA_KEY_BYTES[keySpec ?? "AES_256"] ?? 32;
}

function generateDataKeyBlob(ctx: CallContext, input: RequestInput, operation: string): { key: KeyRecord; plaintext: Buffer; blob: Buffer } {
  const keyIdValue = readString(input, "KeyId");
  const context = readEncryptionContext(input, "EncryptionContext");
  const length = readDataKeyLength(input);
  if (input.Recipient !== undefined) {
    throw new KmsError("UnsupportedOperationException", "Recipient (Nitro Enclaves attestation) is not implemented by the local KMS server.");
  }

  const key = encryptionKeyOrThrow(ctx, keyIdValue, operation, context);
  const plaintext = randomBytes(length);
  return { key, plaintext, blob: sealUnderCurrentVersion(ctx, key, plaintext, context) };
}

export function generateDataKey(ctx: CallContext, input: RequestInput): Record<string, unknown> {
  const { key, plaintext, blob } = generateDataKeyBlob(ctx, input, "GenerateDataKey");
  return { KeyId: keyArnOf(key), CiphertextBlob: blob.toString("base64"), Plaintext: plaintext.toString("base64") };
}

export function generateDataKeyWithoutPlaintext(ctx: CallContext, input: RequestInput): Record<string, unknown> {
  const { key, blob } = generateDataKeyBlob(ctx, input, "GenerateDataKeyWithoutPlaintext");
  return { KeyId: keyArnOf(key), CiphertextBlob: blob.toString("base64") };
}

export function encrypt(ctx: CallContext, input: RequestInput): Record<string, unknown> {
  const keyIdValue = readString(input, "KeyId");
  const plaintext = readBlob(input, "Plaintext", MAX_PLAINTEXT_BYTES);
  const context = readEncryptionContext(input, "EncryptionContext");
  const algorithm = readOptionalEnum(input, "EncryptionAlgorithm", ENCRYPTION_ALGORITHMS);

  const key = encryptionKeyOrThrow(ctx, keyIdValue, "Encrypt", context, algorithm);
  const blob = sealUnderCurrentVersion(ctx, key, plaintext, context);
  return { KeyId: keyArnOf(key), CiphertextBlob: blob.toString("base64"), EncryptionAlgorithm: "SYMMETRIC_DEFAULT" };
}

export function decrypt(ctx: CallContext, input: RequestInput): Record<string, unknown> {
  const blobBytes = readBlob(input, "CiphertextBlob", MAX_CIPHERTEXT_BYTES);
  const context = readEncryptionContext(input, "EncryptionContext");
  const keyIdValue = readOptionalString(input, "KeyId");
  const algorithm = readOptionalEnum(input, "EncryptionAlgorithm", ENCRYPTION_ALGORITHMS);
  if (input.Recipient !== undefined) {
    throw new KmsError("UnsupportedOperationException", "Recipient (Nitro Enclaves attestation) is not implemented by the local KMS server.");
  }

  const { key, plaintext } = unsealOrThrow(ctx, blobBytes, context, keyIdValue, algorithm, "Decrypt");
  return { KeyId: keyArnOf(key), Plaintext: plaintext.toString("base64"), EncryptionAlgorithm: "SYMMETRIC_DEFAULT" };
}

/** Decrypts under the source key and context, then encrypts under the destination key and context, without returning the plaintext. */
export function reEncrypt(ctx: CallContext, input: RequestInput): Record<string, unknown> {
  const blobBytes = readBlob(input, "CiphertextBlob", MAX_CIPHERTEXT_BYTES);
  const sourceContext = readEncryptionContext(input, "SourceEncryptionContext");
  const sourceKeyIdValue = readOptionalString(input, "SourceKeyId");
  const sourceAlgorithm = readOptionalEnum(input, "SourceEncryptionAlgorithm", ENCRYPTION_ALGORITHMS);
  const destinationKeyIdValue = readString(input, "DestinationKeyId");
  const destinationContext = readEncryptionContext(input, "DestinationEncryptionContext");
  const destinationAlgorithm = readOptionalEnum(input, "DestinationEncryptionAlgorithm", ENCRYPTION_ALGORITHMS);

  const source = unsealOrThrow(ctx, blobBytes, sourceContext, sourceKeyIdValue, sourceAlgorithm, "ReEncryptFrom");
  const destination = encryptionKeyOrThrow(ctx, destinationKeyIdValue, "ReEncryptTo", destinationContext, destinationAlgorithm);
  const blob = sealUnderCurrentVersion(ctx, destination, source.plaintext, destinationContext);
  source.plaintext.fill(0);

  return {
    CiphertextBlob: blob.toString("base64"),
    SourceKeyId: keyArnOf(source.key),
    KeyId: keyArnOf(destination),
    SourceEncryptionAlgorithm: "SYMMETRIC_DEFAULT",
    DestinationEncryptionAlgorithm: "SYMMETRIC_DEFAULT",
  };
}
