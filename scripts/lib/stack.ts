import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

import { parseEnv } from "@/lib/config/env";

import { startSmtpSink, type SmtpSink } from "./smtp-sink";
import { createPrismaClient } from "@/lib/db/create-client";
import { migrateDatabase } from "@/lib/db/migrate";
import { seedDemo, type DemoUser } from "@/lib/db/seed-demo";
import { startLocalKms, type LocalKms } from "@/lib/local-kms";

import {
  DEMO_TENANT_ACCESS_KEY,
  DEMO_TENANT_PRINCIPAL,
  ensureDemoKeys,
  type DemoKeys,
  ensurePlatformKey,
  LOCAL_SECRET_KEY,
  PLATFORM_ACCESS_KEY,
} from "./demo-keys";

/**
 * Starts the dashboard with embedded defaults: what is not configured in the
 * environment is provided here. No DATABASE_URL: an embedded PostgreSQL (PGlite) kept
 * in the data folder, served on a loopback port. No AWS_ENDPOINT_URL_KMS: the local
 * KMS-compatible server with the demo keys. No AUTH_SECRET: a random one kept in the
 * data folder. Then migrations, the demo tenant, and Next.js itself.
 */

export interface StackOptions {
  /** The Next.js command: `dev` (development server) or `start` (production build). */
  mode: "dev" | "start";
  dataDir: string;
  port: number;
  localKmsPort: number;
  /** Port of the SMTP sink that prints notification emails when SMTP_URL is unset; 0 picks a free one. */
  smtpPort: number;
}

// Stands in for the platform key ARN during the first validation, before the local KMS exists.
const PLACEHOLDER_KEY_ARN = "arn:aws:kms:us-west-2:000000000000:key/00000000-0000-4000-8000-000000000000";

interface Embedded {
  pglite?: { db: PGlite; server: PGLiteSocketServer };
  kms?: LocalKms;
  smtp?: SmtpSink;
  next?: ChildProcess;
}

export async function runStack(options: StackOptions): Promise<void> {
  const embedded: Embedded = {};
  const stop = async (code: number) => {
    embedded.next?.kill("SIGTERM");
    await embedded.kms?.close().catch(() => undefined);
    await embedded.smtp?.close().catch(() => undefined);
    await embedded.pglite?.server.stop().catch(() => undefined);
    await embedded.pglite?.db.close().catch(() => undefined);
    process.exit(code);
  };
  process.once("SIGINT", () => void stop(0));
  process.once("SIGTERM", () => void stop(0));

  try {
    await mkdir(options.dataDir, { recursive: true });
    const childEnv: Record<string, string> = {
      PORT: String(options.port),
      NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://localhost:${options.port}`,
      // The SDK must never look for credentials on a metadata address, and Next.js must not
      // send telemetry: this stack talks to loopback only.
      AWS_EC2_METADATA_DISABLED: "true",
      NEXT_TELEMETRY_DISABLED: "1",
      // The Next.js server runs the background jobs too, so one command starts everything.
      WORKER_IN_PROCESS: process.env.WORKER_IN_PROCESS ?? "true",
    };

    childEnv.AUTH_SECRET = process.env.AUTH_SECRET ?? (await readOrCreateSecret(path.join(options.dataDir, "auth-secret")));

    if (process.env.DATABASE_URL) {
      childEnv.DATABASE_URL = process.env.DATABASE_URL;
    } else {
      const pgliteDir = path.join(options.dataDir, "pglite");
      const db = await PGlite.create(pgliteDir);
      const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 32 });
      await server.start();
      embedded.pglite = { db, server };
      childEnv.DATABASE_URL = `postgresql://postgres@${server.getServerConn()}/postgres`;
      // PGlite runs one query at a time, and its socket server can interleave the
      // extended-protocol messages of concurrent connections; one connection avoids that.
      childEnv.DATABASE_POOL_SIZE = process.env.DATABASE_POOL_SIZE ?? "1";
      log(`Embedded PostgreSQL (PGlite) in ${pgliteDir}, serving ${server.getServerConn()}`);
    }

    // Validate the configuration before anything uses it. The platform key is checked again
    // below, once the local KMS has made one when no KMS endpoint is configured.
    const config = parseEnv({ ...process.env, ...childEnv, PLATFORM_KMS_KEY_ARN: process.env.PLATFORM_KMS_KEY_ARN ?? PLACEHOLDER_KEY_ARN });

    const migrations = await migrateDatabase(childEnv.DATABASE_URL);
    log(`Migrations: ${migrations.applied.length} applied, ${migrations.skipped.length} already in place`);

    const prisma = createPrismaClient(childEnv.DATABASE_URL, 2);
    const demo = await seedDemo(prisma).finally(() => prisma.$disconnect());

    let demoKeys: DemoKeys | undefined;
    if (process.env.AWS_ENDPOINT_URL_KMS) {
      childEnv.AWS_ENDPOINT_URL_KMS = process.env.AWS_ENDPOINT_URL_KMS;
    } else {
      embedded.kms = await startLocalKms({
        port: options.localKmsPort,
        statePath: path.join(options.dataDir, "kms.json"),
        principals: { [PLATFORM_ACCESS_KEY]: config.PLATFORM_PRINCIPAL_ARN, [DEMO_TENANT_ACCESS_KEY]: DEMO_TENANT_PRINCIPAL },
      });
      demoKeys = await ensureDemoKeys({
        endpoint: embedded.kms.url,
        region: config.SERVICE_REGION,
        serviceName: config.SERVICE_NAME,
        accountUuid: demo.accountId,
        principalArn: config.PLATFORM_PRINCIPAL_ARN,
      });
      const platformKeyArn = process.env.PLATFORM_KMS_KEY_ARN ?? (await ensurePlatformKey({ endpoint: embedded.kms.url, region: config.SERVICE_REGION }));
      Object.assign(childEnv, {
        PLATFORM_KMS_KEY_ARN: platformKeyArn,
        AWS_ENDPOINT_URL_KMS: embedded.kms.url,
        AWS_ACCESS_KEY_ID: PLATFORM_ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY: LOCAL_SECRET_KEY,
        AWS_REGION: config.SERVICE_REGION,
        DEMO_KEY_ARN: demoKeys.workingKeyArn,
        DEMO_NEXT_KEY_ARN: demoKeys.nextKeyArn,
        DEMO_DENIED_KEY_ARN: demoKeys.deniedDecryptKeyArn,
      });
      log(`Local KMS at ${embedded.kms.url}, state in ${path.join(options.dataDir, "kms.json")}`);
    }

    parseEnv({ ...process.env, ...childEnv });
    if (process.env.SMTP_URL) {
      childEnv.SMTP_URL = process.env.SMTP_URL;
    } else {
      embedded.smtp = await startSmtpSink({ port: options.smtpPort });
      childEnv.SMTP_URL = `smtp://127.0.0.1:${embedded.smtp.port}`;
      log(`Local SMTP sink at ${childEnv.SMTP_URL}: key notification emails are printed here`);
    }

    printBanner(childEnv.NEXTAUTH_URL!, demo.users, demoKeys);

    const nextBin = path.join(process.cwd(), "node_modules", ".bin", "next");
    const args = [options.mode, "--hostname", "127.0.0.1", "--port", String(options.port)];
    embedded.next = spawn(nextBin, args, { stdio: "inherit", env: { ...process.env, ...childEnv } });
    embedded.next.on("exit", (code) => void stop(code ?? 0));
  } catch (error) {
    console.error(`\nThe dashboard could not start: ${(error as Error).message}\n`);
    await stop(1);
  }
}

async function readOrCreateSecret(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  const secret = randomBytes(32).toString("base64url");
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

function log(message: string): void {
  console.log(`[byok] ${message}`);
}

function printBanner(url: string, users: readonly DemoUser[], keys?: DemoKeys): void {
  const lines = [
    "",
    `  Dashboard:  ${url}`,
    "",
    "  Demo users (development only):",
    ...users.map((user) => `    ${user.email.padEnd(26)} ${user.password.padEnd(20)} ${user.role}${user.account ? ` of ${user.account}` : ""}`),
  ];
  if (keys) {
    lines.push(
      "",
      "  Demo KMS keys in the local KMS:",
      `    works:           ${keys.workingKeyArn}`,
      `    also works:      ${keys.nextKeyArn} (to try a key change)`,
      `    denies Decrypt:  ${keys.deniedDecryptKeyArn}`,
    );
  }
  console.log(`${lines.join("\n")}\n`);
}
