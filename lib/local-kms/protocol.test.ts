import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { CALLERS, REGION, errorOf, startTestKms, type TestKms } from "./test-helpers";

let kms: TestKms;

beforeAll(async () => {
  kms = await startTestKms();
});

afterAll(async () => {
  await kms.server.close();
});

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function authorization(accessKeyId: string, region = REGION): string {
  return `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20250101/${region}/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=00`;
}

async function post(operation: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(kms.server.url, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `TrentService.${operation}`,
      Authorization: authorization(CALLERS.admin.accessKeyId),
      ...headers,
    },
    body,
  });
  return { response, json: (await response.json()) as Record<string, unknown> };
}

describe("JSON 1.1 protocol", () => {
  it("every response has a fresh request id", async () => {
    const success = await post("ListKeys", "{}");
    const failure = await post("DescribeKey", "{}");
    const ids = [success.response.headers.get("x-amzn-requestid"), failure.response.headers.get("x-amzn-requestid")];

    expect(ids[0]).toMatch(UUID_PATTERN);
    expect(ids[1]).toMatch(UUID_PATTERN);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it("errors are HTTP 400 with __type and message", async () => {
    const { response, json } = await post("DescribeKey", "{}");

    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(json).toEqual({ __type: "ValidationException", message: "KeyId is required." });
  });

  it("missing Authorization is MissingAuthenticationTokenException", async () => {
    const response = await fetch(kms.server.url, {
      method: "POST",
      headers: { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.ListKeys" },
      body: "{}",
    });

    expect(response.status).toBe(400);
    expect(((await response.json()) as { __type: string }).__type).toBe("MissingAuthenticationTokenException");
  });

  it("unknown access key is UnrecognizedClientException", async () => {
    const client = new KMSClient({
      region: REGION,
      endpoint: kms.server.url,
      credentials: { accessKeyId: "AKIDUNKNOWN00000001", secretAccessKey: "x" },
      maxAttempts: 1,
    });
    const error = await errorOf(client.send(new CreateKeyCommand({})));

    expect(error.name).toBe("UnrecognizedClientException");
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it("unknown operation is UnknownOperationException", async () => {
    const { response, json } = await post("Sign", "{}");
    const prototypeName = await post("constructor", "{}");

    expect(response.status).toBe(400);
    expect(json.__type).toBe("UnknownOperationException");
    expect(prototypeName.json.__type).toBe("UnknownOperationException");
  });

  it("malformed JSON is SerializationException", async () => {
    const { json } = await post("ListKeys", "{not json");
    expect(json.__type).toBe("SerializationException");
  });

  it("non-string context value is ValidationException", async () => {
    const created = await post("CreateKey", "{}");
    const keyId = (created.json.KeyMetadata as { KeyId: string }).KeyId;
    const { json } = await post("GenerateDataKey", JSON.stringify({ KeyId: keyId, KeySpec: "AES_256", EncryptionContext: { n: 1 } }));

    expect(json.__type).toBe("ValidationException");
    expect(json.message).toContain("'n'");
  });

  it("invalid base64 blob is SerializationException", async () => {
    const { json } = await post("Decrypt", JSON.stringify({ CiphertextBlob: "***" }));
    expect(json.__type).toBe("SerializationException");
  });

  it("region comes from the credential scope", async () => {
    const { json } = await post("CreateKey", "{}", { Authorization: authorization(CALLERS.admin.accessKeyId, "ap-southeast-2") });
    expect((json.KeyMetadata as { Arn: string }).Arn).toMatch(/^arn:aws:kms:ap-southeast-2:/);
  });

  it("credential scope of another service is IncompleteSignatureException", async () => {
    const { json } = await post("ListKeys", "{}", {
      Authorization: `AWS4-HMAC-SHA256 Credential=${CALLERS.admin.accessKeyId}/20250101/${REGION}/s3/aws4_request, Signature=00`,
    });
    expect(json.__type).toBe("IncompleteSignatureException");
  });

  it("health endpoint answers", async () => {
    const response = await fetch(`${kms.server.url}/_local/health`);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("principals can be added over HTTP", async () => {
    const response = await fetch(`${kms.server.url}/_local/principals`, {
      method: "POST",
      body: JSON.stringify({ accessKeyId: "AKIDVIAHTTP00000001", principalArn: "arn:aws:iam::999988887777:role/e2e" }),
    });
    const { json } = await post("CreateKey", "{}", { Authorization: authorization("AKIDVIAHTTP00000001") });

    expect(response.status).toBe(200);
    expect((json.KeyMetadata as { AWSAccountId: string }).AWSAccountId).toBe("999988887777");
  });

  it("invalid principal ARN over HTTP is HTTP 400", async () => {
    const response = await fetch(`${kms.server.url}/_local/principals`, {
      method: "POST",
      body: JSON.stringify({ accessKeyId: "AKIDBAD000000000001", principalArn: "role/e2e" }),
    });
    expect(response.status).toBe(400);
  });
});
