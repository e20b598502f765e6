import {
  CreateAliasCommand,
  CreateKeyCommand,
  KMSClient,
  ListAliasesCommand,
} from "@aws-sdk/client-kms";

import { BYOK_STATEMENT_SID, fullKeyPolicy, type KeyPolicyInput } from "@/lib/byok/key-policy";

/**
 * Creates the demo tenant's keys in the local KMS, once: one whose policy grants the
 * platform role GenerateDataKey and Decrypt under the tenant's encryption context, and
 * one that grants GenerateDataKey only, to show the guidance for a denied Decrypt.
 * Aliases find them again on later starts.
 */

export const DEMO_TENANT_AWS_ACCOUNT = "111122223333";
export const DEMO_TENANT_ACCESS_KEY = "AKIAACMEDEMOLOCAL001";
export const DEMO_TENANT_PRINCIPAL = `arn:aws:iam::${DEMO_TENANT_AWS_ACCOUNT}:user/acme-admin`;
export const PLATFORM_ACCESS_KEY = "AKIAPLATFORMLOCAL001";
export const LOCAL_SECRET_KEY = "local-kms-does-not-check-signatures";
const PLATFORM_KEY_ALIAS = "alias/zep-platform";

export interface DemoKeyInput {
  endpoint: string;
  region: string;
  serviceName: string;
  accountUuid: string;
  principalArn: string;
}

export interface DemoKeys {
  workingKeyArn: string;
  /** A second key with the working policy, to try a key change. */
  nextKeyArn: string;
  deniedDecryptKeyArn: string;
}

export async function ensureDemoKeys(input: DemoKeyInput): Promise<DemoKeys> {
  const kms = new KMSClient({
    region: input.region,
    endpoint: input.endpoint,
    credentials: { accessKeyId: DEMO_TENANT_ACCESS_KEY, secretAccessKey: LOCAL_SECRET_KEY },
    maxAttempts: 1,
  });
  try {
    // The working key uses exactly the policy that the Encryption page offers for copying,
    // so the demo proves that policy works.
    const policyInput: KeyPolicyInput = {
      principalArn: input.principalArn,
      service: input.serviceName,
      accountUuid: input.accountUuid,
      serviceRegion: input.region,
      includeAccountCondition: true,
      // The demo shows re-wraps and key changes, which need kms:ReEncrypt*.
      includeReEncrypt: true,
      tenantAwsAccountId: DEMO_TENANT_AWS_ACCOUNT,
    };
    const workingPolicy = fullKeyPolicy(policyInput);
    const noDecrypt = JSON.parse(workingPolicy) as { Statement: { Sid: string; Action: string | string[] }[] };
    for (const statement of noDecrypt.Statement) {
      if (statement.Sid === BYOK_STATEMENT_SID) statement.Action = ["kms:GenerateDataKey"];
    }
    const policies = { working: workingPolicy, noDecrypt: JSON.stringify(noDecrypt) };

    const aliases = await kms.send(new ListAliasesCommand({}));
    const existing = new Map((aliases.Aliases ?? []).map((alias) => [alias.AliasName, alias.TargetKeyId]));
    const ensure = async (aliasName: string, description: string, policy: string): Promise<string> => {
      const keyId = existing.get(aliasName);
      if (keyId) return `arn:aws:kms:${input.region}:${DEMO_TENANT_AWS_ACCOUNT}:key/${keyId}`;
      const created = await kms.send(new CreateKeyCommand({ Description: description, Policy: policy }));
      const arn = created.KeyMetadata?.Arn;
      if (!arn || !created.KeyMetadata?.KeyId) throw new Error(`The local KMS created no key for ${aliasName}.`);
      await kms.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: created.KeyMetadata.KeyId }));
      return arn;
    };

    return {
      workingKeyArn: await ensure("alias/acme-byok", "Acme Robotics BYOK key (demo)", policies.working),
      nextKeyArn: await ensure("alias/acme-byok-next", "Second Acme Robotics BYOK key (demo)", policies.working),
      deniedDecryptKeyArn: await ensure("alias/acme-byok-no-decrypt", "Demo key whose policy lacks kms:Decrypt", policies.noDecrypt),
    };
  } finally {
    kms.destroy();
  }
}

/** Creates the platform's own key in the local KMS once, owned by the platform's AWS account. */
export async function ensurePlatformKey(input: { endpoint: string; region: string }): Promise<string> {
  const kms = new KMSClient({
    region: input.region,
    endpoint: input.endpoint,
    credentials: { accessKeyId: PLATFORM_ACCESS_KEY, secretAccessKey: LOCAL_SECRET_KEY },
    maxAttempts: 1,
  });
  try {
    const aliases = await kms.send(new ListAliasesCommand({}));
    const existing = aliases.Aliases?.find((alias) => alias.AliasName === PLATFORM_KEY_ALIAS);
    if (existing?.AliasArn && existing.TargetKeyId) return existing.AliasArn.replace(/:alias\/.*$/, `:key/${existing.TargetKeyId}`);

    // Without a Policy, the key policy lets the platform's own account (and so its role) use the key.
    const created = await kms.send(new CreateKeyCommand({ Description: "Platform key for tenants without BYOK (local)" }));
    const arn = created.KeyMetadata?.Arn;
    if (!arn || !created.KeyMetadata?.KeyId) throw new Error("The local KMS created no platform key.");
    await kms.send(new CreateAliasCommand({ AliasName: PLATFORM_KEY_ALIAS, TargetKeyId: created.KeyMetadata.KeyId }));
    return arn;
  } finally {
    kms.destroy();
  }
}
