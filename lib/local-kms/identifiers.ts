import { randomBytes, randomUUID } from "node:crypto";

import { KmsError, validationError } from "./errors";

const ACCOUNT_PATTERN = /^\d{12}$/;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const SINGLE_REGION_KEY_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MULTI_REGION_KEY_ID_PATTERN = /^mrk-[0-9a-f]{32}$/;
const ALIAS_NAME_PATTERN = /^alias\/[a-zA-Z0-9/_-]+$/;
const PRINCIPAL_ARN_PATTERN = /^arn:aws:(iam|sts)::(\d{12}):(.+)$/;

export function isAccountId(value: string): boolean {
  return ACCOUNT_PATTERN.test(value);
}

export function isRegionName(value: string): boolean {
  return REGION_PATTERN.test(value);
}

export function isKeyId(value: string): boolean {
  return SINGLE_REGION_KEY_ID_PATTERN.test(value) || MULTI_REGION_KEY_ID_PATTERN.test(value);
}

export function isAliasName(value: string): boolean {
  return ALIAS_NAME_PATTERN.test(value) && value.length <= 256;
}

/** Creates a key id as AWS does: a lowercase UUID, or `mrk-` and 32 lowercase hex digits for a multi-region key. */
export function createKeyId(multiRegion: boolean): string {
  return multiRegion ? `mrk-${randomBytes(16).toString("hex")}` : randomUUID();
}

export function formatKeyArn(region: string, account: string, keyId: string): string {
  return `arn:aws:kms:${region}:${account}:key/${keyId}`;
}

export function formatAliasArn(region: string, account: string, aliasName: string): string {
  return `arn:aws:kms:${region}:${account}:${aliasName}`;
}

export function formatRootArn(account: string): string {
  return `arn:aws:iam::${account}:root`;
}

/** A KeyId request value after parsing, before any lookup. */
export type KeyReference =
  | { kind: "key"; region: string | null; account: string | null; keyId: string }
  | { kind: "alias"; region: string | null; account: string | null; aliasName: string }
  | { kind: "invalid"; value: string };

/**
 * Parses a KeyId request value: a key id, a key ARN, an alias name (`alias/...`) or an alias ARN.
 * Region and account are null when the value does not contain them.
 */
export function parseKeyReference(value: string): KeyReference {
  if (value.startsWith("alias/")) {
    return isAliasName(value)
      ? { kind: "alias", region: null, account: null, aliasName: value }
      : { kind: "invalid", value };
  }

  if (!value.startsWith("arn:")) {
    return isKeyId(value) ? { kind: "key", region: null, account: null, keyId: value } : { kind: "invalid", value };
  }

  // arn:aws:kms:<region>:<account>:<resource>; the resource part may itself contain colons only in
  // malformed input, so split into exactly six fields.
  const fields = value.split(":");
  if (fields.length !== 6 || fields[1] !== "aws" || fields[2] !== "kms") {
    return { kind: "invalid", value };
  }
  const region = fields[3] ?? "";
  const account = fields[4] ?? "";
  const resource = fields[5] ?? "";
  if (!isRegionName(region) || !isAccountId(account)) {
    return { kind: "invalid", value };
  }

  if (resource.startsWith("key/")) {
    const keyId = resource.slice("key/".length);
    return isKeyId(keyId) ? { kind: "key", region, account, keyId } : { kind: "invalid", value };
  }
  if (resource.startsWith("alias/") && isAliasName(resource)) {
    return { kind: "alias", region, account, aliasName: resource };
  }
  return { kind: "invalid", value };
}

/** Returns the 12-digit account of an IAM or STS principal ARN, or throws if the ARN is not one. */
export function principalAccountOrThrow(principalArn: string): string {
  const match = PRINCIPAL_ARN_PATTERN.exec(principalArn);
  if (!match?.[2]) {
    throw new Error(
      `Invalid principal ARN '${principalArn}': expected arn:aws:iam::<12-digit account>:<resource> or arn:aws:sts::<account>:<resource>.`,
    );
  }
  return match[2];
}

/**
 * Returns the role ARN behind an STS assumed-role session ARN
 * (`arn:aws:sts::<account>:assumed-role/<role>/<session>`), or null for any other ARN.
 * The session ARN carries no role path, so the returned ARN has none either.
 */
export function roleArnOfSession(principalArn: string): string | null {
  const match = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(principalArn);
  if (!match) {
    return null;
  }
  return `arn:aws:iam::${match[1]}:role/${match[2]}`;
}

export function requireRegionName(value: string, field: string): string {
  if (!isRegionName(value)) {
    throw validationError(`${field} '${value}' is not a valid AWS Region name, such as us-west-2.`);
  }
  return value;
}

export function accessDeniedError(
  principalArn: string,
  action: string,
  keyArn: string,
  reason: "no-allow" | "explicit-deny",
): KmsError {
  const because =
    reason === "explicit-deny"
      ? "with an explicit deny in a resource-based policy"
      : `because no resource-based policy allows the ${action} action`;
  return new KmsError(
    "AccessDeniedException",
    `User: ${principalArn} is not authorized to perform: ${action} on resource: ${keyArn} ${because}`,
  );
}
