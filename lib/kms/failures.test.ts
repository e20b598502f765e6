import { describe, expect, it } from "vitest";

import { classifyKmsError, describeKeyFailure, KEY_FAILURE_CODES, keyFailure, type KeyFailureCode } from "@/lib/kms/failures";

const KEY_ARN = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const CONTEXT = {
  keyArn: KEY_ARN,
  region: "us-west-2",
  principalArn: "arn:aws:iam::467218391112:role/zep-byok",
  encryptionContext: { service: "zep", account_uuid: "0b7c5a36-2f05-4d3c-9a57-8f6cdb3a1e11" },
  timeoutMs: 3_000,
  maxAttempts: 3,
};

function sdkError(name: string, message = "internal detail", extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(message), { name, $metadata: { requestId: "req-1", httpStatusCode: 400 }, ...extra });
}

describe("classifyKmsError", () => {
  it.each<[string, unknown, KeyFailureCode]>([
    ["AccessDeniedException", sdkError("AccessDeniedException"), "KEY_ACCESS_DENIED"],
    ["DisabledException", sdkError("DisabledException"), "KEY_DISABLED"],
    ["KMSInvalidStateException pending deletion", sdkError("KMSInvalidStateException", `${KEY_ARN} is pending deletion.`), "KEY_PENDING_DELETION"],
    ["KMSInvalidStateException other", sdkError("KMSInvalidStateException", `${KEY_ARN} is pending import.`), "KEY_UNAVAILABLE"],
    ["KeyUnavailableException", sdkError("KeyUnavailableException"), "KEY_UNAVAILABLE"],
    ["NotFoundException", sdkError("NotFoundException"), "KEY_NOT_FOUND"],
    ["InvalidKeyUsageException", sdkError("InvalidKeyUsageException"), "KEY_WRONG_USAGE"],
    ["UnsupportedOperationException", sdkError("UnsupportedOperationException"), "KEY_WRONG_USAGE"],
    ["InvalidCiphertextException", sdkError("InvalidCiphertextException"), "CONTEXT_MISMATCH"],
    ["IncorrectKeyException", sdkError("IncorrectKeyException"), "KEY_MISMATCH"],
    ["ThrottlingException", sdkError("ThrottlingException"), "KMS_THROTTLED"],
    ["LimitExceededException", sdkError("LimitExceededException"), "KMS_THROTTLED"],
    ["TimeoutError", sdkError("TimeoutError"), "KMS_TIMEOUT"],
    ["AbortError", sdkError("AbortError"), "KMS_TIMEOUT"],
    ["DependencyTimeoutException", sdkError("DependencyTimeoutException"), "KMS_TIMEOUT"],
    ["ETIMEDOUT", Object.assign(new Error("x"), { code: "ETIMEDOUT" }), "KMS_TIMEOUT"],
    ["ECONNREFUSED", Object.assign(new Error("x"), { code: "ECONNREFUSED" }), "KMS_UNREACHABLE"],
    ["ENOTFOUND", Object.assign(new Error("x"), { code: "ENOTFOUND" }), "KMS_UNREACHABLE"],
    ["KMSInternalException", sdkError("KMSInternalException"), "KMS_INTERNAL_ERROR"],
    ["a dropped connection", sdkError("TimeoutError", "socket hang up"), "KMS_UNREACHABLE"],
    ["HTTP 503 without a name", Object.assign(new Error("x"), { name: "Unknown", $metadata: { httpStatusCode: 503 } }), "KMS_UNREACHABLE"],
    ["UnrecognizedClientException", sdkError("UnrecognizedClientException"), "PLATFORM_CREDENTIALS"],
    ["CredentialsProviderError", sdkError("CredentialsProviderError"), "PLATFORM_CREDENTIALS"],
    ["an unknown error", sdkError("SomethingNewException"), "KMS_ERROR"],
    ["a thrown string", "boom", "KMS_ERROR"],
  ])("maps %s", (_name, error, code) => {
    expect(classifyKmsError(error, "GenerateDataKey").code).toBe(code);
  });

  it("keeps the request id and the AWS error name", () => {
    const failure = classifyKmsError(sdkError("DisabledException"), "Decrypt");
    expect(failure.requestId).toBe("req-1");
    expect(failure.awsErrorName).toBe("DisabledException");
    expect(failure.operation).toBe("Decrypt");
  });

  it("separates key refusals from reachability problems", () => {
    expect(classifyKmsError(sdkError("AccessDeniedException"), "Decrypt").keyRefused).toBe(true);
    expect(classifyKmsError(sdkError("DisabledException"), "Decrypt").keyRefused).toBe(true);
    expect(classifyKmsError(sdkError("ThrottlingException"), "Decrypt").keyRefused).toBe(false);
    expect(classifyKmsError(sdkError("TimeoutError"), "Decrypt").keyRefused).toBe(false);
    expect(classifyKmsError(sdkError("UnrecognizedClientException"), "Decrypt").keyRefused).toBe(false);
  });
});

describe("describeKeyFailure", () => {
  it.each(KEY_FAILURE_CODES)("explains %s with the ARN and a fix", (code) => {
    const description = describeKeyFailure(keyFailure(code, "GenerateDataKey"), CONTEXT);
    expect(description.message).toContain(KEY_ARN);
    expect(description.message).not.toMatch(/undefined|\[object/);
    expect(description.causes.length).toBeGreaterThan(0);
  });

  it("names the denied operation", () => {
    const description = describeKeyFailure(keyFailure("KEY_ACCESS_DENIED", "Decrypt"), CONTEXT);
    expect(description.message).toContain("kms:Decrypt");
    expect(description.causes[0]).toContain('Add "kms:Decrypt"');
  });

  it("puts the missing statement first when GenerateDataKey is denied", () => {
    const description = describeKeyFailure(keyFailure("KEY_ACCESS_DENIED", "GenerateDataKey"), CONTEXT);
    expect(description.causes[0]).toContain("AllowZepBYOKAccess");
    expect(description.causes.join(" ")).toContain(CONTEXT.principalArn);
    expect(description.causes.join(" ")).toContain(CONTEXT.encryptionContext.account_uuid);
  });

  it("never repeats the raw SDK message", () => {
    const failure = classifyKmsError(sdkError("AccessDeniedException", "secret internal endpoint 10.1.2.3"), "GenerateDataKey");
    const description = describeKeyFailure(failure, CONTEXT);
    expect(JSON.stringify(description)).not.toContain("10.1.2.3");
  });

  it("states the timeout in milliseconds", () => {
    expect(describeKeyFailure(keyFailure("KMS_TIMEOUT", "Decrypt"), CONTEXT).message).toContain("3000 ms, on any of 3 attempts");
  });
});
