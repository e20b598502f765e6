/** A KMS key ARN that passed every check for use by this service. */
export interface KeyArn {
  /** The ARN exactly as stored: the pasted text with surrounding whitespace trimmed. */
  arn: string;
  partition: string;
  region: string;
  /** 12-digit AWS account ID; a string because leading zeros are significant. */
  accountId: string;
  /** Key ID: a lowercase UUID, or `mrk-` followed by 32 lowercase hex digits. */
  keyId: string;
  /** Whether the key ID names a multi-region key (`mrk-` prefix). */
  multiRegion: boolean;
}

export type KeyArnField = "partition" | "region" | "accountId" | "keyId";

/** Stable problem codes; the UI and logs may switch on them. */
export const KEY_ARN_PROBLEM_CODES = [
  "EMPTY",
  "TOO_LONG",
  "CONSOLE_URL",
  "URL_ENCODED",
  "QUOTED",
  "TRAILING_PUNCTUATION",
  "EXTRA_TEXT",
  "MULTIPLE_ARNS",
  "WHITESPACE_INSIDE",
  "INVISIBLE_CHARACTER",
  "TRUNCATED",
  "PLACEHOLDER",
  "NON_ASCII",
  "BARE_KEY_ID",
  "BARE_ALIAS",
  "NOT_AN_ARN",
  "WRONG_SEGMENT_COUNT",
  "MISSING_SEGMENT",
  "EMPTY_SEGMENT",
  "WRONG_CASE",
  "UNKNOWN_PARTITION",
  "WRONG_SERVICE",
  "AVAILABILITY_ZONE",
  "INVALID_REGION",
  "REGION_NOT_IN_PARTITION",
  "INVALID_ACCOUNT",
  "ALIAS_ARN",
  "MISSING_RESOURCE_TYPE",
  "WRONG_RESOURCE_TYPE",
  "INVALID_KEY_ID",
  "OTHER_PARTITION",
  "REGION_MISMATCH",
  "REPLICA_REQUIRED",
] as const;

export type KeyArnProblemCode = (typeof KEY_ARN_PROBLEM_CODES)[number];

export interface KeyArnProblem {
  code: KeyArnProblemCode;
  /** One or two sentences for an admin: what is wrong, naming the value, and what to paste instead. */
  message: string;
  /** The ARN part the problem is in, when it is in one part. */
  field?: KeyArnField;
  /**
   * A corrected ARN derived from the input. It is set only when it passes `parseKeyArn`
   * with the same options, so the UI can offer it as a one-click fix.
   */
  suggestedArn?: string;
}

export type KeyArnParse =
  | { ok: true; key: KeyArn }
  | {
      ok: false;
      problem: KeyArnProblem;
      /** The fields that could be read, so the UI can show region and account while the admin types. */
      partial: Partial<KeyArn>;
    };

export interface ParseKeyArnOptions {
  /** Region the service runs in, e.g. `us-west-2`; its partition is the only one accepted. */
  serviceRegion: string;
}
