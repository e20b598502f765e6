import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  GenerateDataKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  EnableKeyRotationCommand,
  KMSClient,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
} from "@aws-sdk/client-kms";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { startLocalKms } from "./index";
import { ADMIN_STATEMENT, CALLERS, OTHER_REGION, errorOf, policyOf, startTestKms } from "./test-helpers";

const CONTEXT = { service: "memory", account_uuid: "tenant-1" };

let directory: string;
let statePath: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "local-kms-state-"));
  statePath = join(directory, "nested", "kms.json");
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe("state file", () => {
  it("keys, material, policies and states survive a restart", async () => {
    const first = await startTestKms({ statePath });
    const admin = first.client("admin");
    const policy = policyOf(ADMIN_STATEMENT, {
      Effect: "Allow",
      Principal: { AWS: CALLERS.platform.principalArn },
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: "*",
    });
    const keyArn = (await admin.send(new CreateKeyCommand({ Policy: policy }))).KeyMetadata?.Arn ?? "";
    const oldBlob = await admin.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: "AES_256", EncryptionContext: CONTEXT }));
    await admin.send(new RotateKeyOnDemandCommand({ KeyId: keyArn }));
    await admin.send(new EnableKeyRotationCommand({ KeyId: keyArn }));
    await admin.send(new CreateAliasCommand({ AliasName: "alias/persisted", TargetKeyId: keyArn }));
    const disabledArn = (await admin.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? "";
    await admin.send(new DisableKeyCommand({ KeyId: disabledArn }));
    const pendingArn = (await admin.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? "";
    await admin.send(new ScheduleKeyDeletionCommand({ KeyId: pendingArn }));
    const primary = (await admin.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata;
    const replicaArn = (await admin.send(new ReplicateKeyCommand({ KeyId: primary?.Arn, ReplicaRegion: OTHER_REGION })))
      .ReplicaKeyMetadata?.Arn;
    const mrkBlob = await admin.send(new GenerateDataKeyCommand({ KeyId: primary?.Arn, KeySpec: "AES_256", EncryptionContext: CONTEXT }));
    await first.server.close();

    const second = await startTestKms({ statePath });
    const restarted = second.client("admin");
    const platform = second.client("platform");
    const decryptedOld = await platform.send(new DecryptCommand({ CiphertextBlob: oldBlob.CiphertextBlob, EncryptionContext: CONTEXT }));
    const storedPolicy = await restarted.send(new GetKeyPolicyCommand({ KeyId: keyArn }));
    const rotation = await restarted.send(new GetKeyRotationStatusCommand({ KeyId: keyArn }));
    const byAlias = await restarted.send(new DescribeKeyCommand({ KeyId: "alias/persisted" }));
    const disabledError = await errorOf(restarted.send(new GenerateDataKeyCommand({ KeyId: disabledArn, KeySpec: "AES_256" })));
    const pendingError = await errorOf(restarted.send(new GenerateDataKeyCommand({ KeyId: pendingArn, KeySpec: "AES_256" })));
    const decryptedInReplica = await second
      .client("admin", OTHER_REGION)
      .send(new DecryptCommand({ CiphertextBlob: mrkBlob.CiphertextBlob, EncryptionContext: CONTEXT }));
    await second.server.close();

    expect(Buffer.from(decryptedOld.Plaintext ?? []).equals(Buffer.from(oldBlob.Plaintext ?? []))).toBe(true);
    expect(storedPolicy.Policy).toBe(policy);
    expect(rotation.KeyRotationEnabled).toBe(true);
    expect(byAlias.KeyMetadata?.Arn).toBe(keyArn);
    expect(disabledError.name).toBe("DisabledException");
    expect(pendingError.name).toBe("KMSInvalidStateException");
    expect(decryptedInReplica.KeyId).toBe(replicaArn);
  });

  it("added principals survive a restart", async () => {
    const first = await startLocalKms({ statePath, log: () => {} });
    first.addPrincipal("AKIDLATER0000000001", "arn:aws:iam::777788889999:user/later");
    await first.close();

    const second = await startLocalKms({ statePath, log: () => {} });
    const client = new KMSClient({
      region: "us-west-2",
      endpoint: second.url,
      credentials: { accessKeyId: "AKIDLATER0000000001", secretAccessKey: "x" },
      maxAttempts: 1,
    });
    const created = await client.send(new CreateKeyCommand({}));
    await second.close();

    expect(created.KeyMetadata?.AWSAccountId).toBe("777788889999");
  });

  it("file is private and no temporary files remain", async () => {
    const server = await startTestKms({ statePath });
    await server.client("admin").send(new CreateKeyCommand({}));
    await server.server.close();

    expect(statSync(statePath).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(directory, "nested"))).toEqual(["kms.json"]);
  });

  it("invalid state file fails start naming the path", async () => {
    const brokenPath = join(directory, "broken.json");
    writeFileSync(brokenPath, "{ not json");
    await expect(startLocalKms({ statePath: brokenPath, log: () => {} })).rejects.toThrow(brokenPath);
  });
});
