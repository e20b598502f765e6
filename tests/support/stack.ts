import { randomUUID } from "node:crypto";

import { CreateKeyCommand, KMSClient, type KeySpec, type KeyUsageType } from "@aws-sdk/client-kms";
import { inject } from "vitest";

import type { AccountAccess } from "@/lib/auth/authorize";
import { hashPassword } from "@/lib/auth/password";
import type { HealthDeps, KeyEventSink } from "@/lib/health/service";
import type { HealthSettings } from "@/lib/health/transitions";
import { createPrismaClient } from "@/lib/db/create-client";
import type { MembershipRole, PrismaClient } from "@/lib/db/generated/client";
import { createKmsClient } from "@/lib/kms/client";
import { startLocalKms, type LocalKms } from "@/lib/local-kms";
import { DataKeyCache } from "@/lib/data-keys/cache";
import { DataKeyService, type DataKeyServiceDeps, type DataKeySettings } from "@/lib/data-keys/service";
import { withTenantEncryption, type TenantDataClient } from "@/lib/tenant-data/extension";

/**
 * Real components for integration tests: the test run's PostgreSQL database, a local
 * KMS on a loopback port, the platform's KMS client as production builds it, and
 * factories for tenants and keys.
 */

export const REGION = "us-west-2";
export const SERVICE = "zep";
export const PLATFORM_PRINCIPAL = "arn:aws:iam::467218391112:role/zep-byok";
export const TENANT_AWS_ACCOUNT = "111122223333";
const PLATFORM_ACCESS_KEY = "AKIATESTPLATFORM0001";
export const TEST_HEALTH_SETTINGS: HealthSettings = { intervalMs: 60_000, retryBaseMs: 5_000, suspendAfterMs: 3_600_000, degradedNotifyAfterMs: 600_000 };
const TENANT_ACCESS_KEY = "AKIATESTTENANT000001";
const TENANT_PRINCIPAL = `arn:aws:iam::${TENANT_AWS_ACCOUNT}:user/key-admin`;

export interface TestStack {
  prisma: PrismaClient;
  kms: LocalKms;
  /** The platform's own key, created by the platform role in its own AWS account. */
  platformKeyArn: string;
  /** A data key service and encrypted client on a fresh cache, with the platform's KMS client. */
  tenantData: (options?: Partial<DataKeySettings> & { cache?: DataKeyCache; kms?: KMSClient; onKeyRefused?: DataKeyServiceDeps["onKeyRefused"] }) => { client: TenantDataClient; dataKeys: DataKeyService; cache: DataKeyCache; kms: KMSClient };
  /** The tenant's own view of KMS: creates and administers keys. */
  tenantKms: (region?: string) => KMSClient;
  deps: (overrides?: { timeoutMs?: number; maxAttempts?: number; endpoint?: string; accessKeyId?: string; events?: KeyEventSink }) => HealthDeps;
  close: () => Promise<void>;
}

/**
 * Starts a local KMS and a Prisma client on the test run's shared database, or on
 * `databaseUrl` for a test that must not see other files' rows (a job worker would pick
 * up every file's queued jobs).
 */
export async function startTestStack(options: { databaseUrl?: string } = {}): Promise<TestStack> {
  const prisma = createPrismaClient(options.databaseUrl ?? inject("databaseUrl"), 4);
  const kms = await startLocalKms({
    principals: { [PLATFORM_ACCESS_KEY]: PLATFORM_PRINCIPAL, [TENANT_ACCESS_KEY]: TENANT_PRINCIPAL },
    log: () => undefined,
  });
  const clients: KMSClient[] = [];
  const track = (client: KMSClient) => {
    clients.push(client);
    return client;
  };
  const platformKms = () =>
    track(createKmsClient({ region: REGION, endpoint: kms.url, timeoutMs: 2_000, maxAttempts: 3, credentials: { accessKeyId: PLATFORM_ACCESS_KEY, secretAccessKey: "test" } }));
  const platformKeyArn = await createKey(platformKms(), { policy: undefined, ownPolicy: true });

  return {
    prisma,
    kms,
    platformKeyArn,
    tenantData: (options = {}) => {
      const cache = options.cache ?? new DataKeyCache({ ttlMs: 60_000, maxEntries: 1_000 });
      const client = options.kms ?? platformKms();
      const dataKeys = new DataKeyService({
        prisma,
        kms: client,
        cache,
        onKeyRefused: options.onKeyRefused,
        settings: {
          serviceName: SERVICE,
          platformKeyArn,
          maxEncryptionsPerKey: options.maxEncryptionsPerKey ?? 1_000_000,
          maxKeyAgeMs: options.maxKeyAgeMs ?? 3_600_000,
          reserveBatch: options.reserveBatch ?? 100,
          writeLeaseMs: options.writeLeaseMs ?? 0,
          instance: "vitest",
        },
      });
      return { client: withTenantEncryption(prisma, dataKeys), dataKeys, cache, kms: client };
    },
    tenantKms: (region = REGION) =>
      track(new KMSClient({ region, endpoint: kms.url, credentials: { accessKeyId: TENANT_ACCESS_KEY, secretAccessKey: "test" }, maxAttempts: 1 })),
    deps: (overrides = {}) => {
      const timeoutMs = overrides.timeoutMs ?? 2_000;
      return {
        health: TEST_HEALTH_SETTINGS,
        events: overrides.events ?? null,
        prisma,
        kms: track(
          createKmsClient({
            region: REGION,
            endpoint: overrides.endpoint ?? kms.url,
            timeoutMs,
            maxAttempts: overrides.maxAttempts ?? 3,
            credentials: { accessKeyId: overrides.accessKeyId ?? PLATFORM_ACCESS_KEY, secretAccessKey: "test" },
          }),
        ),
        settings: {
          serviceName: SERVICE,
          serviceRegion: REGION,
          principalArn: PLATFORM_PRINCIPAL,
          platformKeyArn,
          kmsTimeoutMs: timeoutMs,
          kmsMaxAttempts: overrides.maxAttempts ?? 3,
          healthCheckIntervalMs: 60_000,
          instance: "vitest",
        },
      };
    },
    close: async () => {
      for (const client of clients) client.destroy();
      await kms.close();
      await prisma.$disconnect();
    },
  };
}

export interface TestTenant {
  accountId: string;
  access: (role?: MembershipRole) => Promise<AccountAccess>;
  userIds: Record<MembershipRole, string>;
}

/** Creates an account with an owner, an admin and a member, each with a unique email. */
export async function createTenant(prisma: PrismaClient, options: { byokAddOn?: boolean } = {}): Promise<TestTenant> {
  const tag = randomUUID().slice(0, 8);
  const account = await prisma.account.create({ data: { name: `Tenant ${tag}`, byokAddOn: options.byokAddOn ?? true } });
  const passwordHash = await hashPassword("test-password");
  const userIds = {} as Record<MembershipRole, string>;
  for (const role of ["OWNER", "ADMIN", "MEMBER"] as const) {
    const user = await prisma.user.create({ data: { email: `${role.toLowerCase()}-${tag}@tenant.example`, name: `${role} ${tag}`, passwordHash } });
    await prisma.membership.create({ data: { accountId: account.id, userId: user.id, role } });
    userIds[role] = user.id;
  }
  const access = async (role: MembershipRole = "ADMIN"): Promise<AccountAccess> => {
    const user = await prisma.user.findUniqueOrThrow({ where: { id: userIds[role] } });
    return {
      user: { id: user.id, email: user.email, name: user.name, globalRole: user.globalRole },
      account: { id: account.id, name: account.name, byokAddOn: account.byokAddOn },
      role,
    };
  };
  return { accountId: account.id, access, userIds };
}

export interface KeyPolicyOptions {
  actions?: string[];
  principal?: string;
  condition?: Record<string, Record<string, string | string[]>>;
  extraStatements?: Record<string, unknown>[];
}

/** Builds a key policy in which the tenant administers the key and the platform role gets `actions`. */
export function keyPolicy(options: KeyPolicyOptions = {}): string {
  const platform: Record<string, unknown> = {
    Sid: "AllowZepBYOKAccess",
    Effect: "Allow",
    Principal: { AWS: options.principal ?? PLATFORM_PRINCIPAL },
    Action: options.actions ?? ["kms:GenerateDataKey", "kms:Decrypt"],
    Resource: "*",
  };
  if (options.condition) platform.Condition = options.condition;
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "KeyAdministration", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${TENANT_AWS_ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
      platform,
      ...(options.extraStatements ?? []),
    ],
  });
}

/** Creates a key in the caller's AWS account and returns its ARN; `ownPolicy` keeps KMS's default policy. */
export async function createKey(
  client: KMSClient,
  options: { policy?: string; ownPolicy?: boolean; multiRegion?: boolean; keySpec?: KeySpec; keyUsage?: KeyUsageType } = {},
): Promise<string> {
  const created = await client.send(
    new CreateKeyCommand({
      Policy: options.ownPolicy ? undefined : (options.policy ?? keyPolicy()),
      MultiRegion: options.multiRegion,
      KeySpec: options.keySpec,
      KeyUsage: options.keyUsage,
    }),
  );
  const arn = created.KeyMetadata?.Arn;
  if (!arn) throw new Error("CreateKey returned no ARN");
  return arn;
}
