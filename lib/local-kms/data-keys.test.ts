import {
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  ReEncryptCommand,
  type KMSClient,
} from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ACCOUNT, OTHER_REGION, REGION, errorOf, startTestKms, type TestKms } from "./test-helpers";

const CONTEXT = { service: "memory", account_uuid: "0b7f3c9e-8a51-4d2e-9f67-1c2d3e4f5a6b" };

let kms: TestKms;
let admin: KMSClient;
let keyArn: string;
let otherKeyArn: string;

beforeAll(async () => {
  kms = await startTestKms();
  admin = kms.client("admin");
  keyArn = (await admin.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? "";
  otherKeyArn = (await admin.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? "";
});

afterAll(async () => {
  await kms.server.close();
});

async function generate(context: Record<string, string> = CONTEXT) {
  return admin.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: "AES_256", EncryptionContext: context }));
}

describe("GenerateDataKey and Decrypt", () => {
  it("round trip returns the same data key", async () => {
    const generated = await generate();
    const decrypted = await admin.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: CONTEXT }));

    expect(generated.Plaintext).toHaveLength(32);
    expect(generated.KeyId).toBe(keyArn);
    expect(Buffer.from(decrypted.Plaintext ?? []).equals(Buffer.from(generated.Plaintext ?? []))).toBe(true);
    expect(decrypted.KeyId).toBe(keyArn);
    expect(decrypted.EncryptionAlgorithm).toBe("SYMMETRIC_DEFAULT");
  });

  it("data key lengths follow KeySpec and NumberOfBytes", async () => {
    const aes128 = await admin.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: "AES_128" }));
    const sevenBytes = await admin.send(new GenerateDataKeyCommand({ KeyId: keyArn, NumberOfBytes: 7 }));

    expect(aes128.Plaintext).toHaveLength(16);
    expect(sevenBytes.Plaintext).toHaveLength(7);
  });

  it("without plaintext returns a blob that decrypts", async () => {
    const generated = await admin.send(
      new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyArn, KeySpec: "AES_256", EncryptionContext: CONTEXT }),
    );
    const decrypted = await admin.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: CONTEXT }));

    expect(generated).not.toHaveProperty("Plaintext");
    expect(decrypted.Plaintext).toHaveLength(32);
  });

  it("different context value is InvalidCiphertextException", async () => {
    const generated = await generate();
    const error = await errorOf(
      admin.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: { ...CONTEXT, service: "documents" } })),
    );
    expect(error.name).toBe("InvalidCiphertextException");
  });

  it("context key in other case is InvalidCiphertextException", async () => {
    const generated = await generate();
    const { service, ...rest } = CONTEXT;
    const error = await errorOf(
      admin.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: { ...rest, Service: service } })),
    );
    expect(error.name).toBe("InvalidCiphertextException");
  });

  it("extra context key is InvalidCiphertextException", async () => {
    const generated = await generate();
    const error = await errorOf(
      admin.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: { ...CONTEXT, extra: "1" } })),
    );
    expect(error.name).toBe("InvalidCiphertextException");
  });

  it("missing context is InvalidCiphertextException", async () => {
    const generated = await generate();
    const error = await errorOf(admin.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob })));
    expect(error.name).toBe("InvalidCiphertextException");
  });

  it("context order does not matter", async () => {
    const generated = await generate({ a: "1", b: "2" });
    const decrypted = await admin.send(
      new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: { b: "2", a: "1" } }),
    );
    expect(decrypted.Plaintext).toHaveLength(32);
  });

  it("KeyId of another key is IncorrectKeyException", async () => {
    const generated = await generate();
    const error = await errorOf(
      admin.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: CONTEXT, KeyId: otherKeyArn })),
    );
    expect(error.name).toBe("IncorrectKeyException");
  });

  it("KeyId of the right key decrypts", async () => {
    const generated = await generate();
    const decrypted = await admin.send(
      new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: CONTEXT, KeyId: keyArn }),
    );
    expect(decrypted.KeyId).toBe(keyArn);
  });

  it("tampered blob is InvalidCiphertextException", async () => {
    const generated = await generate();
    const blob = Buffer.from(generated.CiphertextBlob ?? []);

    for (const offset of [blob.length - 1, blob.length - 20, blob.length - 40]) {
      const tampered = Buffer.from(blob);
      tampered[offset] = (tampered[offset] ?? 0) ^ 0x01;
      const error = await errorOf(admin.send(new DecryptCommand({ CiphertextBlob: tampered, EncryptionContext: CONTEXT })));
      expect(error.name, `byte ${offset} flipped`).toBe("InvalidCiphertextException");
    }
  });

  it("garbage blob is InvalidCiphertextException", async () => {
    const error = await errorOf(admin.send(new DecryptCommand({ CiphertextBlob: Buffer.from("not a ciphertext blob at all") })));
    expect(error.name).toBe("InvalidCiphertextException");
  });

  it("truncated blob is InvalidCiphertextException", async () => {
    const generated = await generate();
    const truncated = Buffer.from(generated.CiphertextBlob ?? []).subarray(0, 30);
    const error = await errorOf(admin.send(new DecryptCommand({ CiphertextBlob: truncated, EncryptionContext: CONTEXT })));
    expect(error.name).toBe("InvalidCiphertextException");
  });
});

describe("key lookup", () => {
  it("unknown key id is NotFoundException", async () => {
    const keyId = "0f0e0d0c-0b0a-4909-8807-060504030201";
    const error = await errorOf(admin.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256" })));

    expect(error.name).toBe("NotFoundException");
    expect(error.message).toBe(`Key 'arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}' does not exist`);
  });

  it("key ARN of another region is NotFoundException", async () => {
    const otherRegion = kms.client("admin", OTHER_REGION);
    const error = await errorOf(otherRegion.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: "AES_256" })));

    expect(error.name).toBe("NotFoundException");
    expect(error.message).toBe(`Key '${keyArn}' does not exist`);
  });

  it("blob decrypted in another region is NotFoundException", async () => {
    const generated = await generate();
    const otherRegion = kms.client("admin", OTHER_REGION);
    const error = await errorOf(otherRegion.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: CONTEXT })));
    expect(error.name).toBe("NotFoundException");
  });

  it("malformed key id is NotFoundException", async () => {
    const error = await errorOf(admin.send(new GenerateDataKeyCommand({ KeyId: "not-a-key", KeySpec: "AES_256" })));
    expect(error.name).toBe("NotFoundException");
  });
});

describe("input validation", () => {
  it("KeySpec and NumberOfBytes together is ValidationException", async () => {
    const error = await errorOf(admin.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: "AES_256", NumberOfBytes: 32 })));
    expect(error.name).toBe("ValidationException");
  });

  it("neither KeySpec nor NumberOfBytes is ValidationException", async () => {
    const error = await errorOf(admin.send(new GenerateDataKeyCommand({ KeyId: keyArn })));
    expect(error.name).toBe("ValidationException");
  });

  it("unknown KeySpec is ValidationException", async () => {
    const error = await errorOf(admin.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: "AES_512" as "AES_256" })));
    expect(error.name).toBe("ValidationException");
    expect(error.message).toContain("KeySpec");
  });

  it("NumberOfBytes over 1024 is ValidationException", async () => {
    const error = await errorOf(admin.send(new GenerateDataKeyCommand({ KeyId: keyArn, NumberOfBytes: 1025 })));
    expect(error.name).toBe("ValidationException");
  });

  it("missing CiphertextBlob is ValidationException", async () => {
    const error = await errorOf(admin.send(new DecryptCommand({ EncryptionContext: CONTEXT } as never)));
    expect(error.name).toBe("ValidationException");
    expect(error.message).toContain("CiphertextBlob");
  });

  it("missing KeyId is ValidationException", async () => {
    const error = await errorOf(admin.send(new GenerateDataKeyCommand({ KeySpec: "AES_256" } as never)));
    expect(error.name).toBe("ValidationException");
  });
});

describe("key usage", () => {
  it("GenerateDataKey on RSA_2048 SIGN_VERIFY is InvalidKeyUsageException", async () => {
    const rsa = await admin.send(new CreateKeyCommand({ KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" }));
    const error = await errorOf(admin.send(new GenerateDataKeyCommand({ KeyId: rsa.KeyMetadata?.Arn, KeySpec: "AES_256" })));

    expect(rsa.KeyMetadata?.SigningAlgorithms).toContain("RSASSA_PSS_SHA_256");
    expect(error.name).toBe("InvalidKeyUsageException");
  });

  it("GenerateDataKey on HMAC_256 is InvalidKeyUsageException", async () => {
    const hmac = await admin.send(new CreateKeyCommand({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" }));
    const error = await errorOf(admin.send(new GenerateDataKeyCommand({ KeyId: hmac.KeyMetadata?.Arn, KeySpec: "AES_256" })));

    expect(hmac.KeyMetadata?.MacAlgorithms).toEqual(["HMAC_SHA_256"]);
    expect(error.name).toBe("InvalidKeyUsageException");
  });

  it("Encrypt on HMAC_256 is InvalidKeyUsageException", async () => {
    const hmac = await admin.send(new CreateKeyCommand({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" }));
    const error = await errorOf(admin.send(new EncryptCommand({ KeyId: hmac.KeyMetadata?.Arn, Plaintext: Buffer.from("x") })));
    expect(error.name).toBe("InvalidKeyUsageException");
  });

  it("HMAC_256 with default key usage is ValidationException", async () => {
    const error = await errorOf(admin.send(new CreateKeyCommand({ KeySpec: "HMAC_256" })));
    expect(error.name).toBe("ValidationException");
  });

  it("RSA encryption algorithm on a symmetric key is InvalidKeyUsageException", async () => {
    const error = await errorOf(
      admin.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from("x"), EncryptionAlgorithm: "RSAES_OAEP_SHA_256" })),
    );
    expect(error.name).toBe("InvalidKeyUsageException");
  });
});

describe("Encrypt and ReEncrypt", () => {
  it("Encrypt then Decrypt returns the plaintext", async () => {
    const encrypted = await admin.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from("secret"), EncryptionContext: CONTEXT }));
    const decrypted = await admin.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: CONTEXT }));
    expect(Buffer.from(decrypted.Plaintext ?? []).toString()).toBe("secret");
  });

  it("ReEncrypt moves a blob to another key and context", async () => {
    const generated = await generate();
    const newContext = { service: "documents", account_uuid: CONTEXT.account_uuid };
    const reEncrypted = await admin.send(
      new ReEncryptCommand({
        CiphertextBlob: generated.CiphertextBlob,
        SourceEncryptionContext: CONTEXT,
        DestinationKeyId: otherKeyArn,
        DestinationEncryptionContext: newContext,
      }),
    );
    const decrypted = await admin.send(new DecryptCommand({ CiphertextBlob: reEncrypted.CiphertextBlob, EncryptionContext: newContext }));
    const oldContextError = await errorOf(
      admin.send(new DecryptCommand({ CiphertextBlob: reEncrypted.CiphertextBlob, EncryptionContext: CONTEXT })),
    );

    expect(reEncrypted.SourceKeyId).toBe(keyArn);
    expect(reEncrypted.KeyId).toBe(otherKeyArn);
    expect(decrypted.KeyId).toBe(otherKeyArn);
    expect(Buffer.from(decrypted.Plaintext ?? []).equals(Buffer.from(generated.Plaintext ?? []))).toBe(true);
    expect(oldContextError.name).toBe("InvalidCiphertextException");
  });

  it("ReEncrypt with wrong source context is InvalidCiphertextException", async () => {
    const generated = await generate();
    const error = await errorOf(
      admin.send(
        new ReEncryptCommand({
          CiphertextBlob: generated.CiphertextBlob,
          SourceEncryptionContext: { service: "other" },
          DestinationKeyId: otherKeyArn,
        }),
      ),
    );
    expect(error.name).toBe("InvalidCiphertextException");
  });

  it("ReEncrypt with wrong SourceKeyId is IncorrectKeyException", async () => {
    const generated = await generate();
    const error = await errorOf(
      admin.send(
        new ReEncryptCommand({
          CiphertextBlob: generated.CiphertextBlob,
          SourceEncryptionContext: CONTEXT,
          SourceKeyId: otherKeyArn,
          DestinationKeyId: otherKeyArn,
        }),
      ),
    );
    expect(error.name).toBe("IncorrectKeyException");
  });
});
