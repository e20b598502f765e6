import { describe, expect, it } from "vitest";

import { canonicalEncryptionContext, openBlob, parseBlob, sealBlob, type ParsedBlob } from "./blob";

const MATERIAL = Buffer.alloc(32, 0x11);
const IV = Buffer.from("000102030405060708090a0b", "hex");
const HEADER = { keyId: "1234abcd-12ab-34cd-56ef-1234567890ab", account: "111122223333", materialVersion: 2 };
const CONTEXT = { service: "memory", account_uuid: "tenant-1" };

function parseOrThrow(blob: Buffer): ParsedBlob {
  const parsed = parseBlob(blob);
  if (!parsed) {
    throw new Error("parseBlob rejected a blob that sealBlob made.");
  }
  return parsed;
}

describe("canonical encryption context", () => {
  it("sorts pairs by key", () => {
    expect(canonicalEncryptionContext({ b: "2", a: "1" }).toString()).toBe('[["a","1"],["b","2"]]');
  });

  it("absent context is an empty list", () => {
    expect(canonicalEncryptionContext(undefined).toString()).toBe("[]");
  });
});

describe("blob format", () => {
  it("layout matches the documented offsets", () => {
    const blob = sealBlob(HEADER, MATERIAL, Buffer.from("data key"), CONTEXT, IV);
    const n = HEADER.keyId.length;

    expect(blob[0]).toBe(1);
    expect(blob[1]).toBe(n);
    expect(blob.subarray(2, 2 + n).toString("ascii")).toBe(HEADER.keyId);
    expect(blob.subarray(2 + n, 14 + n).toString("ascii")).toBe(HEADER.account);
    expect(blob.readUInt32BE(14 + n)).toBe(2);
    expect(blob.subarray(18 + n, 30 + n).equals(IV)).toBe(true);
    expect(blob.length).toBe(46 + n + "data key".length);
  });

  it("known answer for fixed material, IV and context", () => {
    const blob = sealBlob(HEADER, MATERIAL, Buffer.from("data key"), CONTEXT, IV);
    expect(blob.subarray(30 + HEADER.keyId.length).toString("hex")).toBe(KNOWN_TAG_AND_CIPHERTEXT);
  });

  it("opens what it sealed", () => {
    const parsed = parseOrThrow(sealBlob(HEADER, MATERIAL, Buffer.from("data key"), CONTEXT, IV));
    const opened = openBlob(parsed, MATERIAL, { account_uuid: "tenant-1", service: "memory" });

    expect(parsed).toMatchObject(HEADER);
    expect(opened?.toString()).toBe("data key");
  });

  it("other context or material fails to open", () => {
    const parsed = parseOrThrow(sealBlob(HEADER, MATERIAL, Buffer.from("data key"), CONTEXT, IV));

    expect(openBlob(parsed, MATERIAL, { ...CONTEXT, service: "docs" })).toBeNull();
    expect(openBlob(parsed, MATERIAL, undefined)).toBeNull();
    expect(openBlob(parsed, Buffer.alloc(32, 0x22), CONTEXT)).toBeNull();
  });

  it("changed header fails to open", () => {
    const blob = sealBlob(HEADER, MATERIAL, Buffer.from("data key"), CONTEXT, IV);
    blob.writeUInt32BE(3, 14 + HEADER.keyId.length);
    const parsed = parseOrThrow(blob);

    expect(parsed.materialVersion).toBe(3);
    expect(openBlob(parsed, MATERIAL, CONTEXT)).toBeNull();
  });

  it("rejects blobs that are not this format", () => {
    expect(parseBlob(Buffer.alloc(0))).toBeNull();
    expect(parseBlob(Buffer.from([2, 36]))).toBeNull();
    expect(parseBlob(Buffer.alloc(100, 0x41))).toBeNull();
  });
});

/**
 * Tag then ciphertext, computed outside this code with Python's `cryptography` AESGCM from the
 * documented layout: AAD = header || '[["account_uuid","tenant-1"],["service","memory"]]'.
 */
const KNOWN_TAG_AND_CIPHERTEXT = "32bfa27b04ce30d2dd6b14d1cb0d8f587782c2725bc8508d";
