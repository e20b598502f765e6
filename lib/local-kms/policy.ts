/**
 * Key policy parsing and evaluation for the local KMS server, a subset of the IAM policy language.
 *
 * Evaluation: a statement applies when its Principal, Action, Resource and Condition all match.
 * An applying Deny wins; otherwise an applying Allow is needed. IAM identity policies are not
 * modelled: every principal has whatever its account's IAM would grant, so a key policy that
 * allows an account root allows every principal of that account.
 *
 * Supported: Principal `"*"` or `{"AWS": value | [values]}` where a value is `*`, a 12-digit
 * account id, an account root ARN, or an IAM/STS principal ARN (a role ARN also matches that
 * role's STS sessions). Action and Resource are strings or lists with `*` and `?` wildcards;
 * actions compare case-insensitively, as in IAM. Condition operators StringEquals,
 * StringEqualsIgnoreCase and StringLike on the keys `kms:EncryptionContext:<key>`,
 * `kms:CallerAccount`, `aws:PrincipalArn` and `aws:PrincipalAccount`. Condition key names
 * compare case-insensitively (IAM rule), values as the operator defines. A condition on a key
 * that the request does not have does not match.
 *
 * Any other condition operator or key is unsupported. It is reported to `onUnsupported`, and it
 * never widens access: an Allow statement containing one does not apply, and a Deny statement
 * containing one applies.
 *
 * NotPrincipal, NotAction and NotResource are rejected as malformed by `parsePolicyOrThrow`.
 */
import { malformedPolicyError } from "./errors";
import { isAccountId, roleArnOfSession } from "./identifiers";

export const MAX_POLICY_LENGTH = 32_768;

type Effect = "Allow" | "Deny";

interface Condition {
  operator: string;
  key: string;
  values: string[];
}

export interface PolicyStatement {
  sid: string | undefined;
  effect: Effect;
  /** Null means `"*"`, every principal. */
  awsPrincipals: string[] | null;
  actions: string[];
  resources: string[];
  conditions: Condition[];
}

export interface PolicyRequest {
  principalArn: string;
  principalAccount: string;
  /** Action with service prefix, for example `kms:Decrypt`. */
  action: string;
  keyArn: string;
  /** Encryption context of the request; undefined for operations that take none. */
  encryptionContext: Record<string, string> | undefined;
}

export type PolicyDecision = "allow" | "explicit-deny" | "no-allow";

export interface UnsupportedCondition {
  sid: string | undefined;
  effect: Effect;
  operator: string;
  key: string;
}

const SUPPORTED_VERSIONS = new Set(["2012-10-17", "2008-10-17"]);
const PRINCIPAL_ARN_PATTERN = /^arn:aws:(iam|sts)::\d{12}:.+$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function readStringList(value: unknown, what: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((item): item is string => typeof item === "string" && item.length > 0)) {
    throw malformedPolicyError(`${what} must be a non-empty string or a non-empty list of strings.`);
  }
  return list;
}

function readPrincipal(value: unknown): string[] | null {
  if (value === "*") {
    return null;
  }
  if (!isPlainObject(value) || Object.keys(value).length === 0) {
    throw malformedPolicyError('Principal must be "*" or an object such as {"AWS": "arn:aws:iam::111122223333:root"}.');
  }

  // Service, Federated and CanonicalUser principals are valid policy syntax but never match an IAM caller.
  if (value.AWS === undefined) {
    return [];
  }
  const principals = readStringList(value.AWS, "Principal.AWS");
  for (const principal of principals) {
    if (principal !== "*" && !isAccountId(principal) && !PRINCIPAL_ARN_PATTERN.test(principal)) {
      throw malformedPolicyError(`Policy contains a statement with an invalid principal: '${principal}'.`);
    }
  }
  return principals.includes("*") ? null : principals;
}

function readConditions(value: unknown): Condition[] {
  if (value === undefined) {
    return [];
  }
  if (!isPlainObject(value)) {
    throw malformedPolicyError("Condition must be an object of condition operators.");
  }

  const conditions: Condition[] = [];
  for (const [operator, block] of Object.entries(value)) {
    if (!isPlainObject(block)) {
      throw malformedPolicyError(`Condition operator ${operator} must map condition keys to values.`);
    }
    for (const [key, raw] of Object.entries(block)) {
      const list = Array.isArray(raw) ? raw : [raw];
      const values = list.map((item) => {
        if (typeof item !== "string" && typeof item !== "boolean" && typeof item !== "number") {
          throw malformedPolicyError(`Condition ${operator} ${key} must have string, number or boolean values.`);
        }
        return String(item);
      });
      conditions.push({ operator, key, values });
    }
  }
  return conditions;
}

function readStatement(value: unknown, index: number): PolicyStatement {
  if (!isPlainObject(value)) {
    throw malformedPolicyError(`Statement ${index} must be an object.`);
  }
  for (const unsupported of ["NotPrincipal", "NotAction", "NotResource"]) {
    if (unsupported in value) {
      throw malformedPolicyError(`Statement ${index} uses ${unsupported}, which the local KMS server does not support.`);
    }
  }
  if (value.Effect !== "Allow" && value.Effect !== "Deny") {
    throw malformedPolicyError(`Statement ${index} must have Effect "Allow" or "Deny".`);
  }
  if (value.Principal === undefined) {
    throw malformedPolicyError(`Statement ${index} must have a Principal.`);
  }
  if (value.Action === undefined) {
    throw malformedPolicyError(`Statement ${index} must have an Action.`);
  }
  if (value.Resource === undefined) {
    throw malformedPolicyError(`Statement ${index} must have a Resource.`);
  }
  if (value.Sid !== undefined && typeof value.Sid !== "string") {
    throw malformedPolicyError(`Statement ${index} has a Sid that is not a string.`);
  }

  return {
    sid: value.Sid,
    effect: value.Effect,
    awsPrincipals: readPrincipal(value.Principal),
    actions: readStringList(value.Action, `Statement ${index} Action`),
    resources: readStringList(value.Resource, `Statement ${index} Resource`),
    conditions: readConditions(value.Condition),
  };
}

/** Parses a key policy document, throwing MalformedPolicyDocumentException with the reason when it is invalid. */
export function parsePolicyOrThrow(text: string): PolicyStatement[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw malformedPolicyError(`The key policy is not valid JSON: ${(error as Error).message}`);
  }
  if (!isPlainObject(document)) {
    throw malformedPolicyError("The key policy must be a JSON object.");
  }
  if (document.Version !== undefined && !SUPPORTED_VERSIONS.has(String(document.Version))) {
    throw malformedPolicyError(`Unsupported policy Version '${String(document.Version)}'; use "2012-10-17".`);
  }

  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  if (document.Statement === undefined || statements.length === 0) {
    throw malformedPolicyError("The key policy must have at least one Statement.");
  }
  return statements.map((statement, index) => readStatement(statement, index));
}

function wildcardCharToRegex(char: string): string {
  if (char === "*") {
    return ".*";
  }
  if (char === "?") {
    return ".";
  }
  return char.replace(/[.+^${}()|[\]\\/]/g, "\\$&");
}

/** Tests `value` against an IAM pattern in which `*` matches any run of characters and `?` one character. */
export function matchesWildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern.split("").map(wildcardCharToRegex).join("");
  return new RegExp(`^${source}$`, ignoreCase ? "is" : "s").test(value);
}

function principalMatches(awsPrincipals: string[] | null, request: PolicyRequest): boolean {
  if (awsPrincipals === null) {
    return true;
  }
  const sessionRoleArn = roleArnOfSession(request.principalArn);

  return awsPrincipals.some((principal) => {
    if (principal === request.principalArn) {
      return true;
    }
    if (principal === request.principalAccount || principal === `arn:aws:iam::${request.principalAccount}:root`) {
      return true;
    }
    if (sessionRoleArn === null) {
      return false;
    }
    // A role ARN may include a path (role/path/name) that the session ARN lacks.
    const roleName = sessionRoleArn.slice(sessionRoleArn.lastIndexOf("/") + 1);
    const accountPrefix = sessionRoleArn.slice(0, sessionRoleArn.indexOf(":role/") + ":role/".length);
    return principal.startsWith(accountPrefix) && principal.endsWith(`/${roleName}`);
  });
}

/** Returns the request's values for a condition key, undefined when the key is unsupported, [] when absent. */
function requestValues(key: string, request: PolicyRequest): string[] | undefined {
  const lowerKey = key.toLowerCase();
  const contextPrefix = "kms:encryptioncontext:";

  if (lowerKey.startsWith(contextPrefix)) {
    const contextKey = lowerKey.slice(contextPrefix.length);
    return Object.entries(request.encryptionContext ?? {})
      .filter(([name]) => name.toLowerCase() === contextKey)
      .map(([, value]) => value);
  }
  if (lowerKey === "kms:calleraccount" || lowerKey === "aws:principalaccount") {
    return [request.principalAccount];
  }
  if (lowerKey === "aws:principalarn") {
    return [request.principalArn];
  }
  return undefined;
}

const OPERATORS: Record<string, (policyValue: string, requestValue: string) => boolean> = {
  StringEquals: (policyValue, requestValue) => policyValue === requestValue,
  StringEqualsIgnoreCase: (policyValue, requestValue) => policyValue.toLowerCase() === requestValue.toLowerCase(),
  StringLike: (policyValue, requestValue) => matchesWildcard(policyValue, requestValue, false),
};

type ConditionResult = "match" | "no-match" | "unsupported";

function evaluateConditions(
  statement: PolicyStatement,
  request: PolicyRequest,
  onUnsupported: (condition: UnsupportedCondition) => void,
): ConditionResult {
  let result: ConditionResult = "match";

  for (const condition of statement.conditions) {
    const compare = OPERATORS[condition.operator];
    const values = requestValues(condition.key, request);
    if (!compare || values === undefined) {
      onUnsupported({ sid: statement.sid, effect: statement.effect, operator: condition.operator, key: condition.key });
      return "unsupported";
    }

    const matched = values.some((requestValue) =>
      condition.values.some((policyValue) => compare(policyValue, requestValue)),
    );
    if (!matched) {
      result = "no-match";
    }
  }
  return result;
}

/** Decides whether the key policy lets the request's principal perform its action. */
export function evaluatePolicy(
  statements: PolicyStatement[],
  request: PolicyRequest,
  onUnsupported: (condition: UnsupportedCondition) => void,
): PolicyDecision {
  let allowed = false;

  for (const statement of statements) {
    const applies =
      principalMatches(statement.awsPrincipals, request) &&
      statement.actions.some((action) => matchesWildcard(action, request.action, true)) &&
      statement.resources.some((resource) => matchesWildcard(resource, request.keyArn, false));
    if (!applies) {
      continue;
    }

    const conditions = evaluateConditions(statement, request, onUnsupported);
    if (statement.effect === "Deny" && conditions !== "no-match") {
      return "explicit-deny";
    }
    if (statement.effect === "Allow" && conditions === "match") {
      allowed = true;
    }
  }
  return allowed ? "allow" : "no-allow";
}

/** Builds the policy that CreateKey gives a key when the request has none: the owner account's root may do everything. */
export function defaultKeyPolicy(account: string): string {
  return JSON.stringify(
    {
      Version: "2012-10-17",
      Id: "key-default-1",
      Statement: [
        {
          Sid: "Enable IAM User Permissions",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${account}:root` },
          Action: "kms:*",
          Resource: "*",
        },
      ],
    },
    null,
    2,
  );
}
