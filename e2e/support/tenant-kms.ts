import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, KMSClient, PutKeyPolicyCommand, ReplicateKeyCommand } from "@aws-sdk/client-kms";

import { BYOK_STATEMENT_SID, fullKeyPolicy } from "@/lib/byok/key-policy";

import { DEMO_TENANT_ACCESS_KEY, DEMO_TENANT_AWS_ACCOUNT, LOCAL_SECRET_KEY } from "../../scripts/lib/demo-keys";
import { E2E } from "./settings";

/**
 * The tenant's side of the local KMS that the e2e server started. It creates keys and
 * disables or enables them as the tenant's key administrator
 * (`arn:aws:iam::111122223333:user/acme-admin`). Every client is pointed at the local
 * KMS on 127.0.0.1 with fake credentials, so no call can reach AWS.
 */
export class TenantKms {
  private readonly clients = new Map<string, KMSClient>();

  /**
   * Creates a symmetric key in the service region whose policy lets the platform role use
   * it for `accountUuid`. With `reEncrypt`, the policy also allows the kms:ReEncrypt* that re-wraps need.
   */
  async createKey(accountUuid: string, options: { allowDecrypt?: boolean; reEncrypt?: boolean } = {}): Promise<string> {
    const created = await this.client(E2E.region).send(
      new CreateKeyCommand({ Description: "E2E tenant key", Policy: keyPolicy(accountUuid, options.allowDecrypt ?? true, options.reEncrypt ?? false) }),
    );
    return requireArn(created.KeyMetadata?.Arn, "CreateKey");
  }

  /**
   * Creates a multi-region key in `primaryRegion` and its replica in the service region,
   * both with the working policy, and returns both ARNs.
   */
  async createMultiRegionKey(accountUuid: string, primaryRegion: string): Promise<{ primaryArn: string; replicaArn: string }> {
    const policy = keyPolicy(accountUuid, true);
    const primary = this.client(primaryRegion);
    const created = await primary.send(new CreateKeyCommand({ Description: "E2E multi-region tenant key", Policy: policy, MultiRegion: true }));
    const primaryArn = requireArn(created.KeyMetadata?.Arn, "CreateKey");
    const replicated = await primary.send(new ReplicateKeyCommand({ KeyId: primaryArn, ReplicaRegion: E2E.region, Policy: policy }));
    return { primaryArn, replicaArn: requireArn(replicated.ReplicaKeyMetadata?.Arn, "ReplicateKey") };
  }

  /** Replaces the key policy with one that grants the platform nothing, or restores the working one. */
  async setPlatformAccess(keyArn: string, accountUuid: string, allowed: boolean): Promise<void> {
    const policy = allowed
      ? keyPolicy(accountUuid, true)
      : JSON.stringify({ Version: "2012-10-17", Statement: [(JSON.parse(keyPolicy(accountUuid, true)) as { Statement: { Sid: string }[] }).Statement.find((statement) => statement.Sid !== BYOK_STATEMENT_SID)] });
    await this.client(regionOf(keyArn)).send(new PutKeyPolicyCommand({ KeyId: keyArn, PolicyName: "default", Policy: policy }));
  }

  async disableKey(keyArn: string): Promise<void> {
    await this.client(regionOf(keyArn)).send(new DisableKeyCommand({ KeyId: keyArn }));
  }

  async enableKey(keyArn: string): Promise<void> {
    await this.client(regionOf(keyArn)).send(new EnableKeyCommand({ KeyId: keyArn }));
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }

  /** Returns the client for `region`. The local KMS reads a request's region from its signature, so each region needs its own client. */
  private client(region: string): KMSClient {
    let client = this.clients.get(region);
    if (client === undefined) {
      client = new KMSClient({
        region,
        endpoint: E2E.localKmsUrl,
        credentials: { accessKeyId: DEMO_TENANT_ACCESS_KEY, secretAccessKey: LOCAL_SECRET_KEY },
        maxAttempts: 1,
      });
      this.clients.set(region, client);
    }
    return client;
  }
}

/**
 * Builds the full key policy that the Encryption page offers for copying. Without
 * `allowDecrypt`, the platform statement grants kms:GenerateDataKey only, the mistake
 * that makes the save fail at the Decrypt step.
 */
function keyPolicy(accountUuid: string, allowDecrypt: boolean, reEncrypt = false): string {
  const policy = fullKeyPolicy({
    principalArn: E2E.platformPrincipalArn,
    service: E2E.serviceName,
    accountUuid,
    serviceRegion: E2E.region,
    includeAccountCondition: true,
    includeReEncrypt: reEncrypt,
    tenantAwsAccountId: DEMO_TENANT_AWS_ACCOUNT,
  });
  if (allowDecrypt) return policy;

  const document = JSON.parse(policy) as { Statement: { Sid: string; Action: string | string[] }[] };
  const statement = document.Statement.find((candidate) => candidate.Sid === BYOK_STATEMENT_SID);
  if (statement === undefined) throw new Error(`fullKeyPolicy returned no ${BYOK_STATEMENT_SID} statement.`);
  statement.Action = ["kms:GenerateDataKey"];
  return JSON.stringify(document);
}

function regionOf(keyArn: string): string {
  const region = keyArn.split(":")[3];
  if (!region) throw new Error(`Invalid key ARN ${keyArn}: no region.`);
  return region;
}

function requireArn(arn: string | undefined, operation: string): string {
  if (!arn) throw new Error(`The local KMS returned no key ARN from ${operation}.`);
  return arn;
}
