/**
 * KMS failures, classified once. `classifyKmsError` turns whatever the SDK threw into a
 * stable code, and `describeKeyFailure` turns a code into the sentence and the ordered
 * likely causes shown to an admin. Neither passes on the raw SDK message, because it can
 * name internal principals and endpoints; callers log it instead.
 */

export type KmsOperation = "GenerateDataKey" | "Decrypt" | "Encrypt" | "ReEncrypt" | "GetKeyRotationStatus";

export const KEY_FAILURE_CODES = [
  "KEY_ACCESS_DENIED",
  "KEY_DISABLED",
  "KEY_PENDING_DELETION",
  "KEY_UNAVAILABLE",
  "KEY_NOT_FOUND",
  "KEY_WRONG_USAGE",
  "CONTEXT_MISMATCH",
  "KEY_MISMATCH",
  "ROUND_TRIP_MISMATCH",
  "KMS_THROTTLED",
  "KMS_TIMEOUT",
  "KMS_UNREACHABLE",
  "KMS_INTERNAL_ERROR",
  "PLATFORM_CREDENTIALS",
  "KMS_ERROR",
] as const;

export type KeyFailureCode = (typeof KEY_FAILURE_CODES)[number];

export interface KeyFailure {
  code: KeyFailureCode;
  operation: KmsOperation;
  /** AWS error name (such as AccessDeniedException), for logs and the audit trail. */
  awsErrorName?: string;
  requestId?: string;
  /** True when the key refused the call; false when KMS could not be reached or was busy. */
  keyRefused: boolean;
}

const REFUSALS = new Set<KeyFailureCode>([
  "KEY_ACCESS_DENIED",
  "KEY_DISABLED",
  "KEY_PENDING_DELETION",
  "KEY_UNAVAILABLE",
  "KEY_NOT_FOUND",
  "KEY_WRONG_USAGE",
  "CONTEXT_MISMATCH",
  "KEY_MISMATCH",
  "ROUND_TRIP_MISMATCH",
]);

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EPIPE"]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { requestId?: string; httpStatusCode?: number };
}

/** Builds a failure from a code the caller detected itself (such as a plaintext mismatch). */
export function keyFailure(code: KeyFailureCode, operation: KmsOperation, requestId?: string): KeyFailure {
  return { code, operation, requestId, keyRefused: REFUSALS.has(code) };
}

/** Maps an error thrown by `@aws-sdk/client-kms` during `operation` to a stable failure code. */
export function classifyKmsError(error: unknown, operation: KmsOperation): KeyFailure {
  const shape = (typeof error === "object" && error !== null ? error : {}) as SdkErrorShape;
  const name = shape.name ?? "Error";
  const requestId = shape.$metadata?.requestId;
  const failure = (code: KeyFailureCode): KeyFailure => ({ ...keyFailure(code, operation, requestId), awsErrorName: name });

  switch (name) {
    case "AccessDeniedException":
      return failure("KEY_ACCESS_DENIED");
    case "DisabledException":
      return failure("KEY_DISABLED");
    case "KMSInvalidStateException":
      return failure(/pending deletion/i.test(shape.message ?? "") ? "KEY_PENDING_DELETION" : "KEY_UNAVAILABLE");
    case "KeyUnavailableException":
      return failure("KEY_UNAVAILABLE");
    case "NotFoundException":
      return failure("KEY_NOT_FOUND");
    case "InvalidKeyUsageException":
    case "UnsupportedOperationException":
      return failure("KEY_WRONG_USAGE");
    case "InvalidCiphertextException":
      return failure("CONTEXT_MISMATCH");
    case "IncorrectKeyException":
      return failure("KEY_MISMATCH");
    case "ThrottlingException":
    case "LimitExceededException":
      return failure("KMS_THROTTLED");
    case "TimeoutError":
      // The HTTP handler also reports a connection the server dropped as a TimeoutError.
      return failure(/socket hang up|ECONNRESET/i.test(shape.message ?? "") ? "KMS_UNREACHABLE" : "KMS_TIMEOUT");
    case "AbortError":
    case "RequestTimeout":
    case "DependencyTimeoutException":
      return failure("KMS_TIMEOUT");
    case "KMSInternalException":
    case "InternalFailure":
      return failure("KMS_INTERNAL_ERROR");
    case "ServiceUnavailable":
      return failure("KMS_UNREACHABLE");
    case "UnrecognizedClientException":
    case "InvalidSignatureException":
    case "MissingAuthenticationTokenException":
    case "ExpiredTokenException":
    case "CredentialsProviderError":
      return failure("PLATFORM_CREDENTIALS");
  }
  if (shape.code && NETWORK_CODES.has(shape.code)) return failure("KMS_UNREACHABLE");
  if (shape.code === "ETIMEDOUT" || shape.code === "ECONNABORTED") return failure("KMS_TIMEOUT");
  if ((shape.$metadata?.httpStatusCode ?? 0) >= 500) return failure("KMS_UNREACHABLE");
  return failure("KMS_ERROR");
}

export interface FailureContext {
  keyArn: string;
  region: string;
  principalArn: string;
  encryptionContext: Readonly<Record<string, string>>;
  timeoutMs: number;
  /** Attempts per call, retries included. */
  maxAttempts: number;
}

export interface FailureDescription {
  /** One sentence that names what failed and the key ARN that was tried. */
  message: string;
  /** Likely causes with their fix, most likely first. */
  causes: string[];
}

/** Explains a failure to a tenant admin in plain words, with the fix for each likely cause. */
export function describeKeyFailure(failure: KeyFailure, context: FailureContext): FailureDescription {
  const { keyArn, region, principalArn } = context;
  const action = `kms:${failure.operation}`;
  const contextJson = JSON.stringify(context.encryptionContext);

  switch (failure.code) {
    case "KEY_ACCESS_DENIED": {
      const message = `AWS KMS denied ${action} on ${keyArn} to the platform role ${principalArn}.`;
      const conditionCause = `A condition in the statement does not match the encryption context ${contextJson}. Condition keys and values are case-sensitive: compare them with the statement shown under "Key policy".`;
      const denyCause = `An explicit Deny statement in the key policy blocks ${action} for this role. Remove that Deny or exclude the role from it.`;
      if (failure.operation === "Decrypt") {
        // GenerateDataKey passed with the same context, so the statement and its
        // conditions match: the Decrypt action itself is what is missing or denied.
        return {
          message,
          causes: [
            `The AllowZepBYOKAccess statement allows kms:GenerateDataKey but not kms:Decrypt. Add "kms:Decrypt" to its Action list.`,
            denyCause,
          ],
        };
      }
      return {
        message,
        causes: [
          `The key policy has no statement that allows ${principalArn} to call kms:GenerateDataKey and kms:Decrypt. Add the AllowZepBYOKAccess statement shown under "Key policy" to the key policy.`,
          `The statement names another principal. Its Principal must be exactly ${principalArn}.`,
          conditionCause,
          denyCause,
        ],
      };
    }
    case "KEY_DISABLED":
      return {
        message: `The key ${keyArn} is disabled, so AWS KMS refused ${action}.`,
        causes: [`Enable the key in the AWS KMS console, or run: aws kms enable-key --key-id ${keyArn} --region ${region}`],
      };
    case "KEY_PENDING_DELETION":
      return {
        message: `The key ${keyArn} is scheduled for deletion, so AWS KMS refused ${action}.`,
        causes: [
          `Cancel the deletion (aws kms cancel-key-deletion --key-id ${keyArn} --region ${region}), then enable the key (aws kms enable-key ...), because a cancelled key stays disabled.`,
          "If the key is meant to be deleted, create a new key and paste its ARN instead.",
        ],
      };
    case "KEY_UNAVAILABLE":
      return {
        message: `The key ${keyArn} is in a state that cannot be used, so AWS KMS refused ${action}.`,
        causes: [
          "The key is waiting for imported key material: import the material, or use a key with AWS-generated material.",
          "The key lives in a custom key store that is disconnected: reconnect the key store.",
        ],
      };
    case "KEY_NOT_FOUND":
      return {
        message: `AWS KMS found no key ${keyArn} in ${region}.`,
        causes: [
          "The key ID or AWS account ID in the ARN has a typo: copy the ARN again from the key's page in the AWS KMS console.",
          `The key was created in another region. Keys must live in ${region}; for a multi-region key, create a replica in ${region} and paste the replica's ARN.`,
          "The key was deleted. Create a new key and paste its ARN.",
        ],
      };
    case "KEY_WRONG_USAGE":
      return {
        message: `The key ${keyArn} cannot make data keys, so AWS KMS refused ${action}.`,
        causes: [
          "The key is asymmetric or an HMAC key. Create a symmetric key (key spec SYMMETRIC_DEFAULT, key usage ENCRYPT_DECRYPT) and paste its ARN.",
        ],
      };
    case "CONTEXT_MISMATCH":
      return {
        message: `AWS KMS could not decrypt the data key that ${keyArn} had just generated under the encryption context ${contextJson}.`,
        causes: [
          "The key material changed between the two calls, for example an imported key whose material was replaced. Try again.",
          "This is a platform fault if it repeats: contact support with the time of the attempt.",
        ],
      };
    case "KEY_MISMATCH":
      return {
        message: `AWS KMS reported a different key than ${keyArn} during ${action}.`,
        causes: [
          "The ARN names an alias or a key that KMS resolved to another key. Paste the key ARN from the key's page in the AWS KMS console.",
        ],
      };
    case "ROUND_TRIP_MISMATCH":
      return {
        message: `AWS KMS returned different bytes for the data key of ${keyArn} than it generated, so the key was not accepted.`,
        causes: ["This points to a fault between the platform and AWS KMS. Try again, and contact support if it repeats."],
      };
    case "KMS_THROTTLED":
      return {
        message: `AWS KMS throttled ${action} on ${keyArn} and the retries ran out.`,
        causes: [
          "Your account's KMS request quota for this region is used up by other workloads. Try again in a minute.",
          "If it keeps happening, raise the KMS request-rate quota in Service Quotas.",
        ],
      };
    case "KMS_TIMEOUT":
      return {
        message: `AWS KMS did not answer ${action} on ${keyArn} within ${context.timeoutMs} ms, on any of ${context.maxAttempts} attempts.`,
        causes: ["AWS KMS in this region is slow or briefly unavailable. Try again in a minute; nothing was saved."],
      };
    case "KMS_UNREACHABLE":
      return {
        message: `The platform could not reach AWS KMS in ${region} to run ${action} on ${keyArn}.`,
        causes: ["A network or AWS service problem interrupted the call. Try again in a minute; nothing was saved."],
      };
    case "KMS_INTERNAL_ERROR":
      return {
        message: `AWS KMS reported an internal error for ${action} on ${keyArn}, on every attempt.`,
        causes: ["AWS KMS in this region has a problem. Try again in a few minutes; nothing was saved."],
      };
    case "PLATFORM_CREDENTIALS":
      return {
        message: `AWS rejected the platform's own credentials while calling ${action} on ${keyArn}.`,
        causes: ["This is a platform configuration fault, not a problem with your key. Contact support."],
      };
    case "KMS_ERROR":
      return {
        message: `AWS KMS rejected ${action} on ${keyArn}${failure.awsErrorName ? ` with ${failure.awsErrorName}` : ""}.`,
        causes: ["Try again. If it repeats, contact support with the time of the attempt."],
      };
  }
}
