/**
 * The expected bytes in vectors.json were computed outside this code base with Python's
 * `cryptography` package (48.0.0, AESGCM), which builds the AAD on its own:
 *
 *   from cryptography.hazmat.primitives.ciphers.aead import AESGCM
 *   def part(s): b = s.encode("utf-8"); return len(b).to_bytes(2, "big") + b
 *   header = bytes([1]) + serial.to_bytes(4, "big")
 *   aad = header + part(account_id) + part(model) + part(field) + part(record_id)
 *   sealed = header + iv + AESGCM(key).encrypt(iv, plaintext, aad)   # ciphertext || tag
 */
import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { encodeAad, type FieldLocation } from "./aad";
import { decodeJson, decodeString, encodeJson, encodeString } from "./codec";
import { CiphertextFormatError, CiphertextIntegrityError } from "./errors";
import { openField, readSealedHeader, SEALED_OVERHEAD, sealField, sealFieldWithIv, type DataKey } from "./field-cipher";
import { IV_LENGTH, sharedIvPool } from "./iv-pool";
import vectorFile from "./vectors.json";

const DEK: DataKey = { serial: 42, key: Buffer.from("8f3a5c1e9b7d2f4a6c8e0b1d3f5a7c9e2b4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a", "hex") };
const LOCATION: FieldLocation = {
  accountId: "0b8e5c1a-2f3d-4e6b-8a9c-7d1e2f3a4b5c",
  model: "Memory",
  field: "content",
  recordId: "cm1x2y3z40000abcd1234efgh",
};
const SECRET_TEXT = "Patient reports chest pain since Tuesday";

function expectError(action: () => unknown, type: typeof CiphertextFormatError | typeof CiphertextIntegrityError): Error {
  let caught: unknown;
  let returned: unknown;
  try {
    returned = action();
  } catch (error) {
    caught = error;
  }
  expect(returned).toBeUndefined();
  expect(caught).toBeInstanceOf(type);
  return caught as Error;
}

function flipBit(sealed: Buffer, byteIndex: number): Buffer {
  const copy = Buffer.from(sealed);
  copy[byteIndex] = (copy[byteIndex] ?? 0) ^ 0x01;
  return copy;
}

describe("known-answer vectors", () => {
  it.each(vectorFile.vectors)("$name seals to the expected bytes", (vector) => {
    const dek = { serial: vector.serial, key: Buffer.from(vector.keyHex, "hex") };
    const plaintext = Buffer.from(vector.plaintextHex, "hex");
    const header = Buffer.from(vector.sealedHex.slice(0, 10), "hex");

    expect(encodeAad(header, vector.location).toString("hex")).toBe(vector.aadHex);
    expect(sealFieldWithIv(dek, plaintext, vector.location, Buffer.from(vector.ivHex, "hex")).toString("hex")).toBe(
      vector.sealedHex,
    );
  });

  it.each(vectorFile.vectors)("$name opens to the plaintext", (vector) => {
    const dek = { serial: vector.serial, key: Buffer.from(vector.keyHex, "hex") };
    const sealed = Buffer.from(vector.sealedHex, "hex");

    expect(readSealedHeader(sealed)).toEqual({ version: 1, serial: vector.serial });
    expect(openField(dek, sealed, vector.location).toString("hex")).toBe(vector.plaintextHex);
  });

  it("UTF-8 vector matches the string codec", () => {
    const vector = vectorFile.vectors.find((candidate) => "plaintextText" in candidate);
    const text = vector !== undefined && "plaintextText" in vector ? vector.plaintextText : undefined;
    if (vector === undefined || text === undefined) {
      throw new Error("vectors.json has no vector with plaintextText.");
    }
    const dek = { serial: vector.serial, key: Buffer.from(vector.keyHex, "hex") };

    expect(Buffer.from(encodeString(text)).toString("hex")).toBe(vector.plaintextHex);
    expect(decodeString(openField(dek, Buffer.from(vector.sealedHex, "hex"), vector.location))).toBe(text);
  });
});

describe("sealed layout", () => {
  it("places header, IV, ciphertext and tag at the documented offsets", () => {
    const iv = Buffer.from("a1a2a3a4a5a6a7a8a9aaabac", "hex");
    const plaintext = encodeString(SECRET_TEXT);
    const sealed = sealFieldWithIv({ serial: 0x0a0b0c0d, key: DEK.key }, plaintext, LOCATION, iv);

    expect(sealed.length).toBe(plaintext.byteLength + SEALED_OVERHEAD);
    expect(SEALED_OVERHEAD).toBe(33);
    expect(sealed.subarray(0, 5).toString("hex")).toBe("010a0b0c0d");
    expect(sealed.subarray(5, 17).equals(iv)).toBe(true);
    expect(sealed.subarray(17, 17 + plaintext.byteLength).equals(Buffer.from(plaintext))).toBe(false);
  });

  it("sealField uses a fresh IV per call", () => {
    const plaintext = encodeString(SECRET_TEXT);
    const first = sealField(DEK, plaintext, LOCATION);
    const second = sealField(DEK, plaintext, LOCATION);

    expect(first.subarray(5, 17).equals(second.subarray(5, 17))).toBe(false);
    expect(first.equals(second)).toBe(false);
  });

  it("readSealedHeader reads a serial above 2^31 as unsigned", () => {
    const sealed = sealField({ serial: 0xfffffffe, key: DEK.key }, new Uint8Array(0), LOCATION);

    expect(readSealedHeader(sealed)).toEqual({ version: 1, serial: 0xfffffffe });
  });
});

describe("round trip", () => {
  it.each([
    ["empty", ""],
    ["100-byte ASCII", "x".repeat(100)],
    ["unicode", "Grüße — 東京 🔐 مرحبا"],
  ])("string %s", (_name, value) => {
    const sealed = sealField(DEK, encodeString(value), LOCATION);

    expect(decodeString(openField(DEK, sealed, LOCATION))).toBe(value);
  });

  it("JSON with nesting, unicode, numbers and null", () => {
    const value = {
      title: "Zoë's notes 📝",
      count: 3,
      ratio: -0.125,
      big: 2 ** 53 - 1,
      missing: null,
      tags: ["α", "β", { nested: [1, 2, { deeper: true }] }],
    };
    const sealed = sealField(DEK, encodeJson(value), LOCATION);

    expect(decodeJson(openField(DEK, sealed, LOCATION))).toEqual(value);
  });

  it("plaintext view at a non-zero offset", () => {
    const backing = new Uint8Array(64).fill(0xee);
    backing.set(encodeString("only-this"), 20);
    const view = new Uint8Array(backing.buffer, 20, 9);
    const sealed = sealField(DEK, view, LOCATION);

    expect(sealed.length).toBe(9 + SEALED_OVERHEAD);
    expect(decodeString(openField(DEK, sealed, LOCATION))).toBe("only-this");
  });

  it("sealed view at a non-zero offset", () => {
    const sealed = sealField(DEK, encodeString(SECRET_TEXT), LOCATION);
    const backing = new ArrayBuffer(sealed.length + 100);
    new Uint8Array(backing).fill(0x5c);
    new Uint8Array(backing, 37, sealed.length).set(sealed);
    const view = new Uint8Array(backing, 37, sealed.length);

    expect(readSealedHeader(view)).toEqual({ version: 1, serial: DEK.serial });
    expect(decodeString(openField(DEK, view, LOCATION))).toBe(SECRET_TEXT);
  });

  it("record id with multi-byte characters", () => {
    const location = { ...LOCATION, recordId: "запись-🔑" };
    const sealed = sealField(DEK, encodeString(SECRET_TEXT), location);

    expect(decodeString(openField(DEK, sealed, location))).toBe(SECRET_TEXT);
  });
});

describe("tampering", () => {
  const plaintext = encodeString(SECRET_TEXT);
  const sealed = sealField(DEK, plaintext, LOCATION);
  const tagStart = sealed.length - 16;

  it("flipped version bit is a format error", () => {
    const error = expectError(() => openField(DEK, flipBit(sealed, 0), LOCATION), CiphertextFormatError);

    expect((error as CiphertextFormatError).reason).toBe("unknown-version");
  });

  it("flipped serial bit is a serial mismatch", () => {
    const error = expectError(() => openField(DEK, flipBit(sealed, 4), LOCATION), CiphertextFormatError);

    expect((error as CiphertextFormatError).reason).toBe("serial-mismatch");
  });

  it("flipped serial bit fails authentication even with a matching serial", () => {
    // Same key bytes under the flipped serial, to show the serial is authenticated.
    expectError(() => openField({ serial: DEK.serial ^ 0x01, key: DEK.key }, flipBit(sealed, 4), LOCATION), CiphertextIntegrityError);
  });

  it.each([
    ["IV", 5],
    ["IV end", 16],
    ["ciphertext", 17],
    ["ciphertext end", 17 + plaintext.byteLength - 1],
    ["tag", sealed.length - 16],
    ["tag end", sealed.length - 1],
  ])("flipped %s bit is an integrity error", (_region, byteIndex) => {
    expectError(() => openField(DEK, flipBit(sealed, byteIndex), LOCATION), CiphertextIntegrityError);
  });

  it("tag truncated to 4 bytes is rejected", () => {
    expectError(() => openField(DEK, sealed.subarray(0, tagStart + 4), LOCATION), CiphertextIntegrityError);
  });

  it("tag truncated below the minimum length is a format error", () => {
    const empty = sealField(DEK, new Uint8Array(0), LOCATION);
    const error = expectError(() => openField(DEK, empty.subarray(0, 17 + 4), LOCATION), CiphertextFormatError);

    expect((error as CiphertextFormatError).reason).toBe("too-short");
  });

  it("removed tag is rejected", () => {
    expectError(() => openField(DEK, sealed.subarray(0, tagStart), LOCATION), CiphertextIntegrityError);
  });

  it("empty input is a format error", () => {
    const error = expectError(() => openField(DEK, new Uint8Array(0), LOCATION), CiphertextFormatError);

    expect((error as CiphertextFormatError).reason).toBe("too-short");
  });

  it("extra trailing byte is rejected", () => {
    expectError(() => openField(DEK, Buffer.concat([sealed, Buffer.from([0])]), LOCATION), CiphertextIntegrityError);
  });

  it.each([
    ["account", { accountId: "0b8e5c1a-2f3d-4e6b-8a9c-7d1e2f3a4b5d" }],
    ["model", { model: "Fact" }],
    ["field", { field: "summary" }],
    ["record", { recordId: "cm1x2y3z40000abcd1234efgi" }],
    ["parts shifted between model and field", { model: "Memoryc", field: "ontent" }],
  ])("moved to another %s fails authentication", (_name, change) => {
    expectError(() => openField(DEK, sealed, { ...LOCATION, ...change }), CiphertextIntegrityError);
  });

  it("wrong key with the right serial fails authentication", () => {
    expectError(() => openField({ serial: DEK.serial, key: randomBytes(32) }, sealed, LOCATION), CiphertextIntegrityError);
  });

  it("error messages contain no plaintext or key", () => {
    const wrongKey = randomBytes(32);
    const errors = [
      expectError(() => openField({ serial: DEK.serial, key: wrongKey }, sealed, LOCATION), CiphertextIntegrityError),
      expectError(() => openField(DEK, flipBit(sealed, 4), LOCATION), CiphertextFormatError),
    ];

    for (const error of errors) {
      expect(error.message).not.toContain(SECRET_TEXT.slice(0, 12));
      expect(error.message).not.toContain(wrongKey.toString("hex").slice(0, 16));
      expect(error.message).not.toContain(DEK.key.toString("hex").slice(0, 16));
      expect(error.message).toContain(LOCATION.recordId);
    }
  });
});

describe("argument checks", () => {
  const plaintext = encodeString("value");

  it("rejects a key that is not 32 bytes", () => {
    expect(() => sealField({ serial: 1, key: Buffer.alloc(16, 1) }, plaintext, LOCATION)).toThrow(RangeError);
    expect(() => openField({ serial: 1, key: Buffer.alloc(33, 1) }, new Uint8Array(40), LOCATION)).toThrow(RangeError);
  });

  it("rejects an all-zero key", () => {
    expect(() => sealField({ serial: 1, key: Buffer.alloc(32) }, plaintext, LOCATION)).toThrow(/all zero/);
    const sealed = sealField(DEK, plaintext, LOCATION);
    expect(() => openField({ serial: DEK.serial, key: Buffer.alloc(32) }, sealed, LOCATION)).toThrow(/all zero/);
  });

  it.each([-1, 2 ** 32, 1.5, Number.NaN])("rejects serial %s", (serial) => {
    expect(() => sealField({ serial, key: DEK.key }, plaintext, LOCATION)).toThrow(RangeError);
  });

  it("rejects a string plaintext", () => {
    expect(() => sealField(DEK, "text" as unknown as Uint8Array, LOCATION)).toThrow(TypeError);
  });

  it.each([
    ["empty record id", { recordId: "" }, RangeError],
    ["numeric record id", { recordId: 7 as unknown as string }, TypeError],
    ["empty account id", { accountId: "" }, RangeError],
    ["lone surrogate in field", { field: "x\uD800" }, RangeError],
    ["lone surrogate in record id", { recordId: "id\uDC00" }, RangeError],
    ["record id over 65535 bytes", { recordId: "é".repeat(40_000) }, RangeError],
    ["model over 65535 bytes", { model: "m".repeat(65_536) }, RangeError],
  ])("rejects %s", (_name, change, type) => {
    expect(() => sealField(DEK, plaintext, { ...LOCATION, ...change })).toThrow(type);
  });

  it("accepts parts of exactly 65535 bytes", () => {
    const location = { ...LOCATION, model: "m".repeat(65_535), recordId: "r".repeat(65_535) };
    const sealed = sealField(DEK, plaintext, location);

    expect(decodeString(openField(DEK, sealed, location))).toBe("value");
  });

  it("rejects an IV that is not 12 bytes in the test-only sealer", () => {
    expect(() => sealFieldWithIv(DEK, plaintext, LOCATION, new Uint8Array(IV_LENGTH - 1))).toThrow(RangeError);
  });
});

describe("IV uniqueness", () => {
  it("100k seals use 100k distinct IVs across pool refills", () => {
    const fillsBefore = sharedIvPool.fillCount;
    const plaintext = encodeString("v");
    const seen = new Set<string>();
    for (let index = 0; index < 100_000; index += 1) {
      seen.add(sealField(DEK, plaintext, LOCATION).toString("hex", 5, 17));
    }

    expect(seen.size).toBe(100_000);
    expect(sharedIvPool.fillCount - fillsBefore).toBeGreaterThanOrEqual(Math.floor(100_000 / sharedIvPool.capacity));
  });
});
