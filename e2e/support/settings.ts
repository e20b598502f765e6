// E2E_PORT, E2E_KMS_PORT and E2E_DATABASE move the stack, so two checkouts can run their
// suites side by side on one machine.
const port = Number(process.env.E2E_PORT ?? 3100);
const localKmsPort = Number(process.env.E2E_KMS_PORT ?? 4611);
const databaseName = process.env.E2E_DATABASE ?? "byok_e2e";
const smtpPort = Number(process.env.E2E_SMTP_PORT ?? 2611);

/** Where the end-to-end stack listens; shared by scripts/e2e-server.ts and the specs. */
export const E2E = {
  port,
  baseUrl: `http://127.0.0.1:${port}`,
  localKmsPort,
  localKmsUrl: `http://127.0.0.1:${localKmsPort}`,
  databaseName,
  smtpPort,
  dataDir: `.data/e2e-${port}`,
  region: "us-west-2",
  /** SERVICE_NAME and PLATFORM_PRINCIPAL_ARN of the e2e server, which runs with the app's defaults. */
  serviceName: "zep",
  platformPrincipalArn: "arn:aws:iam::467218391112:role/zep-byok",
};

/**
 * Returns the URL of the database that scripts/e2e-server.ts creates, on the server of
 * TEST_DATABASE_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
 */
export function e2eDatabaseUrl(): string {
  const url = new URL(process.env.TEST_DATABASE_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres");
  url.pathname = `/${E2E.databaseName}`;
  return url.toString();
}
