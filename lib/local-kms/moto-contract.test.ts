/**
 * Contract tests: the same KMS calls and assertions against moto 5 (`python3 -m moto.server`)
 * and against the local KMS server, limited to behaviour both share with AWS.
 *
 * Differences seen with moto 5.2.1, which are therefore not asserted here:
 * - moto makes multi-region key ids `mrk-` plus a dashed UUID; AWS (and this server) use `mrk-`
 *   plus 32 hex digits.
 * - moto's ReplicateKey response reports MultiRegionKeyType PRIMARY for the replica, but
 *   DescribeKey in the replica region reports REPLICA.
 * - moto cannot decrypt a primary key's blob in a replica region (AccessDeniedException).
 * - moto rejects a Decrypt whose KeyId names another key with AccessDeniedException, where AWS
 *   sends IncorrectKeyException.
 * - moto's InvalidCiphertextException has no message.
 * - moto ignores key policies and key states, so no policy or state case runs here.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  GenerateDataKeyCommand,
  KMSClient,
  ReplicateKeyCommand,
} from "@aws-sdk/client-kms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startLocalKms } from "./index";
import { errorOf } from "./test-helpers";

/** moto's default account, so that account ids can be compared across both servers. */
const ACCOUNT = "123456789012";
const ACCESS_KEY_ID = "AKIDCONTRACT0000001";
const PRIMARY_REGION = "us-east-1";
const REPLICA_REGION = "us-west-2";
const CONTEXT = { service: "memory", account_uuid: "tenant-1" };
const MOTO_START_TIMEOUT_MS = 30_000;

const motoCheck = spawnSync("python3", ["-c", "import moto"], { encoding: "utf8" });
const motoMissingReason =
  motoCheck.status === 0
    ? null
    : `python3 -c "import moto" failed: ${(motoCheck.stderr || String(motoCheck.error)).trim().split("\n").at(-1) ?? ""}`;
if (motoMissingReason) {
  console.warn(`Skipping moto contract tests: ${motoMissingReason}`);
}

interface Target {
  url: string;
  stop(): Promise<void>;
}

async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") {
    throw new Error("Could not read the port of a probe server.");
  }
  return address.port;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  await exited;
}

async function startMoto(): Promise<Target> {
  const port = await findFreePort();
  const child = spawn("python3", ["-m", "moto.server", "-p", String(port), "-H", "127.0.0.1"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + MOTO_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`moto exited with code ${child.exitCode} before answering: ${stderr}`);
    }
    try {
      const response = await fetch(`${url}/moto-api/`);
      if (response.ok) {
        return { url, stop: () => stopProcess(child) };
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  await stopProcess(child);
  throw new Error(`moto did not answer on ${url} within ${MOTO_START_TIMEOUT_MS} ms: ${stderr}`);
}

async function startLocal(): Promise<Target> {
  const server = await startLocalKms({ principals: { [ACCESS_KEY_ID]: `arn:aws:iam::${ACCOUNT}:user/contract` }, log: () => {} });
  return { url: server.url, stop: () => server.close() };
}

function defineContract(name: string, start: () => Promise<Target>): void {
  describe(name, () => {
    let target: Target;
    let primary: KMSClient;
    let replica: KMSClient;

    beforeAll(async () => {
      target = await start();
      const client = (region: string) =>
        new KMSClient({
          region,
          endpoint: target.url,
          credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: "x" },
          maxAttempts: 1,
        });
      primary = client(PRIMARY_REGION);
      replica = client(REPLICA_REGION);
    });

    afterAll(async () => {
      await target?.stop();
    });

    async function createKeyArn(): Promise<string> {
      return (await primary.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? "";
    }

    it("GenerateDataKey and Decrypt round trip", async () => {
      const keyArn = await createKeyArn();
      const generated = await primary.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: "AES_256", EncryptionContext: CONTEXT }));
      const decrypted = await primary.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: CONTEXT }));

      expect(keyArn).toMatch(new RegExp(`^arn:aws:kms:${PRIMARY_REGION}:${ACCOUNT}:key/`));
      expect(generated.KeyId).toBe(keyArn);
      expect(generated.Plaintext).toHaveLength(32);
      expect(decrypted.KeyId).toBe(keyArn);
      expect(Buffer.from(decrypted.Plaintext ?? []).equals(Buffer.from(generated.Plaintext ?? []))).toBe(true);
    });

    it("context mismatch is InvalidCiphertextException", async () => {
      const keyArn = await createKeyArn();
      const generated = await primary.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: "AES_256", EncryptionContext: CONTEXT }));
      const mismatches: Record<string, Record<string, string> | undefined> = {
        "different value": { ...CONTEXT, service: "documents" },
        "key in other case": { Service: CONTEXT.service, account_uuid: CONTEXT.account_uuid },
        "extra key": { ...CONTEXT, extra: "1" },
        "missing context": undefined,
      };

      for (const [label, context] of Object.entries(mismatches)) {
        const error = await errorOf(primary.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: context })));
        expect(error.name, label).toBe("InvalidCiphertextException");
      }
    });

    it("unknown key is NotFoundException", async () => {
      const keyId = "0f0e0d0c-0b0a-4909-8807-060504030201";
      const keyArn = `arn:aws:kms:${PRIMARY_REGION}:${ACCOUNT}:key/${keyId}`;

      for (const reference of [keyId, keyArn]) {
        const error = await errorOf(primary.send(new GenerateDataKeyCommand({ KeyId: reference, KeySpec: "AES_256" })));
        expect(error.name, reference).toBe("NotFoundException");
        expect(error.message, reference).toBe(`Key '${keyArn}' does not exist`);
      }
    });

    it("key ARN of another region is NotFoundException", async () => {
      const keyArn = await createKeyArn();
      const error = await errorOf(replica.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: "AES_256" })));
      expect(error.name).toBe("NotFoundException");
    });

    it("replica shares the key id in another region", async () => {
      const created = await primary.send(new CreateKeyCommand({ MultiRegion: true }));
      const keyId = created.KeyMetadata?.KeyId ?? "";
      const replicated = await replica.send(new DescribeKeyCommand({ KeyId: keyId })).catch((error: Error) => error);
      const replicateResponse = await primary.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: REPLICA_REGION }));
      const described = await replica.send(new DescribeKeyCommand({ KeyId: keyId }));

      expect(keyId.startsWith("mrk-")).toBe(true);
      expect(created.KeyMetadata?.MultiRegion).toBe(true);
      expect((replicated as Error).name).toBe("NotFoundException");
      expect(replicateResponse.ReplicaKeyMetadata?.KeyId).toBe(keyId);
      expect(replicateResponse.ReplicaKeyMetadata?.Arn).toBe(`arn:aws:kms:${REPLICA_REGION}:${ACCOUNT}:key/${keyId}`);
      expect(described.KeyMetadata?.Arn).toBe(`arn:aws:kms:${REPLICA_REGION}:${ACCOUNT}:key/${keyId}`);
      expect(described.KeyMetadata?.MultiRegionConfiguration?.MultiRegionKeyType).toBe("REPLICA");
      expect(described.KeyMetadata?.MultiRegionConfiguration?.PrimaryKey?.Arn).toBe(created.KeyMetadata?.Arn);
    });
  });
}

describe.skipIf(motoMissingReason !== null)("KMS contract", () => {
  defineContract("moto", startMoto);
  defineContract("local KMS server", startLocal);
});
