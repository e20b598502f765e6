import { rm } from "node:fs/promises";

import pg from "pg";

import { E2E } from "../e2e/support/settings";
import { runStack } from "./lib/stack";

/**
 * The server the Playwright suite runs against: the production build (`next start`) on a
 * fresh PostgreSQL database and a fresh local KMS, so every run starts from the same state.
 */

const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS "${E2E.databaseName}" WITH (FORCE)`);
await admin.query(`CREATE DATABASE "${E2E.databaseName}"`);
await admin.end();

await rm(E2E.dataDir, { recursive: true, force: true });

const databaseUrl = new URL(adminUrl);
databaseUrl.pathname = `/${E2E.databaseName}`;
process.env.DATABASE_URL = databaseUrl.toString();
process.env.NEXTAUTH_URL = E2E.baseUrl;
delete process.env.AWS_ENDPOINT_URL_KMS;

await runStack({ mode: "start", dataDir: E2E.dataDir, port: E2E.port, localKmsPort: E2E.localKmsPort, smtpPort: E2E.smtpPort });
