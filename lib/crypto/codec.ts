/**
 * Conversions between field values and the bytes that `sealField` encrypts. Errors are
 * FieldValueError and never quote the value.
 */
import { FieldValueError } from "./errors";

// fatal: reject invalid UTF-8 instead of replacing it. ignoreBOM: keep a leading U+FEFF
// that the string really contained; the default would strip it.
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Encodes a string as UTF-8. An unpaired UTF-16 surrogate becomes U+FFFD, as with
 * TextEncoder and PostgreSQL text columns, so such a string does not round-trip exactly.
 */
export function encodeString(value: string): Uint8Array {
  if (typeof value !== "string") {
    throw new TypeError(`encodeString expects a string, got ${typeof value}.`);
  }
  return Buffer.from(value, "utf8");
}

/** Decodes UTF-8 bytes, or throws FieldValueError if they are not valid UTF-8. */
export function decodeString(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`decodeString expects a Uint8Array, got ${typeof bytes}.`);
  }
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw new FieldValueError(`Field value of ${bytes.byteLength} bytes is not valid UTF-8.`);
  }
}

const POLLUTING_KEY = "__proto__";

/**
 * JSON.parse reviver that rejects keys which prototype pollution relies on: `__proto__`
 * anywhere, and a `constructor` object with its own `prototype` key. JSON.parse itself
 * stores `__proto__` as an ordinary own key, but a later Object.assign or deep merge of
 * the result would set the target's prototype.
 */
function rejectPollutingKeys(key: string, value: unknown): unknown {
  if (key === POLLUTING_KEY) {
    throw new FieldValueError('JSON field value contains the key "__proto__", which is rejected to prevent prototype pollution.');
  }
  if (key === "constructor" && typeof value === "object" && value !== null && Object.hasOwn(value, "prototype")) {
    throw new FieldValueError(
      'JSON field value contains "constructor" with a "prototype" key, which is rejected to prevent prototype pollution.',
    );
  }
  return value;
}

// A parsed key can only equal "__proto__" or "constructor" if the text contains that word
// or a \u escape (the other JSON escapes produce no letters or underscores). Text without
// any of them skips the slower reviver.
function mayContainPollutingKey(text: string): boolean {
  return text.includes(POLLUTING_KEY) || text.includes("constructor") || text.includes("\\u");
}

function parseJson(text: string): unknown {
  try {
    return mayContainPollutingKey(text) ? JSON.parse(text, rejectPollutingKeys) : JSON.parse(text);
  } catch (error) {
    if (error instanceof FieldValueError) {
      throw error;
    }
    // The SyntaxError message quotes part of the text, so it is not passed on.
    throw new FieldValueError("Field value is not valid JSON.");
  }
}

/**
 * Encodes a value as UTF-8 JSON. JSON.stringify rules apply: NaN and Infinity become
 * null, a Date becomes its ISO string, and undefined object members are dropped. Throws
 * FieldValueError for a value with no JSON form (undefined, a function, a symbol, a
 * BigInt, a cycle) and for the keys that `decodeJson` rejects, so nothing is stored that
 * cannot be read back.
 */
export function encodeJson(value: unknown): Uint8Array {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // The TypeError names object keys from the value, so it is not passed on.
    throw new FieldValueError("Value cannot be serialized as JSON: it contains a BigInt or a circular reference, or a toJSON method threw.");
  }
  if (text === undefined) {
    throw new FieldValueError(`Value of type ${typeof value} has no JSON representation.`);
  }
  if (mayContainPollutingKey(text)) {
    parseJson(text);
  }
  return Buffer.from(text, "utf8");
}

/**
 * Decodes UTF-8 JSON. Throws FieldValueError for invalid UTF-8 or JSON, and for a
 * `__proto__` key or a `constructor` object with a `prototype` key at any depth.
 */
export function decodeJson(bytes: Uint8Array): unknown {
  return parseJson(decodeString(bytes));
}
