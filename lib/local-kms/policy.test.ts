import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  GenerateDataKeyCommand,
  GetKeyPolicyCommand,
  PutKeyPolicyCommand,
  ReEncryptCommand,
  type KMSClient,
} from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ACCOUNT, ADMIN_STATEMENT, CALLERS, OTHER_ACCOUNT, errorOf, policyOf, startTestKms, type TestKms } from "./test-helpers";

const CONTEXT = { service: "memory", account_uuid: "tenant-1" };

let kms: TestKms;
let admin: KMSClient;
let app: KMSClient;
let platform: KMSClient;

beforeAll(async () => {
  kms = await startTestKms();
  admin = kms.client("admin");
  app = kms.client("app");
  platform = kms.client("platform");
});

afterAll(async () => {
  await kms.server.close();
});

async function createKeyWithPolicy(...statements: Record<string, unknown>[]): Promise<string> {
  const created = await admin.send(new CreateKeyCommand({ Policy: policyOf(ADMIN_STATEMENT, ...statements) }));
  return created.KeyMetadata?.Arn ?? "";
}

async function generate(client: KMSClient, keyArn: string, context: Record<string, string> = CONTEXT) {
  return client.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: "AES_256", EncryptionContext: context }));
}

describe("key policy evaluation", () => {
  it("default policy lets every principal of the owner account in", async () => {
    const keyArn = (await admin.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? "";
    const generated = await generate(app, keyArn);
    const decrypted = await app.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: CONTEXT }));
    expect(decrypted.KeyId).toBe(keyArn);
  });

  it("default policy keeps other accounts out", async () => {
    const keyArn = (await admin.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? "";
    const error = await errorOf(generate(platform, keyArn));
    expect(error.name).toBe("AccessDeniedException");
  });

  it("allowing GenerateDataKey but not Decrypt denies kms:Decrypt", async () => {
    const keyArn = await createKeyWithPolicy({
      Effect: "Allow",
      Principal: { AWS: CALLERS.platform.principalArn },
      Action: "kms:GenerateDataKey",
      Resource: "*",
    });
    const generated = await generate(platform, keyArn);
    const error = await errorOf(
      platform.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: CONTEXT })),
    );

    expect(error.name).toBe("AccessDeniedException");
    expect(error.message).toBe(
      `User: ${CALLERS.platform.principalArn} is not authorized to perform: kms:Decrypt on resource: ${keyArn} because no resource-based policy allows the kms:Decrypt action`,
    );
  });

  it("explicit Deny wins over Allow", async () => {
    const keyArn = await createKeyWithPolicy(
      { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
      { Effect: "Deny", Principal: { AWS: CALLERS.app.principalArn }, Action: "kms:Decrypt", Resource: "*" },
    );
    const generated = await generate(app, keyArn);
    const error = await errorOf(app.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: CONTEXT })));

    expect(error.name).toBe("AccessDeniedException");
    expect(error.message).toBe(
      `User: ${CALLERS.app.principalArn} is not authorized to perform: kms:Decrypt on resource: ${keyArn} with an explicit deny in a resource-based policy`,
    );
  });

  it("account root covers principals of that account", async () => {
    const keyArn = await createKeyWithPolicy({
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` },
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: "*",
    });
    const generated = await generate(platform, keyArn);
    const decrypted = await platform.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: CONTEXT }));
    expect(decrypted.KeyId).toBe(keyArn);
  });

  it("bare account id covers principals of that account", async () => {
    const keyArn = await createKeyWithPolicy({
      Effect: "Allow",
      Principal: { AWS: [OTHER_ACCOUNT] },
      Action: "kms:GenerateDataKey",
      Resource: "*",
    });
    const generated = await generate(platform, keyArn);
    expect(generated.KeyId).toBe(keyArn);
  });

  it("principal of another account is not covered by a root", async () => {
    const keyArn = await createKeyWithPolicy({
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` },
      Action: "kms:GenerateDataKey",
      Resource: "*",
    });
    const error = await errorOf(generate(app, keyArn));
    expect(error.name).toBe("AccessDeniedException");
  });

  it("Principal star allows everyone", async () => {
    const keyArn = await createKeyWithPolicy({ Effect: "Allow", Principal: "*", Action: "kms:GenerateDataKey", Resource: "*" });
    const generated = await generate(platform, keyArn);
    expect(generated.KeyId).toBe(keyArn);
  });

  it("wildcard actions match case-insensitively", async () => {
    const keyArn = await createKeyWithPolicy({
      Effect: "Allow",
      Principal: { AWS: CALLERS.platform.principalArn },
      Action: ["KMS:generatedatakey*", "kms:ReEncrypt*", "kms:Decr?pt"],
      Resource: "*",
    });
    const generated = await generate(platform, keyArn);
    const decrypted = await platform.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: CONTEXT }));
    const reEncrypted = await platform.send(
      new ReEncryptCommand({
        CiphertextBlob: generated.CiphertextBlob,
        SourceEncryptionContext: CONTEXT,
        DestinationKeyId: keyArn,
        DestinationEncryptionContext: CONTEXT,
      }),
    );
    const describeError = await errorOf(platform.send(new DescribeKeyCommand({ KeyId: keyArn })));

    expect(decrypted.KeyId).toBe(keyArn);
    expect(reEncrypted.KeyId).toBe(keyArn);
    expect(describeError.name).toBe("AccessDeniedException");
  });

  it("Resource naming another key does not apply", async () => {
    const keyArn = await createKeyWithPolicy({
      Effect: "Allow",
      Principal: { AWS: CALLERS.platform.principalArn },
      Action: "kms:GenerateDataKey",
      Resource: `arn:aws:kms:us-west-2:${ACCOUNT}:key/00000000-0000-4000-8000-000000000000`,
    });
    const error = await errorOf(generate(platform, keyArn));
    expect(error.name).toBe("AccessDeniedException");
  });

  it("assumed-role session matches its role ARN", async () => {
    kms.server.addPrincipal("AKIDSESSION00000001", `arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/zep-byok/session-1`);
    const session = kms.client("admin", undefined, { credentials: { accessKeyId: "AKIDSESSION00000001", secretAccessKey: "x" } });
    const keyArn = await createKeyWithPolicy({
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:role/service/zep-byok` },
      Action: "kms:GenerateDataKey",
      Resource: "*",
    });

    const generated = await generate(session, keyArn);
    expect(generated.KeyId).toBe(keyArn);
  });
});

describe("encryption context conditions", () => {
  async function createConditionalKey(condition: Record<string, unknown>): Promise<string> {
    return createKeyWithPolicy({
      Sid: "AllowZepBYOKAccess",
      Effect: "Allow",
      Principal: { AWS: CALLERS.platform.principalArn },
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: "*",
      Condition: condition,
    });
  }

  it("StringEquals allows a matching context", async () => {
    const keyArn = await createConditionalKey({
      StringEquals: { "kms:EncryptionContext:service": "memory", "kms:EncryptionContext:account_uuid": ["tenant-1", "tenant-2"] },
    });
    const generated = await generate(platform, keyArn);
    const decrypted = await platform.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: CONTEXT }));
    expect(decrypted.KeyId).toBe(keyArn);
  });

  it("StringEquals denies a different value", async () => {
    const keyArn = await createConditionalKey({ StringEquals: { "kms:EncryptionContext:account_uuid": "tenant-1" } });
    const error = await errorOf(generate(platform, keyArn, { ...CONTEXT, account_uuid: "tenant-9" }));
    expect(error.name).toBe("AccessDeniedException");
  });

  it("StringEquals is case-sensitive on values", async () => {
    const keyArn = await createConditionalKey({ StringEquals: { "kms:EncryptionContext:service": "memory" } });
    const error = await errorOf(generate(platform, keyArn, { ...CONTEXT, service: "Memory" }));
    expect(error.name).toBe("AccessDeniedException");
  });

  it("StringEquals denies a missing context key", async () => {
    const keyArn = await createConditionalKey({ StringEquals: { "kms:EncryptionContext:account_uuid": "tenant-1" } });
    const error = await errorOf(generate(platform, keyArn, { service: "memory" }));
    expect(error.name).toBe("AccessDeniedException");
  });

  it("StringEquals denies a request without context", async () => {
    const keyArn = await createConditionalKey({ StringEquals: { "kms:EncryptionContext:service": "memory" } });
    const error = await errorOf(platform.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: "AES_256" })));
    expect(error.name).toBe("AccessDeniedException");
  });

  it("StringEqualsIgnoreCase ignores value case", async () => {
    const keyArn = await createConditionalKey({ StringEqualsIgnoreCase: { "kms:EncryptionContext:service": "MEMORY" } });
    const generated = await generate(platform, keyArn);
    expect(generated.KeyId).toBe(keyArn);
  });

  it("StringLike matches wildcards", async () => {
    const keyArn = await createConditionalKey({ StringLike: { "kms:EncryptionContext:account_uuid": "tenant-*" } });
    const allowed = await generate(platform, keyArn);
    const error = await errorOf(generate(platform, keyArn, { ...CONTEXT, account_uuid: "other-1" }));

    expect(allowed.KeyId).toBe(keyArn);
    expect(error.name).toBe("AccessDeniedException");
  });

  it("unsupported condition never allows and is logged", async () => {
    const keyArn = await createConditionalKey({ "ForAnyValue:StringEquals": { "kms:EncryptionContextKeys": "service" } });
    const error = await errorOf(generate(platform, keyArn));

    expect(error.name).toBe("AccessDeniedException");
    expect(kms.logs).toContainEqual(
      expect.objectContaining({ event: "policy_condition_unsupported", keyArn, operator: "ForAnyValue:StringEquals", effect: "Allow" }),
    );
  });

  it("unsupported condition in a Deny still denies", async () => {
    const keyArn = await createKeyWithPolicy(
      { Effect: "Allow", Principal: { AWS: CALLERS.platform.principalArn }, Action: "kms:GenerateDataKey", Resource: "*" },
      {
        Effect: "Deny",
        Principal: "*",
        Action: "kms:GenerateDataKey",
        Resource: "*",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    );
    const error = await errorOf(generate(platform, keyArn));

    expect(error.name).toBe("AccessDeniedException");
    expect(error.message).toContain("explicit deny");
  });
});

describe("PutKeyPolicy and GetKeyPolicy", () => {
  it("stores and returns the policy", async () => {
    const keyArn = (await admin.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? "";
    const policy = policyOf(ADMIN_STATEMENT, {
      Effect: "Allow",
      Principal: { AWS: CALLERS.platform.principalArn },
      Action: "kms:GenerateDataKey",
      Resource: "*",
    });
    await admin.send(new PutKeyPolicyCommand({ KeyId: keyArn, PolicyName: "default", Policy: policy }));
    const stored = await admin.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: "default" }));
    const generated = await generate(platform, keyArn);

    expect(stored.Policy).toBe(policy);
    expect(stored.PolicyName).toBe("default");
    expect(generated.KeyId).toBe(keyArn);
  });

  it("removing a statement revokes access", async () => {
    const keyArn = await createKeyWithPolicy({
      Effect: "Allow",
      Principal: { AWS: CALLERS.platform.principalArn },
      Action: "kms:GenerateDataKey",
      Resource: "*",
    });
    await generate(platform, keyArn);
    await admin.send(new PutKeyPolicyCommand({ KeyId: keyArn, Policy: policyOf(ADMIN_STATEMENT) }));

    const error = await errorOf(generate(platform, keyArn));
    expect(error.name).toBe("AccessDeniedException");
  });

  it("NotAction is MalformedPolicyDocumentException", async () => {
    const keyArn = (await admin.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? "";
    const policy = policyOf(ADMIN_STATEMENT, { Effect: "Deny", Principal: "*", NotAction: "kms:Decrypt", Resource: "*" });
    const error = await errorOf(admin.send(new PutKeyPolicyCommand({ KeyId: keyArn, Policy: policy })));

    expect(error.name).toBe("MalformedPolicyDocumentException");
    expect(error.message).toContain("NotAction");
  });

  it("NotPrincipal is MalformedPolicyDocumentException", async () => {
    const policy = policyOf(ADMIN_STATEMENT, { Effect: "Deny", NotPrincipal: { AWS: "*" }, Action: "kms:*", Resource: "*" });
    const error = await errorOf(admin.send(new CreateKeyCommand({ Policy: policy })));
    expect(error.name).toBe("MalformedPolicyDocumentException");
  });

  it("invalid JSON is MalformedPolicyDocumentException", async () => {
    const error = await errorOf(admin.send(new CreateKeyCommand({ Policy: "{not json" })));
    expect(error.name).toBe("MalformedPolicyDocumentException");
  });

  it("policy that locks the caller out is rejected", async () => {
    const policy = policyOf({ Effect: "Allow", Principal: { AWS: CALLERS.platform.principalArn }, Action: "kms:*", Resource: "*" });
    const error = await errorOf(admin.send(new CreateKeyCommand({ Policy: policy })));

    expect(error.name).toBe("MalformedPolicyDocumentException");
    expect(error.message).toContain("BypassPolicyLockoutSafetyCheck");
  });

  it("lockout check can be bypassed", async () => {
    const policy = policyOf({ Effect: "Allow", Principal: { AWS: CALLERS.platform.principalArn }, Action: "kms:*", Resource: "*" });
    const created = await admin.send(new CreateKeyCommand({ Policy: policy, BypassPolicyLockoutSafetyCheck: true }));
    const error = await errorOf(admin.send(new DescribeKeyCommand({ KeyId: created.KeyMetadata?.Arn })));
    expect(error.name).toBe("AccessDeniedException");
  });

  it("policy name other than default is NotFoundException", async () => {
    const keyArn = (await admin.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? "";
    const error = await errorOf(admin.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: "other" })));
    expect(error.name).toBe("NotFoundException");
  });

  it("caller without PutKeyPolicy permission is denied", async () => {
    const keyArn = await createKeyWithPolicy({
      Effect: "Allow",
      Principal: { AWS: CALLERS.platform.principalArn },
      Action: "kms:GenerateDataKey",
      Resource: "*",
    });
    const error = await errorOf(platform.send(new PutKeyPolicyCommand({ KeyId: keyArn, Policy: policyOf(ADMIN_STATEMENT) })));
    expect(error.name).toBe("AccessDeniedException");
    expect(error.message).toContain("kms:PutKeyPolicy");
  });
});
