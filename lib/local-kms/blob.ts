/**
 * Ciphertext blob format of the local KMS server (not the AWS format, which is not public).
 *
 * | offset | length | field                                                        |
 * | ------ | ------ | ------------------------------------------------------------ |
 * | 0      | 1      | format version, 0x01                                         |
 * | 1      | 1      | n, length of the key id in bytes                             |
 * | 2      | n      | key id, ASCII (a UUID, or `mrk-` and 32 hex digits)           |
 * | 2+n    | 12     | AWS account id that owns the key, ASCII digits               |
 * | 14+n   | 4      | key material version, unsigned big-endian (0 = first)        |
 * | 18+n   | 12     | AES-GCM IV, random                                           |
 * | 30+n   | 16     | AES-GCM authentication tag                                   |
 * | 46+n   | rest   | plaintext encrypted with AES-256-GCM under that material     |
 *
 * The additional authenticated data is the header (bytes 0 to 18+n) followed by the canonical
 * encryption context: the UTF-8 JSON array of [key, value] pairs sorted by key in UTF-16 code
 * unit order, `[]` when there is no context. The context itself is not stored, so a Decrypt
 * with any other context (another value, a key in other case, an extra or a missing pair)
 * fails authentication, as with AWS KMS.
 *
 * The blob names the key identity (account and key id) but not the region, so the replicas of
 * a multi-region key, which share key id and material, decrypt each other's blobs.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

import { isAccountId, isKeyId } from "./identifiers";

const FORMAT_VERSION = 1;
const ACCOUNT_LENGTH = 12;
const VERSION_LENGTH = 4;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const MATERIAL_LENGTH = 32;

export type EncryptionContext = Record<string, string>;

export interface BlobHeader {
  keyId: string;
  account: string;
  materialVersion: number;
}

export interface ParsedBlob extends BlobHeader {
  /** Header bytes, authenticated as the first part of the additional data. */
  header: Buffer;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

/** Serializes an encryption context in the canonical form described in the header comment. */
export function canonicalEncryptionContext(context: EncryptionContext | undefined): Buffer {
  // Keys of an object are unique, so the comparison never needs to return 0.
  const pairs = Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return Buffer.from(JSON.stringify(pairs), "utf8");
}

function encodeHeader(header: BlobHeader): Buffer {
  const keyIdBytes = Buffer.from(header.keyId, "ascii");
  const version = Buffer.alloc(VERSION_LENGTH);
  version.writeUInt32BE(header.materialVersion);
  return Buffer.concat([
    Buffer.from([FORMAT_VERSION, keyIdBytes.length]),
    keyIdBytes,
    Buffer.from(header.account, "ascii"),
    version,
  ]);
}

/** Encrypts `plaintext` under one version of a key's material and returns the blob. Tests may fix `iv`; callers must not. */
export function sealBlob(
  header: BlobHeader,
  material: Buffer,
  plaintext: Buffer,
  context: EncryptionContext | undefined,
  iv: Buffer = randomBytes(IV_LENGTH),
): Buffer {
  if (material.length !== MATERIAL_LENGTH) {
    throw new Error(`Key material must be ${MATERIAL_LENGTH} bytes, got ${material.length}.`);
  }
  const headerBytes = encodeHeader(header);
  const cipher = createCipheriv("aes-256-gcm", material, iv, { authTagLength: TAG_LENGTH });
  cipher.setAAD(Buffer.concat([headerBytes, canonicalEncryptionContext(context)]));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([headerBytes, iv, cipher.getAuthTag(), ciphertext]);
}

/** Splits a blob into its fields, or returns null when it is not a well-formed blob of this format. */
export function parseBlob(blob: Buffer): ParsedBlob | null {
  if (blob.length < 2 || blob[0] !== FORMAT_VERSION) {
    return null;
  }
  const keyIdLength = blob[1] ?? 0;
  const headerLength = 2 + keyIdLength + ACCOUNT_LENGTH + VERSION_LENGTH;
  if (blob.length < headerLength + IV_LENGTH + TAG_LENGTH) {
    return null;
  }

  const keyId = blob.subarray(2, 2 + keyIdLength).toString("ascii");
  const account = blob.subarray(2 + keyIdLength, 2 + keyIdLength + ACCOUNT_LENGTH).toString("ascii");
  if (!isKeyId(keyId) || !isAccountId(account)) {
    return null;
  }

  return {
    keyId,
    account,
    materialVersion: blob.readUInt32BE(headerLength - VERSION_LENGTH),
    header: blob.subarray(0, headerLength),
    iv: blob.subarray(headerLength, headerLength + IV_LENGTH),
    tag: blob.subarray(headerLength + IV_LENGTH, headerLength + IV_LENGTH + TAG_LENGTH),
    ciphertext: blob.subarray(headerLength + IV_LENGTH + TAG_LENGTH),
  };
}

/** Decrypts a parsed blob, or returns null when authentication fails (wrong material, context or tampering). */
export function openBlob(blob: ParsedBlob, material: Buffer, context: EncryptionContext | undefined): Buffer | null {
  const decipher = createDecipheriv("aes-256-gcm", material, blob.iv, { authTagLength: TAG_LENGTH });
  decipher.setAAD(Buffer.concat([blob.header, canonicalEncryptionContext(context)]));
  decipher.setAuthTag(blob.tag);
  try {
    return Buffer.concat([decipher.update(blob.ciphertext), decipher.final()]);
  } catch {
    return null;
  }
}

export function createKeyMaterial(): Buffer {
  return randomBytes(MATERIAL_LENGTH);
}
