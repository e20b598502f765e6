/** Where the end-to-end stack listens; shared by scripts/e2e-server.ts and the specs. */
export const E2E = {
  port: 3100,
  baseUrl: "http://127.0.0.1:3100",
  localKmsPort: 4611,
  localKmsUrl: "http://127.0.0.1:4611",
  databaseName: "byok_e2e",
  dataDir: ".data/e2e",
  region: "us-west-2",
  /** SERVICE_NAME and PLATFORM_PRINCIPAL_ARN of the e2e server, which runs with the app's defaults. */
  serviceName: "zep",
  platformPrincipalArn: "arn:aws:iam::467218391112:role/zep-byok",
} as const;

/**
 * Returns the URL of the database that scripts/e2e-server.ts creates, on the server of
 * TEST_DATABASE_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
 */
export function e2eDatabaseUrl(): string {
  const url = new URL(process.env.TEST_DATABASE_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres");
  url.pathname = `/${E2E.databaseName}`;
  return url.toString();
}
