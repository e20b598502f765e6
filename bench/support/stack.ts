/**
 * Real components for the database benchmarks:
 * - a scratch PostgreSQL database, created and migrated for one run
 * - the local KMS server on a loopback port
 * - the platform's KMS client as production builds it
 * - the data key service with the production defaults of lib/config/env.ts and
 *   lib/tenant-data/runtime.ts
 * Everything listens on or connects to 127.0.0.1 only.
 */
import { randomUUID } from "node:crypto";

import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import type { InitializeMiddleware } from "@smithy/types";

import { DataKeyCache } from "@/lib/data-keys/cache";
import { DataKeyService, type DataKeySettings } from "@/lib/data-keys/service";
import { createPrismaClient } from "@/lib/db/create-client";
import type { PrismaClient } from "@/lib/db/generated/client";
import { migrateDatabase } from "@/lib/db/migrate";
import { createScratchDatabase } from "@/lib/db/scratch-database";
import { startLocalKms, type LocalKms } from "@/lib/local-kms";
import { withTenantEncryption, type TenantDataClient } from "@/lib/tenant-data/extension";

export const REGION = "us-west-2";
export const SERVICE = "zep";
const PLATFORM_PRINCIPAL = "arn:aws:iam::467218391112:role/zep-byok";
const TENANT_AWS_ACCOUNT = "111122223333";
// Access key ids that the local KMS maps to principals. It does not verify signatures, so the secrets are placeholders.
const PLATFORM_ACCESS_KEY = "AKIABENCHPLATFORM001";
const TENANT_ACCESS_KEY = "AKIABENCHTENANT00001";

const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Production defaults: DEK_CACHE_TTL_SECONDS, DEK_CACHE_MAX_ENTRIES, DEK_MAX_ENCRYPTIONS, DEK_MAX_AGE_HOURS, and runtime.ts. */
export const PRODUCTION_CACHE = { ttlMs: 300_000, maxEntries: 10_000 };
export const PRODUCTION_SETTINGS: Omit<DataKeySettings, "platformKeyArn"> = {
  serviceName: SERVICE,
  maxEncryptionsPerKey: 100_000_000,
  maxKeyAgeMs: 168 * 3_600_000,
  reserveBatch: 1_000,
  writeLeaseMs: 5_000,
  instance: "bench",
};

export interface TenantDataStack {
  client: TenantDataClient;
  dataKeys: DataKeyService;
  cache: DataKeyCache;
  kms: KMSClient;
}

export interface TenantKeyOptions {
  /** Also grant the platform role kms:ReEncryptFrom and kms:ReEncryptTo, which re-wrap jobs onto or within a tenant key need. */
  reEncrypt?: boolean;
}

export interface BenchStack {
  databaseUrl: string;
  prisma: PrismaClient;
  localKms: LocalKms;
  platformKeyArn: string;
  /** The tenant's key administrator, allowed every KMS action on tenant keys (RotateKeyOnDemand, DisableKey, ...). */
  tenantKms: KMSClient;
  /** A new KMS client of the platform role, built by the production `createKmsClient`. */
  platformKms: () => KMSClient;
  /** A data key service and encrypted client with production settings, unless `settings` overrides some, on a fresh cache and KMS client. */
  tenantData: (settings?: Partial<DataKeySettings>) => TenantDataStack;
  /** Creates an account. With `byok`, it also creates a tenant KMS key that grants the platform role access and makes it the account's active key. */
  createAccount: (options: { byok: boolean } & TenantKeyOptions) => Promise<string>;
  /** Creates a tenant KMS key whose policy grants the platform role access, and returns its ARN. */
  createTenantKey: (options?: TenantKeyOptions) => Promise<string>;
  close: () => Promise<void>;
}

function checkLoopback(url: string, name: string): void {
  const host = new URL(url).hostname;
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new Error(`${name} must point at 127.0.0.1 or localhost, got host ${host}. The benchmarks connect to loopback only.`);
  }
}

function createBenchDatabase() {
  checkLoopback(ADMIN_URL, "BENCH_DATABASE_ADMIN_URL");
  return createScratchDatabase(ADMIN_URL, "bench");
}

/** Starts the stack with a Prisma pool of `poolSize` connections. Call `close` in a finally block. */
export async function startBenchStack(options: { poolSize?: number } = {}): Promise<BenchStack> {
  const database = await createBenchDatabase();
  const cleanups: (() => Promise<void>)[] = [database.drop];
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      for (const cleanup of cleanups.reverse()) await cleanup();
    })();
    return closing;
  };
  // Ctrl-C or a kill would otherwise leave the scratch database behind.
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`Received ${signal}: dropping scratch database ${new URL(database.url).pathname.slice(1)} before exiting.`);
    close().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    await migrateDatabase(database.url);
    const prisma = createPrismaClient(database.url, options.poolSize ?? 10);
    cleanups.push(() => prisma.$disconnect());

    const localKms = await startLocalKms({
      principals: {
        [PLATFORM_ACCESS_KEY]: PLATFORM_PRINCIPAL,
        [TENANT_ACCESS_KEY]: `arn:aws:iam::${TENANT_AWS_ACCOUNT}:user/key-admin`,
      },
      log: () => undefined,
    });
    cleanups.push(() => localKms.close());
    checkLoopback(localKms.url, "The local KMS endpoint");

    const createKmsClient = await loadCreateKmsClient();
    const clients: KMSClient[] = [];
    cleanups.push(async () => {
      for (const client of clients) client.destroy();
    });
    const platformKms = () => {
      const client = createKmsClient({
        region: REGION,
        endpoint: localKms.url,
        timeoutMs: 3_000,
        maxAttempts: 3,
        credentials: { accessKeyId: PLATFORM_ACCESS_KEY, secretAccessKey: "bench-placeholder" },
      });
      clients.push(client);
      return client;
    };
    const tenantKms = new KMSClient({
      region: REGION,
      endpoint: localKms.url,
      credentials: { accessKeyId: TENANT_ACCESS_KEY, secretAccessKey: "bench-placeholder" },
      maxAttempts: 1,
    });
    clients.push(tenantKms);

    const platformKeyArn = await createKeyArn(platformKms(), undefined);

    const tenantData = (settings: Partial<DataKeySettings> = {}): TenantDataStack => {
      const cache = new DataKeyCache(PRODUCTION_CACHE);
      const kms = platformKms();
      const dataKeys = new DataKeyService({ prisma, kms, cache, settings: { ...PRODUCTION_SETTINGS, platformKeyArn, ...settings } });
      return { client: withTenantEncryption(prisma, dataKeys), dataKeys, cache, kms };
    };

    const createTenantKey = (options: TenantKeyOptions = {}) => createKeyArn(tenantKms, tenantKeyPolicy(options));

    const createAccount = async ({ byok, ...keyOptions }: { byok: boolean } & TenantKeyOptions): Promise<string> => {
      const account = await prisma.account.create({ data: { name: `Bench ${randomUUID().slice(0, 8)}`, byokAddOn: byok } });
      if (byok) {
        const keyArn = await createTenantKey(keyOptions);
        // The row lib/byok/configure.ts writes after a successful validation round trip, which this skips.
        const now = new Date();
        await prisma.encryptionConfig.create({
          data: {
            accountId: account.id,
            keyArn,
            keyRegion: REGION,
            keyAwsAccountId: TENANT_AWS_ACCOUNT,
            keyId: keyArn.split("/").pop()!,
            multiRegion: false,
            state: "ACTIVE",
            stateChangedAt: now,
            lastValidatedAt: now,
            enabledAt: now,
          },
        });
      }
      return account.id;
    };

    return { databaseUrl: database.url, prisma, localKms, platformKeyArn, tenantKms, platformKms, tenantData, createAccount, createTenantKey, close };
  } catch (error) {
    await close();
    throw error;
  }
}

// lib/kms/client.ts imports "server-only", which throws unless the "react-server" export
// condition is set, as it is in Next.js server code.
async function loadCreateKmsClient() {
  try {
    return (await import("@/lib/kms/client")).createKmsClient;
  } catch (error) {
    throw new Error("Loading lib/kms/client.ts failed: run the benchmark with node --conditions=react-server (npm run bench does).", { cause: error });
  }
}

function tenantKeyPolicy({ reEncrypt = false }: TenantKeyOptions): string {
  const actions = ["kms:GenerateDataKey", "kms:Decrypt", ...(reEncrypt ? ["kms:ReEncryptFrom", "kms:ReEncryptTo"] : [])];
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "KeyAdministration", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${TENANT_AWS_ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
      {
        Sid: "AllowZepBYOKAccess",
        Effect: "Allow",
        Principal: { AWS: PLATFORM_PRINCIPAL },
        Action: actions,
        Resource: "*",
      },
    ],
  });
}

async function createKeyArn(client: KMSClient, policy: string | undefined): Promise<string> {
  const created = await client.send(new CreateKeyCommand({ Policy: policy }));
  const arn = created.KeyMetadata?.Arn;
  if (!arn) throw new Error("CreateKey returned no key ARN.");
  return arn;
}

/** Counts calls made through `kms` by command name, such as "DecryptCommand", with an SDK middleware. */
export function countKmsCalls(kms: KMSClient): Map<string, number> {
  const counts = new Map<string, number>();
  const middleware: InitializeMiddleware<object, object> = (next, context) => async (args) => {
    const name = (context as { commandName?: string }).commandName ?? "unknown";
    counts.set(name, (counts.get(name) ?? 0) + 1);
    return next(args);
  };
  kms.middlewareStack.add(middleware as never, { step: "initialize", name: "benchKmsCallCounter" });
  return counts;
}

export function totalCalls(counts: Map<string, number>): number {
  return [...counts.values()].reduce((sum, count) => sum + count, 0);
}

export function describeCalls(counts: Map<string, number>): string {
  if (counts.size === 0) return "none";
  return [...counts.entries()].map(([name, count]) => `${name.replace(/Command$/, "")} ${count}`).join(", ");
}
