/** Where the end-to-end stack listens; shared by scripts/e2e-server.ts and the specs. */
export const E2E = {
  port: 3100,
  baseUrl: "http://127.0.0.1:3100",
  localKmsPort: 4611,
  localKmsUrl: "http://127.0.0.1:4611",
  databaseName: "byok_e2e",
  dataDir: ".data/e2e",
  region: "us-west-2",
} as const;
