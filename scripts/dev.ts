import { runStack } from "./lib/stack";

// `npm run dev` (Next.js dev server) and `npm start` (production build), both on embedded
// defaults for whatever the environment does not configure.
const mode = process.argv.includes("--start") ? "start" : "dev";

await runStack({
  mode,
  dataDir: process.env.BYOK_DATA_DIR ?? ".data",
  port: Number(process.env.PORT ?? 3000),
  localKmsPort: Number(process.env.LOCAL_KMS_PORT ?? 4599),
  smtpPort: Number(process.env.SMTP_SINK_PORT ?? 2525),
});
