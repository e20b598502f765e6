import { describe, expect, it } from "vitest";

import { decodeJson, decodeString, encodeJson, encodeString } from "./codec";
import { FieldValueError } from "./errors";

function bytes(text: string): Uint8Array {
  return Buffer.from(text, "utf8");
}

describe("string codec", () => {
  it.each([
    ["empty", ""],
    ["ASCII", "hello world"],
    ["multi-byte", "Grüße — 東京 🔐 مرحبا"],
    ["leading byte order mark", "\uFEFFstarts with a BOM"],
    ["NUL and control characters", "a\u0000b\u0007c\n"],
  ])("round-trips %s", (_name, value) => {
    expect(decodeString(encodeString(value))).toBe(value);
  });

  it("encodes as UTF-8", () => {
    expect(Buffer.from(encodeString("é€😀")).toString("hex")).toBe("c3a9e282acf09f9880");
  });

  it("replaces an unpaired surrogate with U+FFFD", () => {
    expect(decodeString(encodeString("a\uD800b"))).toBe("a\uFFFDb");
  });

  it.each([
    ["a lone continuation byte", "80"],
    ["an invalid lead byte", "ff"],
    ["an overlong encoding", "c080"],
    ["a truncated sequence", "e282"],
    ["an encoded surrogate", "eda080"],
  ])("rejects %s", (_name, hex) => {
    expect(() => decodeString(Buffer.from(hex, "hex"))).toThrow(FieldValueError);
  });

  it("decodes a view at a non-zero offset", () => {
    const backing = Buffer.from("xxxxhello-viewyyyy");
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 4, 10);

    expect(decodeString(view)).toBe("hello-view");
  });
});

describe("JSON codec", () => {
  it.each([
    ["null", null],
    ["a number", -12.5e-7],
    ["a large integer", Number.MAX_SAFE_INTEGER],
    ["a boolean", false],
    ["a string", "東京 🔐"],
    ["an empty object", {}],
    ["an array", [1, "two", null, [3]]],
    [
      "a nested object",
      { name: "Zoë", tags: ["a", "ß"], nested: { deep: { value: 0, flag: true, none: null } }, constructor: "plain string" },
    ],
  ])("round-trips %s", (_name, value) => {
    expect(decodeJson(encodeJson(value))).toEqual(value);
  });

  it("drops undefined members as JSON does", () => {
    expect(decodeJson(encodeJson({ kept: 1, dropped: undefined }))).toEqual({ kept: 1 });
  });

  it.each([
    ["__proto__ at the top", '{"__proto__": {"polluted": true}}'],
    ["__proto__ nested in an array", '{"items": [{"__proto__": {"polluted": true}}]}'],
    ["__proto__ spelled with an escape", '{"\\u005f_proto__": {"polluted": true}}'],
    ["constructor.prototype", '{"constructor": {"prototype": {"polluted": true}}}'],
    ["constructor.prototype with escapes", '{"\\u0063onstructor": {"\\u0070rototype": {"polluted": true}}}'],
  ])("decode rejects %s", (_name, text) => {
    expect(() => decodeJson(bytes(text))).toThrow(FieldValueError);
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ["a __proto__ string value", '{"note": "__proto__"}'],
    ["a constructor without prototype", '{"constructor": {"name": "Widget"}}'],
    ["an escaped ordinary key", '{"\\u0061": 1}'],
  ])("decode accepts %s", (_name, text) => {
    expect(decodeJson(bytes(text))).toEqual(JSON.parse(text));
  });

  it("encode rejects an own __proto__ key", () => {
    const value: unknown = JSON.parse('{"__proto__": {"polluted": true}}');

    expect(() => encodeJson(value)).toThrow(FieldValueError);
  });

  it.each([
    ["undefined", undefined],
    ["a function", () => 1],
    ["a symbol", Symbol("s")],
    ["a BigInt", { count: 10n }],
  ])("encode rejects %s", (_name, value) => {
    expect(() => encodeJson(value)).toThrow(FieldValueError);
  });

  it("encode rejects a cycle", () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;

    expect(() => encodeJson(cycle)).toThrow(FieldValueError);
  });

  it("invalid JSON error does not quote the value", () => {
    const secret = "s3cr3t-account-number";
    let caught: unknown;
    try {
      decodeJson(bytes(`{"iban": "${secret}"`));
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(FieldValueError);
    expect((caught as Error).message).not.toContain(secret);
  });
});
