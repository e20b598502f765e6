/**
 * Starts the local KMS server (lib/local-kms) and prints its URL; stops on SIGINT or SIGTERM.
 *
 *   npx tsx scripts/local-kms.ts --port 4599 --state .data/kms.json \
 *     --principal AKIDEXAMPLE=arn:aws:iam::111122223333:role/admin
 *
 * Point the AWS SDK at it with AWS_ENDPOINT_URL_KMS=<printed URL> and one of the access key ids.
 */
import { parseArgs } from "node:util";

import { startLocalKms } from "../lib/local-kms";

const USAGE = `Usage: npx tsx scripts/local-kms.ts [--port <port>] [--state <file>] [--principal <access key id>=<principal ARN>]...

  --port       TCP port on 127.0.0.1 (default 0: a free port)
  --state      JSON file that keeps keys, policies and key material across restarts (default: memory only)
  --principal  caller mapping, repeatable; for example AKIDEXAMPLE=arn:aws:iam::111122223333:role/admin
`;

function parsePrincipals(values: string[]): Record<string, string> {
  const principals: Record<string, string> = {};
  for (const value of values) {
    const separator = value.indexOf("=");
    if (separator <= 0 || separator === value.length - 1) {
      throw new Error(`Invalid --principal '${value}': expected <access key id>=<principal ARN>.`);
    }
    principals[value.slice(0, separator)] = value.slice(separator + 1);
  }
  return principals;
}

function parsePort(value: string | undefined): number {
  if (value === undefined) {
    return 0;
  }
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`Invalid --port '${value}': expected an integer from 0 to 65535.`);
  }
  return port;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      state: { type: "string" },
      principal: { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }

  const principals = parsePrincipals(values.principal ?? []);
  const server = await startLocalKms({ port: parsePort(values.port), statePath: values.state, principals });
  process.stdout.write(`${server.url}\n`);
  if (Object.keys(principals).length === 0 && values.state === undefined) {
    process.stderr.write("No --principal given: every KMS request will fail with UnrecognizedClientException.\n");
  }

  const stop = (signal: NodeJS.Signals) => {
    process.stderr.write(`Received ${signal}, stopping the local KMS server.\n`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`Failed to stop the local KMS server: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`local-kms: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(1);
});
