import { quoteValue } from "./text";

/**
 * KMS key IDs: a lowercase UUID (8-4-4-4-12 hex digits) for a single-region key, or
 * `mrk-` followed by 32 lowercase hex digits for a multi-region key.
 *
 * UUID version and variant bits are not checked, because KMS does not set them: the key
 * ID in the AWS documentation example, 1234abcd-12ab-34cd-56ef-1234567890ab, fails both.
 */

const SINGLE_REGION_KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MULTI_REGION_KEY_ID = /^mrk-[0-9a-f]{32}$/;

/** A key ID of either kind at the start of a string, used to find extra text after it. */
const KEY_ID_PREFIX = /^(?:mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/;

export function isKeyId(value: string): boolean {
  return SINGLE_REGION_KEY_ID.test(value) || MULTI_REGION_KEY_ID.test(value);
}

export function isMultiRegionKeyId(value: string): boolean {
  return MULTI_REGION_KEY_ID.test(value);
}

/** Reason that a key ID is invalid, and the corrected key ID when one can be derived. */
export interface KeyIdDiagnosis {
  /** Sentence fragment completing "The key ID "…" ...". */
  reason: string;
  fixedKeyId?: string;
}

/**
 * Explains why `value` is not a key ID and derives the intended key ID where the
 * mistake is mechanical: uppercase hex, hyphens in a multi-region key ID, a UUID
 * without hyphens, or text after the key ID. Returns undefined for a valid key ID.
 */
export function diagnoseKeyId(value: string): KeyIdDiagnosis | undefined {
  if (isKeyId(value)) {
    return undefined;
  }
  if (value === "") {
    return { reason: "is missing after key/" };
  }

  const lower = value.toLowerCase();
  if (lower !== value && isKeyId(lower)) {
    return { reason: "contains uppercase letters, but key IDs are lowercase", fixedKeyId: lower };
  }

  const hyphenatedMultiRegion = /^mrk-([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/.exec(lower);
  if (hyphenatedMultiRegion !== null) {
    return {
      reason: "contains hyphens after mrk-, but a multi-region key ID is mrk- followed by 32 hex digits without hyphens",
      fixedKeyId: "mrk-" + hyphenatedMultiRegion.slice(1).join(""),
    };
  }

  const unhyphenated = /^([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/.exec(lower);
  if (unhyphenated !== null) {
    return {
      reason: "has no hyphens, but a key ID is written 8-4-4-4-12",
      fixedKeyId: unhyphenated.slice(1).join("-"),
    };
  }

  const prefix = KEY_ID_PREFIX.exec(lower);
  if (prefix !== null) {
    const extra = value.slice(prefix[0].length);
    return {
      reason: `is followed by ${quoteValue(extra, 24)}, but the ARN must end with the key ID`,
      fixedKeyId: prefix[0],
    };
  }

  return { reason: describeMalformedKeyId(lower) };
}

/** Returns whether the value could be meant as a key ID, so a missing `key/` can be suggested. */
export function looksLikeKeyId(value: string): boolean {
  const diagnosis = diagnoseKeyId(value);
  return diagnosis === undefined || diagnosis.fixedKeyId !== undefined;
}

function describeMalformedKeyId(lower: string): string {
  const body = lower.startsWith("mrk-") ? lower.slice(4) : lower;
  const notHex = /[^0-9a-f-]/.exec(body);
  if (notHex !== null) {
    return `contains ${quoteValue(notHex[0])}, which is not a hex digit`;
  }

  if (lower.startsWith("mrk-")) {
    return `has ${body.length} characters after mrk-, but a multi-region key ID has 32 hex digits there`;
  }
  if (lower.length !== 36) {
    return `has ${lower.length} characters, but a key ID has 36 (8-4-4-4-12 hex digits) or is mrk- followed by 32 hex digits`;
  }
  return "has its hyphens in the wrong places, but a key ID is written 8-4-4-4-12";
}
