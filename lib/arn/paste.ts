import { diagnoseKeyId, looksLikeKeyId } from "./key-id";
import { isRegionName } from "./partitions";
import { acceptedCandidate, keyArnTemplate, readFields, readKeyId, reject, type ParseScope } from "./scope";
import { parseArnStructure, rejectAlias } from "./structure";
import {
  INVISIBLE,
  NON_ASCII,
  WHITESPACE,
  describeCharacter,
  describePosition,
  findCharacter,
  quoteValue,
  toAsciiLookalike,
} from "./text";
import type { KeyArn, KeyArnParse } from "./types";

/**
 * Maximum input length that is searched for an ARN. A key ARN is under 100 characters,
 * and a whole CloudTrail event, which admins sometimes paste, is a few thousand.
 */
export const MAX_INPUT_LENGTH = 10_000;

/**
 * Parses trimmed pasted text. Text around the ARN (quotes, punctuation, URL encoding,
 * surrounding words, whitespace, lookalike characters) is rejected here, with the
 * cleaned ARN as suggestion when it is valid, before the ARN's parts are checked.
 */
export function parsePastedText(text: string, scope: ParseScope): KeyArnParse {
  if (text === "") {
    return reject("EMPTY", `Paste the ARN of your KMS key, such as ${keyArnTemplate(scope)}.`, {});
  }
  if (text.length > MAX_INPUT_LENGTH) {
    return reject(
      "TOO_LONG",
      `The value is ${text.length} characters long, but a key ARN is under 100. Paste only the key ARN.`,
      {},
    );
  }
  if (isUrl(text)) {
    return rejectUrl(text, scope);
  }

  const truncation = /\.\.\.|…/.exec(text);
  if (truncation !== null) {
    return reject(
      "TRUNCATED",
      `The value contains ${quoteValue(truncation[0])}, so it looks shortened. Copy the full key ARN with the copy button in the KMS console.`,
      readFields(text),
    );
  }
  const placeholder = findPlaceholder(text);
  if (placeholder !== undefined) {
    return rejectPlaceholder(placeholder, text);
  }

  const unwrapped = stripWrapping(text);
  if (unwrapped !== undefined) {
    return rejectWrapping(unwrapped, scope);
  }

  if (/%[0-9a-f]{2}/i.test(text)) {
    const decoded = decodePercentEncoding(text);
    if (decoded !== undefined && decoded !== text) {
      return rejectUrlEncoding(decoded, scope);
    }
  }

  const arnStart = text.search(/arn:/i);
  if (arnStart === -1) {
    return parseNonArn(text, scope);
  }
  if (arnStart > 0 || WHITESPACE.test(text) || countArnPrefixes(text) > 1) {
    return parseSurroundedArn(text, scope);
  }
  return parseArnCandidate(text, scope);
}

function isUrl(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /^(?:[a-z0-9-]+\.)*console\.aws\.amazon\.com\//i.test(text);
}

function rejectUrl(text: string, scope: ParseScope): KeyArnParse {
  const decoded = decodePercentEncoding(text) ?? text;
  const embeddedArn = /arn:[^\s"'`,;()[\]{}<>?&#]+/i.exec(decoded)?.[0];
  const region = /[?&]region=([a-z0-9-]+)/i.exec(decoded)?.[1] ?? /^https?:\/\/([a-z0-9-]+)\.console\./i.exec(decoded)?.[1];
  const keyId = /\/keys\/([^/?#&]+)/i.exec(decoded)?.[1];

  const partial: Partial<KeyArn> = keyId === undefined ? {} : readKeyId(keyId);
  if (region !== undefined && isRegionName(region)) {
    partial.region = region;
  }

  const isConsole = /console\.(?:aws\.amazon\.com|amazonaws-us-gov\.com|amazonaws\.cn)/i.test(decoded);
  const suggestedArn = acceptedCandidate(scope, embeddedArn);
  if (!isConsole) {
    return reject("NOT_AN_ARN", `This is a URL, not a key ARN. Paste an ARN such as ${keyArnTemplate(scope)}.`, partial, {
      suggestedArn,
    });
  }
  return reject(
    "CONSOLE_URL",
    "This is a link to the AWS console, not a key ARN. Open the key in the KMS console and copy the ARN shown under General configuration.",
    partial,
    { suggestedArn },
  );
}

/** Returns the text decoded from percent-encoding, or undefined when it is not valid percent-encoding. */
function decodePercentEncoding(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function rejectUrlEncoding(decoded: string, scope: ParseScope): KeyArnParse {
  const inner = scope.parseDerived(decoded);
  if (!inner.ok) {
    return inner;
  }
  return reject(
    "URL_ENCODED",
    "The ARN is URL-encoded (%3A stands for a colon and %2F for a slash). Paste the decoded ARN.",
    inner.key,
    { suggestedArn: inner.key.arn },
  );
}

/**
 * Finds text that a template leaves for the reader to fill in: `<account-id>`,
 * `${var.region}`, `{{key_id}}`, or a whole part spelled like `ACCOUNT_ID`.
 */
function findPlaceholder(text: string): string | undefined {
  const bracketed = /<[^<>]*>|\$\{[^}]*\}|\{\{[^}]*\}\}/.exec(text)?.[0];
  if (bracketed !== undefined && !/^<arn:[^<>]*>$/i.test(text)) {
    return bracketed;
  }
  if (!/^arn:/i.test(text)) {
    return undefined;
  }

  // The resource type before "/" is left out, so that a misspelled type such as "key-id/" is not taken for a placeholder.
  const segments = text.split(":");
  const resource = segments.slice(5).join(":");
  const values = [...segments.slice(0, 5), resource.slice(resource.indexOf("/") + 1)];
  return values.find((part) => PLACEHOLDER_WORDS.has(part.toLowerCase().replace(/_/g, "-")));
}

const PLACEHOLDER_WORDS = new Set([
  "region",
  "aws-region",
  "your-region",
  "account",
  "account-id",
  "accountid",
  "aws-account-id",
  "your-account-id",
  "key-id",
  "keyid",
  "your-key-id",
  "partition",
]);

function rejectPlaceholder(placeholder: string, text: string): KeyArnParse {
  return reject(
    "PLACEHOLDER",
    `The value still contains the placeholder ${quoteValue(placeholder)}. Replace it with your value, or copy the key ARN from the KMS console.`,
    readFields(text),
  );
}

/** Matching characters around a value copied from JSON, code, a list or a sentence. */
const QUOTE_PAIRS: readonly (readonly [string, string])[] = [
  ['"', '"'],
  ["'", "'"],
  ["`", "`"],
  ["\u201c", "\u201d"],
  ["\u2018", "\u2019"],
  ["\u201e", "\u201c"],
  ["\u00ab", "\u00bb"],
  ["(", ")"],
  ["[", "]"],
];
const QUOTE_CHARACTERS = /^["'`\u201c\u201d\u2018\u2019\u201e\u00ab\u00bb]$/;
const TRAILING_PUNCTUATION = /[,;.\\]$/;

interface Unwrapped {
  text: string;
  quotes: boolean;
  punctuation: string[];
}

/** Removes quotes, brackets and trailing punctuation around a value, or returns undefined when there are none. */
function stripWrapping(text: string): Unwrapped | undefined {
  const result: Unwrapped = { text, quotes: false, punctuation: [] };

  for (;;) {
    const current = result.text;
    const first = current.slice(0, 1);
    const last = current.slice(-1);
    const pair = QUOTE_PAIRS.find(([open, close]) => first === open && last === close && current.length >= 2);
    const angleBracketedArn = first === "<" && last === ">" && /^<arn:/i.test(current);

    if (TRAILING_PUNCTUATION.test(current)) {
      result.punctuation.push(last);
      result.text = current.slice(0, -1).trim();
    } else if (pair !== undefined || angleBracketedArn) {
      result.quotes = true;
      result.text = current.slice(1, -1).trim();
    } else if (QUOTE_CHARACTERS.test(first) || QUOTE_CHARACTERS.test(last)) {
      result.quotes = true;
      result.text = (QUOTE_CHARACTERS.test(first) ? current.slice(1) : current.slice(0, -1)).trim();
    } else {
      break;
    }
  }

  return result.text === text ? undefined : result;
}

function rejectWrapping(unwrapped: Unwrapped, scope: ParseScope): KeyArnParse {
  const inner = scope.parseDerived(unwrapped.text);
  if (!inner.ok) {
    return inner;
  }

  const punctuationNames = [...new Set(unwrapped.punctuation.map((mark) => PUNCTUATION_NAMES[mark] ?? quoteValue(mark)))];
  const suggestedArn = inner.key.arn;
  if (!unwrapped.quotes) {
    return reject(
      "TRAILING_PUNCTUATION",
      `The ARN is followed by ${punctuationNames.join(" and ")}, as copied from a list or a sentence. Paste the ARN without it.`,
      inner.key,
      { suggestedArn },
    );
  }
  const followedBy = punctuationNames.length === 0 ? "" : ` and followed by ${punctuationNames.join(" and ")}`;
  return reject(
    "QUOTED",
    `The ARN is in quotes or brackets${followedBy}, as copied from JSON or code. Paste the ARN alone.`,
    inner.key,
    { suggestedArn },
  );
}

const PUNCTUATION_NAMES: Readonly<Record<string, string>> = {
  ",": "a comma",
  ";": "a semicolon",
  ".": "a period",
  "\\": "a backslash",
};

function countArnPrefixes(text: string): number {
  return text.match(/arn:/gi)?.length ?? 0;
}

/**
 * Rejects an ARN with other text around or inside it: words before it, a second ARN, or
 * whitespace. A single valid ARN found in the text is suggested.
 */
function parseSurroundedArn(text: string, scope: ParseScope): KeyArnParse {
  const startsWithArn = /^arn:/i.test(text);
  if (startsWithArn && countArnPrefixes(text) === 1) {
    return rejectTextAfterArn(text, scope);
  }

  const pieces = (text.match(/arn:[^\s"'`,;()[\]{}<>|\\\u201c\u201d\u2018\u2019\u00ab\u00bb]+/gi) ?? [])
    .flatMap((token) => token.split(/(?=arn:)/i))
    .map((piece) => piece.replace(/[.:]+$/, ""));
  const distinct = [...new Set(pieces)];
  const results = distinct.map((piece) => scope.parseDerived(piece));
  const accepted = results.flatMap((result) => (result.ok ? [result.key] : []));

  if (pieces.length === 0) {
    return parseNonArn(text, scope);
  }
  if (pieces.length === 1) {
    const [only] = results;
    return reject(
      "EXTRA_TEXT",
      "The value contains text besides the ARN. Paste only the key ARN.",
      only === undefined ? {} : only.ok ? only.key : only.partial,
      { suggestedArn: accepted[0]?.arn },
    );
  }

  const count = distinct.length === 1 ? `the same ARN ${pieces.length} times` : `${distinct.length} different ARNs`;
  const keyArnHint = accepted.length === 1 ? "" : ` (${keyArnTemplate(scope)})`;
  return reject(
    "MULTIPLE_ARNS",
    `The value contains ${count}. Paste only the ARN of your KMS key${keyArnHint}.`,
    accepted.length === 1 && accepted[0] !== undefined ? accepted[0] : {},
    { suggestedArn: accepted.length === 1 ? accepted[0]?.arn : undefined },
  );
}

/**
 * Rejects an ARN followed by whitespace and more text. The text is a comment after the
 * ARN when the first word is a complete ARN, and otherwise whitespace inside the ARN.
 */
function rejectTextAfterArn(text: string, scope: ParseScope): KeyArnParse {
  const firstWord = text.split(/\s/u)[0] ?? "";
  const firstWordResult = scope.parseDerived(firstWord);
  const joined = text.replace(/\s+/gu, "");
  const joinedArn = acceptedCandidate(scope, joined);
  const comment = quoteValue(text.slice(firstWord.length).trim(), 30);

  if (firstWordResult.ok) {
    return reject("EXTRA_TEXT", `The ARN is followed by other text (${comment}). Paste only the key ARN.`, firstWordResult.key, {
      suggestedArn: firstWordResult.key.arn,
    });
  }
  if (joinedArn === undefined && firstWordResult.partial.arn !== undefined) {
    return reject(
      "EXTRA_TEXT",
      `The ARN is followed by other text (${comment}). Paste only the key ARN.`,
      firstWordResult.partial,
    );
  }

  const whitespace = findCharacter(text, WHITESPACE);
  const where = whitespace === undefined ? "" : ` ${describeCharacter(whitespace.character)} ${describePosition(text, whitespace.index)}`;
  return reject(
    "WHITESPACE_INSIDE",
    `The ARN contains${where}. An ARN has no spaces or line breaks, so copy it again in one piece.`,
    readFields(joined),
    { suggestedArn: joinedArn },
  );
}

/** Checks the characters of a value that starts with "arn:" and has no whitespace, then its parts. */
function parseArnCandidate(text: string, scope: ParseScope): KeyArnParse {
  const invisible = findCharacter(text, INVISIBLE);
  if (invisible !== undefined) {
    const visible = text.replace(new RegExp(INVISIBLE.source, "gu"), "");
    return reject(
      "INVISIBLE_CHARACTER",
      `The ARN contains ${describeCharacter(invisible.character)} ${describePosition(text, invisible.index)}, which cannot be seen but is part of the value. Remove it or copy the ARN again.`,
      readFields(visible),
      { suggestedArn: acceptedCandidate(scope, visible) },
    );
  }

  const nonAscii = findCharacter(text, NON_ASCII);
  if (nonAscii !== undefined) {
    return rejectNonAscii(text, nonAscii, scope);
  }
  return parseArnStructure(text, scope);
}

function rejectNonAscii(text: string, found: { character: string; index: number }, scope: ParseScope): KeyArnParse {
  const ascii = toAsciiLookalike(text);
  return reject(
    "NON_ASCII",
    `The ARN contains ${describeCharacter(found.character)} ${describePosition(text, found.index)}, which is not a plain ASCII character although it may look like one. Type it again or copy the ARN from the KMS console.`,
    readFields(ascii),
    { suggestedArn: acceptedCandidate(scope, ascii) },
  );
}

/** Classifies a value without "arn:": a key ID, an alias, an ARN missing its prefix, or something else. */
function parseNonArn(text: string, scope: ParseScope): KeyArnParse {
  const nonAscii = findCharacter(text, /[^\s\x00-\x7f]/u);
  if (nonAscii !== undefined && /arn:/i.test(toAsciiLookalike(text))) {
    return rejectNonAscii(text, nonAscii, scope);
  }

  const keyId = text.replace(/^key\//i, "");
  if (looksLikeKeyId(keyId)) {
    const fixedKeyId = diagnoseKeyId(keyId)?.fixedKeyId ?? keyId;
    const template = `arn:${scope.servicePartition.id}:kms:${scope.serviceRegion}:<account ID>:key/${fixedKeyId}`;
    return reject(
      "BARE_KEY_ID",
      `${quoteValue(text)} is a key ID, which does not say which region and AWS account the key is in. Paste the full key ARN, such as ${template}.`,
      readKeyId(fixedKeyId),
      { field: "keyId" },
    );
  }

  if (/^alias\//i.test(text)) {
    return rejectAlias("BARE_ALIAS", text, scope, {});
  }

  const prefixed = addArnPrefix(text);
  if (prefixed !== undefined) {
    return reject(
      "NOT_AN_ARN",
      `The value starts with ${quoteValue(text.split(":")[0] + ":")} instead of "arn:". A key ARN starts with arn:${scope.servicePartition.id}:kms:.`,
      readFields(prefixed),
      { suggestedArn: acceptedCandidate(scope, prefixed) },
    );
  }

  return reject("NOT_AN_ARN", `${quoteValue(text)} ${describeNonArn(text)}. Paste the key ARN, such as ${keyArnTemplate(scope)}.`, {});
}

/** Returns the value with a missing or misspelled "arn:" prefix fixed, when the rest looks like an ARN. */
function addArnPrefix(text: string): string | undefined {
  if (/^aws[a-z-]*:[a-z0-9-]*:/i.test(text)) {
    return `arn:${text}`;
  }
  if (/^:aws[a-z-]*:/i.test(text)) {
    return `arn${text}`;
  }
  const misspelled = /^[a-z]{2,4}(:aws[a-z-]*:.*)$/i.exec(text);
  return misspelled === null ? undefined : `arn${misspelled[1]}`;
}

function describeNonArn(text: string): string {
  if (/^\d{12}$/.test(text)) {
    return "is an AWS account ID, not a key ARN";
  }
  if (isRegionName(text)) {
    return "is a region name, not a key ARN";
  }
  return "is not a KMS key ARN";
}
