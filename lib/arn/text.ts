/** Character-level helpers for pasted text: trimming, lookalike characters and quoting values in messages. */

/**
 * Whitespace and invisible format characters that a paste can carry at either end:
 * spaces, tabs, line breaks, no-break spaces, zero-width spaces and joiners, byte order
 * marks and bidirectional marks (Unicode `White_Space` and category `Cf`).
 */
const EDGE_JUNK = /^[\s\p{Cf}]+|[\s\p{Cf}]+$/gu;

/** Removes whitespace and invisible characters from both ends and nothing else. */
export function trimPaste(input: string): string {
  return input.replace(EDGE_JUNK, "");
}

export const WHITESPACE = /\s/u;
export const INVISIBLE = /[\p{Cf}\p{Cc}]/u;
export const NON_ASCII = /[^\x20-\x7e]/u;

const CHARACTER_NAMES: Readonly<Record<string, string>> = {
  " ": "a space",
  "\t": "a tab",
  "\n": "a line break",
  "\r": "a carriage return",
  "\u00a0": "a no-break space",
  "\u00ad": "a soft hyphen",
  "\u200b": "a zero-width space",
  "\u200c": "a zero-width non-joiner",
  "\u200d": "a zero-width joiner",
  "\u2011": "a non-breaking hyphen",
  "\u2013": "an en dash",
  "\u2014": "an em dash",
  "\u2060": "a word joiner",
  "\ufeff": "a byte order mark",
};

/** Describes one character for a message, e.g. `a zero-width space (U+200B)` or `"а" (U+0430)`. */
export function describeCharacter(character: string): string {
  const codePoint = character.codePointAt(0) ?? 0;
  const hex = "U+" + codePoint.toString(16).toUpperCase().padStart(4, "0");
  const name = CHARACTER_NAMES[character];

  if (name !== undefined) {
    return `${name} (${hex})`;
  }
  if (INVISIBLE.test(character) || WHITESPACE.test(character)) {
    return `an invisible character (${hex})`;
  }
  return `"${character}" (${hex})`;
}

/** Describes where a character sits in `text`, e.g. `after "kms:us-west-2:"` or `at the start`. */
export function describePosition(text: string, index: number): string {
  if (index === 0) {
    return "at the start";
  }
  const before = text.slice(Math.max(0, index - 16), index);
  return `after "${index > 16 ? "…" : ""}${before}"`;
}

/** Finds the first character matching `pattern` and returns it with its index. */
export function findCharacter(text: string, pattern: RegExp): { character: string; index: number } | undefined {
  let index = 0;
  for (const character of text) {
    if (pattern.test(character)) {
      return { character, index };
    }
    index += character.length;
  }
  return undefined;
}

/** Quotes a value for a message, shortened so that a long paste cannot flood the UI. */
export function quoteValue(value: string, maxLength = 60): string {
  const shortened = value.length > maxLength ? value.slice(0, maxLength - 1) + "…" : value;
  return `"${shortened}"`;
}

/**
 * Characters that look like the ASCII characters of an ARN but are not, after NFKC
 * normalization (which already maps full-width and compatibility forms to ASCII).
 */
const LOOKALIKES: Readonly<Record<string, string>> = {
  // Dashes and hyphens that word processors and chat apps substitute for "-".
  "\u2010": "-",
  "\u2011": "-",
  "\u2012": "-",
  "\u2013": "-",
  "\u2014": "-",
  "\u2015": "-",
  "\u2212": "-",
  // Colons and slashes.
  "\u02d0": ":",
  "\u2236": ":",
  "\ua789": ":",
  "\u2044": "/",
  "\u2215": "/",
  "\u29f8": "/",
  // Cyrillic letters that look like Latin ones.
  "\u0430": "a",
  "\u0435": "e",
  "\u043a": "k",
  "\u043e": "o",
  "\u0440": "p",
  "\u0441": "c",
  "\u0443": "y",
  "\u0445": "x",
  "\u0456": "i",
  "\u0458": "j",
  "\u0455": "s",
  "\u0501": "d",
  "\u0410": "A",
  "\u0412": "B",
  "\u0415": "E",
  "\u041a": "K",
  "\u041c": "M",
  "\u041d": "H",
  "\u041e": "O",
  "\u0420": "P",
  "\u0421": "C",
  "\u0422": "T",
  "\u0425": "X",
  // Greek letters that look like Latin ones.
  "\u03b1": "a",
  "\u03b9": "i",
  "\u03ba": "k",
  "\u03bd": "v",
  "\u03bf": "o",
  "\u03c1": "p",
  "\u0391": "A",
  "\u0392": "B",
  "\u0395": "E",
  "\u0397": "H",
  "\u0399": "I",
  "\u039a": "K",
  "\u039c": "M",
  "\u039d": "N",
  "\u039f": "O",
  "\u03a1": "P",
  "\u03a4": "T",
  "\u03a7": "X",
  // Latin letters without an ASCII decomposition.
  "\u0131": "i",
  "\u0261": "g",
};

/** Replaces full-width and lookalike characters with the ASCII characters they imitate; other characters stay. */
export function toAsciiLookalike(text: string): string {
  let result = "";
  for (const character of text.normalize("NFKC")) {
    result += LOOKALIKES[character] ?? character;
  }
  return result;
}
