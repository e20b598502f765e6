import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  GenerateDataKeyCommand,
  GetKeyRotationStatusCommand,
  ListAliasesCommand,
  ListKeysCommand,
  ReEncryptCommand,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
  type KMSClient,
} from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseBlob } from "./blob";
import { ACCOUNT, OTHER_REGION, REGION, errorOf, startTestKms, type TestKms } from "./test-helpers";

const CONTEXT = { service: "memory", account_uuid: "tenant-1" };

let kms: TestKms;
let admin: KMSClient;

beforeAll(async () => {
  kms = await startTestKms();
  admin = kms.client("admin");
});

afterAll(async () => {
  await kms.server.close();
});

async function createKey(client: KMSClient = admin): Promise<string> {
  return (await client.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? "";
}

async function generate(client: KMSClient, keyId: string) {
  return client.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256", EncryptionContext: CONTEXT }));
}

function materialVersionOf(blob: Uint8Array | undefined): number | undefined {
  return parseBlob(Buffer.from(blob ?? []))?.materialVersion;
}

describe("CreateKey, DescribeKey and ListKeys", () => {
  it("single-region key id is a lowercase UUID", async () => {
    const created = await admin.send(new CreateKeyCommand({ Description: "tenant key" }));
    const metadata = created.KeyMetadata;

    expect(metadata?.KeyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(metadata?.Arn).toBe(`arn:aws:kms:${REGION}:${ACCOUNT}:key/${metadata?.KeyId}`);
    expect(metadata?.AWSAccountId).toBe(ACCOUNT);
    expect(metadata?.KeyState).toBe("Enabled");
    expect(metadata?.KeySpec).toBe("SYMMETRIC_DEFAULT");
    expect(metadata?.KeyUsage).toBe("ENCRYPT_DECRYPT");
    expect(metadata?.Description).toBe("tenant key");
    expect(metadata?.MultiRegion).toBe(false);
  });

  it("DescribeKey accepts id, ARN, alias name and alias ARN", async () => {
    const keyArn = await createKey();
    const keyId = keyArn.slice(keyArn.lastIndexOf("/") + 1);
    await admin.send(new CreateAliasCommand({ AliasName: "alias/describe-me", TargetKeyId: keyId }));

    for (const reference of [keyId, keyArn, "alias/describe-me", `arn:aws:kms:${REGION}:${ACCOUNT}:alias/describe-me`]) {
      const described = await admin.send(new DescribeKeyCommand({ KeyId: reference }));
      expect(described.KeyMetadata?.Arn, reference).toBe(keyArn);
    }
  });

  it("ListKeys lists keys of the caller's region only", async () => {
    const keyArn = await createKey();
    const otherRegionArn = await createKey(kms.client("admin", OTHER_REGION));
    const listed = await admin.send(new ListKeysCommand({}));
    const arns = listed.Keys?.map((key) => key.KeyArn);

    expect(arns).toContain(keyArn);
    expect(arns).not.toContain(otherRegionArn);
    expect(listed.Truncated).toBe(false);
  });

  it("ListKeys pages with Limit and Marker", async () => {
    await createKey();
    await createKey();
    const first = await admin.send(new ListKeysCommand({ Limit: 1 }));
    const second = await admin.send(new ListKeysCommand({ Limit: 1, Marker: first.NextMarker }));

    expect(first.Keys).toHaveLength(1);
    expect(first.Truncated).toBe(true);
    expect(second.Keys?.[0]?.KeyId).not.toBe(first.Keys?.[0]?.KeyId);
  });
});

describe("key state", () => {
  it("disabled key is DisabledException", async () => {
    const keyArn = await createKey();
    await admin.send(new DisableKeyCommand({ KeyId: keyArn }));
    const error = await errorOf(generate(admin, keyArn));
    const described = await admin.send(new DescribeKeyCommand({ KeyId: keyArn }));

    expect(error.name).toBe("DisabledException");
    expect(error.message).toBe(`${keyArn} is disabled.`);
    expect(described.KeyMetadata?.KeyState).toBe("Disabled");
    expect(described.KeyMetadata?.Enabled).toBe(false);
  });

  it("disabled key also refuses Decrypt", async () => {
    const keyArn = await createKey();
    const generated = await generate(admin, keyArn);
    await admin.send(new DisableKeyCommand({ KeyId: keyArn }));

    const error = await errorOf(admin.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: CONTEXT })));
    expect(error.name).toBe("DisabledException");
  });

  it("re-enabled key works again", async () => {
    const keyArn = await createKey();
    await admin.send(new DisableKeyCommand({ KeyId: keyArn }));
    await admin.send(new EnableKeyCommand({ KeyId: keyArn }));

    const generated = await generate(admin, keyArn);
    expect(generated.KeyId).toBe(keyArn);
  });

  it("pending deletion is KMSInvalidStateException", async () => {
    const keyArn = await createKey();
    const scheduled = await admin.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }));
    const error = await errorOf(generate(admin, keyArn));

    expect(scheduled.KeyState).toBe("PendingDeletion");
    expect(scheduled.PendingWindowInDays).toBe(7);
    expect(scheduled.DeletionDate).toBeInstanceOf(Date);
    expect(error.name).toBe("KMSInvalidStateException");
    expect(error.message).toBe(`${keyArn} is pending deletion.`);
  });

  it("EnableKey on pending deletion is KMSInvalidStateException", async () => {
    const keyArn = await createKey();
    await admin.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn }));

    const error = await errorOf(admin.send(new EnableKeyCommand({ KeyId: keyArn })));
    expect(error.name).toBe("KMSInvalidStateException");
  });

  it("cancel deletion leaves the key Disabled", async () => {
    const keyArn = await createKey();
    await admin.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn }));
    const canceled = await admin.send(new CancelKeyDeletionCommand({ KeyId: keyArn }));
    const described = await admin.send(new DescribeKeyCommand({ KeyId: keyArn }));
    const error = await errorOf(generate(admin, keyArn));

    expect(canceled.KeyId).toBe(keyArn);
    expect(described.KeyMetadata?.KeyState).toBe("Disabled");
    expect(described.KeyMetadata?.DeletionDate).toBeUndefined();
    expect(error.name).toBe("DisabledException");
  });

  it("cancel on a key not pending deletion is KMSInvalidStateException", async () => {
    const keyArn = await createKey();
    const error = await errorOf(admin.send(new CancelKeyDeletionCommand({ KeyId: keyArn })));
    expect(error.name).toBe("KMSInvalidStateException");
  });

  it("pending window under 7 days is ValidationException", async () => {
    const keyArn = await createKey();
    const error = await errorOf(admin.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 6 })));
    expect(error.name).toBe("ValidationException");
  });

  it("policy check comes before state check", async () => {
    const keyArn = await createKey();
    await admin.send(new DisableKeyCommand({ KeyId: keyArn }));
    const error = await errorOf(generate(kms.client("platform"), keyArn));
    expect(error.name).toBe("AccessDeniedException");
  });
});

describe("rotation", () => {
  it("on-demand rotation keeps old blobs decryptable", async () => {
    const keyArn = await createKey();
    const before = await generate(admin, keyArn);
    await admin.send(new RotateKeyOnDemandCommand({ KeyId: keyArn }));
    const after = await generate(admin, keyArn);

    const oldDecrypted = await admin.send(new DecryptCommand({ CiphertextBlob: before.CiphertextBlob, EncryptionContext: CONTEXT }));
    const newDecrypted = await admin.send(new DecryptCommand({ CiphertextBlob: after.CiphertextBlob, EncryptionContext: CONTEXT }));

    expect(materialVersionOf(before.CiphertextBlob)).toBe(0);
    expect(materialVersionOf(after.CiphertextBlob)).toBe(1);
    expect(Buffer.from(oldDecrypted.Plaintext ?? []).equals(Buffer.from(before.Plaintext ?? []))).toBe(true);
    expect(Buffer.from(newDecrypted.Plaintext ?? []).equals(Buffer.from(after.Plaintext ?? []))).toBe(true);
  });

  it("ReEncrypt to the same key moves a blob to the newest material", async () => {
    const keyArn = await createKey();
    const before = await generate(admin, keyArn);
    await admin.send(new RotateKeyOnDemandCommand({ KeyId: keyArn }));
    await admin.send(new RotateKeyOnDemandCommand({ KeyId: keyArn }));

    const reEncrypted = await admin.send(
      new ReEncryptCommand({
        CiphertextBlob: before.CiphertextBlob,
        SourceEncryptionContext: CONTEXT,
        DestinationKeyId: keyArn,
        DestinationEncryptionContext: CONTEXT,
      }),
    );
    expect(materialVersionOf(reEncrypted.CiphertextBlob)).toBe(2);
  });

  it("rotation status follows Enable and Disable", async () => {
    const keyArn = await createKey();
    const initial = await admin.send(new GetKeyRotationStatusCommand({ KeyId: keyArn }));
    await admin.send(new EnableKeyRotationCommand({ KeyId: keyArn, RotationPeriodInDays: 90 }));
    const enabled = await admin.send(new GetKeyRotationStatusCommand({ KeyId: keyArn }));
    await admin.send(new DisableKeyRotationCommand({ KeyId: keyArn }));
    const disabled = await admin.send(new GetKeyRotationStatusCommand({ KeyId: keyArn }));

    expect(initial.KeyRotationEnabled).toBe(false);
    expect(enabled.KeyRotationEnabled).toBe(true);
    expect(enabled.RotationPeriodInDays).toBe(90);
    expect(disabled.KeyRotationEnabled).toBe(false);
  });

  it("rotating a disabled key is DisabledException", async () => {
    const keyArn = await createKey();
    await admin.send(new DisableKeyCommand({ KeyId: keyArn }));
    const error = await errorOf(admin.send(new RotateKeyOnDemandCommand({ KeyId: keyArn })));
    expect(error.name).toBe("DisabledException");
  });

  it("rotating an HMAC key is UnsupportedOperationException", async () => {
    const created = await admin.send(new CreateKeyCommand({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" }));
    const error = await errorOf(admin.send(new RotateKeyOnDemandCommand({ KeyId: created.KeyMetadata?.Arn })));
    expect(error.name).toBe("UnsupportedOperationException");
  });
});

describe("multi-region keys", () => {
  it("multi-region key id is mrk- and 32 hex digits", async () => {
    const created = await admin.send(new CreateKeyCommand({ MultiRegion: true }));
    expect(created.KeyMetadata?.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    expect(created.KeyMetadata?.MultiRegionConfiguration?.MultiRegionKeyType).toBe("PRIMARY");
  });

  it("replica decrypts blobs from the primary", async () => {
    const primary = (await admin.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata;
    const replicated = await admin.send(new ReplicateKeyCommand({ KeyId: primary?.Arn, ReplicaRegion: OTHER_REGION }));
    const replicaArn = replicated.ReplicaKeyMetadata?.Arn ?? "";
    const replicaClient = kms.client("admin", OTHER_REGION);

    const generated = await generate(admin, primary?.Arn ?? "");
    const decrypted = await replicaClient.send(
      new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: CONTEXT, KeyId: replicaArn }),
    );
    const backInPrimary = await generate(replicaClient, replicaArn);
    const decryptedInPrimary = await admin.send(
      new DecryptCommand({ CiphertextBlob: backInPrimary.CiphertextBlob, EncryptionContext: CONTEXT }),
    );

    expect(replicaArn).toBe(`arn:aws:kms:${OTHER_REGION}:${ACCOUNT}:key/${primary?.KeyId}`);
    expect(replicated.ReplicaKeyMetadata?.MultiRegionConfiguration?.MultiRegionKeyType).toBe("REPLICA");
    expect(replicated.ReplicaKeyMetadata?.MultiRegionConfiguration?.PrimaryKey?.Arn).toBe(primary?.Arn);
    expect(decrypted.KeyId).toBe(replicaArn);
    expect(Buffer.from(decrypted.Plaintext ?? []).equals(Buffer.from(generated.Plaintext ?? []))).toBe(true);
    expect(decryptedInPrimary.KeyId).toBe(primary?.Arn);
  });

  it("primary lists its replicas", async () => {
    const primary = (await admin.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata;
    await admin.send(new ReplicateKeyCommand({ KeyId: primary?.KeyId, ReplicaRegion: OTHER_REGION }));
    const described = await admin.send(new DescribeKeyCommand({ KeyId: primary?.Arn }));

    expect(described.KeyMetadata?.MultiRegionConfiguration?.ReplicaKeys).toEqual([
      { Arn: `arn:aws:kms:${OTHER_REGION}:${ACCOUNT}:key/${primary?.KeyId}`, Region: OTHER_REGION },
    ]);
  });

  it("replica state is independent of the primary", async () => {
    const primary = (await admin.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata;
    const replicated = await admin.send(new ReplicateKeyCommand({ KeyId: primary?.Arn, ReplicaRegion: OTHER_REGION }));
    await admin.send(new DisableKeyCommand({ KeyId: primary?.Arn }));

    const generated = await generate(kms.client("admin", OTHER_REGION), replicated.ReplicaKeyMetadata?.Arn ?? "");
    expect(generated.KeyId).toBe(replicated.ReplicaKeyMetadata?.Arn);
  });

  it("rotation of the primary reaches the replica", async () => {
    const primary = (await admin.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata;
    const replicated = await admin.send(new ReplicateKeyCommand({ KeyId: primary?.Arn, ReplicaRegion: OTHER_REGION }));
    await admin.send(new RotateKeyOnDemandCommand({ KeyId: primary?.Arn }));
    const replicaClient = kms.client("admin", OTHER_REGION);

    const generated = await generate(replicaClient, replicated.ReplicaKeyMetadata?.Arn ?? "");
    const decrypted = await admin.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: CONTEXT }));
    const rotateReplicaError = await errorOf(
      replicaClient.send(new RotateKeyOnDemandCommand({ KeyId: replicated.ReplicaKeyMetadata?.Arn })),
    );

    expect(materialVersionOf(generated.CiphertextBlob)).toBe(1);
    expect(decrypted.KeyId).toBe(primary?.Arn);
    expect(rotateReplicaError.name).toBe("UnsupportedOperationException");
  });

  it("replicating a single-region key is UnsupportedOperationException", async () => {
    const keyArn = await createKey();
    const error = await errorOf(admin.send(new ReplicateKeyCommand({ KeyId: keyArn, ReplicaRegion: OTHER_REGION })));
    expect(error.name).toBe("UnsupportedOperationException");
  });

  it("replicating twice into one region is AlreadyExistsException", async () => {
    const primary = (await admin.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata;
    await admin.send(new ReplicateKeyCommand({ KeyId: primary?.Arn, ReplicaRegion: OTHER_REGION }));
    const error = await errorOf(admin.send(new ReplicateKeyCommand({ KeyId: primary?.Arn, ReplicaRegion: OTHER_REGION })));
    expect(error.name).toBe("AlreadyExistsException");
  });
});

describe("aliases", () => {
  it("alias resolves to its target for data keys", async () => {
    const keyArn = await createKey();
    await admin.send(new CreateAliasCommand({ AliasName: "alias/tenant-data", TargetKeyId: keyArn }));

    const byName = await generate(admin, "alias/tenant-data");
    const byArn = await generate(admin, `arn:aws:kms:${REGION}:${ACCOUNT}:alias/tenant-data`);
    expect(byName.KeyId).toBe(keyArn);
    expect(byArn.KeyId).toBe(keyArn);
  });

  it("UpdateAlias points the alias at another key", async () => {
    const firstArn = await createKey();
    const secondArn = await createKey();
    await admin.send(new CreateAliasCommand({ AliasName: "alias/moving", TargetKeyId: firstArn }));
    await admin.send(new UpdateAliasCommand({ AliasName: "alias/moving", TargetKeyId: secondArn }));

    const generated = await generate(admin, "alias/moving");
    expect(generated.KeyId).toBe(secondArn);
  });

  it("UpdateAlias to a key of another spec is ValidationException", async () => {
    const keyArn = await createKey();
    const hmac = await admin.send(new CreateKeyCommand({ KeySpec: "HMAC_256", KeyUsage: "GENERATE_VERIFY_MAC" }));
    await admin.send(new CreateAliasCommand({ AliasName: "alias/typed", TargetKeyId: keyArn }));

    const error = await errorOf(admin.send(new UpdateAliasCommand({ AliasName: "alias/typed", TargetKeyId: hmac.KeyMetadata?.Arn })));
    expect(error.name).toBe("ValidationException");
  });

  it("ListAliases filters by key", async () => {
    const keyArn = await createKey();
    const keyId = keyArn.slice(keyArn.lastIndexOf("/") + 1);
    await admin.send(new CreateAliasCommand({ AliasName: "alias/listed-a", TargetKeyId: keyId }));
    await admin.send(new CreateAliasCommand({ AliasName: "alias/listed-b", TargetKeyId: keyId }));

    const listed = await admin.send(new ListAliasesCommand({ KeyId: keyArn }));
    expect(listed.Aliases?.map((alias) => alias.AliasName)).toEqual(["alias/listed-a", "alias/listed-b"]);
    expect(listed.Aliases?.[0]?.TargetKeyId).toBe(keyId);
    expect(listed.Aliases?.[0]?.AliasArn).toBe(`arn:aws:kms:${REGION}:${ACCOUNT}:alias/listed-a`);
  });

  it("deleted alias is NotFoundException", async () => {
    const keyArn = await createKey();
    await admin.send(new CreateAliasCommand({ AliasName: "alias/short-lived", TargetKeyId: keyArn }));
    await admin.send(new DeleteAliasCommand({ AliasName: "alias/short-lived" }));

    const error = await errorOf(generate(admin, "alias/short-lived"));
    expect(error.name).toBe("NotFoundException");
  });

  it("duplicate alias is AlreadyExistsException", async () => {
    const keyArn = await createKey();
    await admin.send(new CreateAliasCommand({ AliasName: "alias/taken", TargetKeyId: keyArn }));
    const error = await errorOf(admin.send(new CreateAliasCommand({ AliasName: "alias/taken", TargetKeyId: keyArn })));
    expect(error.name).toBe("AlreadyExistsException");
  });

  it("alias in one region does not exist in another", async () => {
    const keyArn = await createKey();
    await admin.send(new CreateAliasCommand({ AliasName: "alias/regional", TargetKeyId: keyArn }));
    const error = await errorOf(generate(kms.client("admin", OTHER_REGION), "alias/regional"));
    expect(error.name).toBe("NotFoundException");
  });

  it("reserved alias prefix is ValidationException", async () => {
    const keyArn = await createKey();
    const error = await errorOf(admin.send(new CreateAliasCommand({ AliasName: "alias/aws/s3", TargetKeyId: keyArn })));
    expect(error.name).toBe("ValidationException");
  });
});
