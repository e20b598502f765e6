/**
 * Readers for fields of a KMS JSON request. Each throws ValidationException naming the field
 * when the value is missing or has the wrong type or range, and SerializationException when
 * a blob is not valid base64.
 */
import { KmsError, validationError } from "../errors";
import type { EncryptionContext } from "../blob";

export type RequestInput = Record<string, unknown>;

const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function readOptionalString(input: RequestInput, field: string, maxLength = 2048): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== "string") {
    throw validationError(`${field} must be a string.`);
  }
  if (value.length === 0 || value.length > maxLength) {
    throw validationError(`${field} must be 1 to ${maxLength} characters long.`);
  }
  return value;
}

export function readString(input: RequestInput, field: string, maxLength = 2048): string {
  const value = readOptionalString(input, field, maxLength);
  if (value === undefined) {
    throw validationError(`${field} is required.`);
  }
  return value;
}

export function readOptionalEnum<T extends string>(input: RequestInput, field: string, allowed: readonly T[]): T | undefined {
  const value = input[field];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== "string" || !allowed.includes(value as T)) {
    throw validationError(`${field} must be one of ${allowed.join(", ")}; got ${JSON.stringify(value)}.`);
  }
  return value as T;
}

export function readOptionalInteger(input: RequestInput, field: string, min: number, max: number): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw validationError(`${field} must be an integer from ${min} to ${max}; got ${JSON.stringify(value)}.`);
  }
  return value;
}

export function readOptionalBoolean(input: RequestInput, field: string): boolean | undefined {
  const value = input[field];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== "boolean") {
    throw validationError(`${field} must be true or false.`);
  }
  return value;
}

export function readOptionalBlob(input: RequestInput, field: string, maxBytes: number): Buffer | undefined {
  const value = input[field];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== "string" || !BASE64_PATTERN.test(value)) {
    throw new KmsError("SerializationException", `${field} must be a base64-encoded blob.`);
  }
  const bytes = Buffer.from(value, "base64");
  if (bytes.length === 0 || bytes.length > maxBytes) {
    throw validationError(`${field} must be 1 to ${maxBytes} bytes long; got ${bytes.length}.`);
  }
  return bytes;
}

export function readBlob(input: RequestInput, field: string, maxBytes: number): Buffer {
  const value = readOptionalBlob(input, field, maxBytes);
  if (value === undefined) {
    throw validationError(`${field} is required.`);
  }
  return value;
}

/** Reads an encryption context: an object whose values are all strings. Absent means no context. */
export function readEncryptionContext(input: RequestInput, field: string): EncryptionContext | undefined {
  const value = input[field];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    throw validationError(`${field} must be an object of string keys and string values.`);
  }

  const context: EncryptionContext = {};
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    if (key.length === 0) {
      throw validationError(`${field} must not contain an empty key.`);
    }
    if (typeof entry !== "string") {
      throw validationError(`${field} value of '${key}' must be a string; got ${JSON.stringify(entry)}.`);
    }
    context[key] = entry;
  }
  return context;
}

/** Reads the optional pagination Limit and Marker of a List operation; Marker is a decimal offset that this server issued. */
export function readPage(input: RequestInput, defaultLimit: number): { limit: number; offset: number } {
  const limit = readOptionalInteger(input, "Limit", 1, 1000) ?? defaultLimit;
  const marker = readOptionalString(input, "Marker", 1024);
  if (marker === undefined) {
    return { limit, offset: 0 };
  }
  if (!/^\d+$/.test(marker)) {
    throw new KmsError("InvalidMarkerException", `Marker '${marker}' was not issued by this server.`);
  }
  return { limit, offset: Number(marker) };
}

/** Returns one page of `items` and the pagination fields of a List response. */
export function paginate<T>(items: T[], page: { limit: number; offset: number }): {
  items: T[];
  Truncated: boolean;
  NextMarker?: string;
} {
  const end = page.offset + page.limit;
  const truncated = end < items.length;
  return {
    items: items.slice(page.offset, end),
    Truncated: truncated,
    ...(truncated ? { NextMarker: String(end) } : {}),
  };
}
