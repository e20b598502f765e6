/** PutKeyPolicy, GetKeyPolicy, and the policy checks that CreateKey and ReplicateKey share with them. */
import { KmsError, notFoundError, validationError } from "../errors";
import { evaluatePolicy, MAX_POLICY_LENGTH, parsePolicyOrThrow } from "../policy";
import { authorizeOrThrow, keyArnOf, resolveKeyOrThrow, type CallContext } from "./context";
import { readOptionalBoolean, readOptionalString, readString, type RequestInput } from "./input";

/**
 * Validates a new key policy for the key `keyArn`. Unless the request sets
 * BypassPolicyLockoutSafetyCheck, the policy must let the caller call PutKeyPolicy later,
 * as AWS KMS requires, so that a typo cannot lock everyone out of the key.
 */
export function validateNewPolicyOrThrow(ctx: CallContext, policy: string, keyArn: string, input: RequestInput): void {
  if (policy.length > MAX_POLICY_LENGTH) {
    throw validationError(`Policy must be at most ${MAX_POLICY_LENGTH} characters; got ${policy.length}.`);
  }
  const statements = parsePolicyOrThrow(policy);
  if (readOptionalBoolean(input, "BypassPolicyLockoutSafetyCheck") === true) {
    return;
  }

  const decision = evaluatePolicy(
    statements,
    {
      principalArn: ctx.caller.principalArn,
      principalAccount: ctx.caller.account,
      action: "kms:PutKeyPolicy",
      keyArn,
      encryptionContext: undefined,
    },
    (condition) => ctx.reportUnsupportedCondition(keyArn, condition),
  );
  if (decision !== "allow") {
    throw new KmsError(
      "MalformedPolicyDocumentException",
      `The new key policy will not allow you to update the key policy in the future: it does not allow ${ctx.caller.principalArn} to call kms:PutKeyPolicy. Add that permission or set BypassPolicyLockoutSafetyCheck.`,
    );
  }
}

function readPolicyName(input: RequestInput): string {
  const name = readOptionalString(input, "PolicyName", 128) ?? "default";
  if (name !== "default") {
    throw notFoundError(`Key policy '${name}' does not exist; the only key policy name is 'default'.`);
  }
  return name;
}

export function putKeyPolicy(ctx: CallContext, input: RequestInput): Record<string, unknown> {
  const keyIdValue = readString(input, "KeyId");
  const policy = readString(input, "Policy", MAX_POLICY_LENGTH);
  readPolicyName(input);

  const key = resolveKeyOrThrow(ctx, keyIdValue);
  authorizeOrThrow(ctx, key, "PutKeyPolicy");
  validateNewPolicyOrThrow(ctx, policy, keyArnOf(key), input);

  key.policy = policy;
  ctx.store.putKey(key);
  return {};
}

export function getKeyPolicy(ctx: CallContext, input: RequestInput): Record<string, unknown> {
  const keyIdValue = readString(input, "KeyId");
  const policyName = readPolicyName(input);

  const key = resolveKeyOrThrow(ctx, keyIdValue);
  authorizeOrThrow(ctx, key, "GetKeyPolicy");
  return { Policy: key.policy, PolicyName: policyName };
}
