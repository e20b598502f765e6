/** Shared setup of the local KMS tests: a server with known callers, and SDK clients pointed at it. */
import { KMSClient, type KMSClientConfig } from "@aws-sdk/client-kms";

import { startLocalKms, type LocalKms, type LocalKmsLogEntry, type LocalKmsOptions } from "./index";

export const ACCOUNT = "111122223333";
export const OTHER_ACCOUNT = "444455556666";
export const REGION = "us-west-2";
export const OTHER_REGION = "eu-central-1";

/** Callers known to the test server, by role in the tests. */
export const CALLERS = {
  /** Role in the key owner's account; allowed by the default key policy through the account root. */
  admin: { accessKeyId: "AKIDADMIN0000000001", principalArn: `arn:aws:iam::${ACCOUNT}:role/admin` },
  /** Another role in the key owner's account, for policies that name single principals. */
  app: { accessKeyId: "AKIDAPP000000000001", principalArn: `arn:aws:iam::${ACCOUNT}:role/app` },
  /** A role in another account, like the platform principal that uses a tenant's key. */
  platform: { accessKeyId: "AKIDPLATFORM0000001", principalArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/zep-byok` },
} as const;

export type CallerName = keyof typeof CALLERS;

export interface TestKms {
  server: LocalKms;
  logs: LocalKmsLogEntry[];
  /** Creates a client for a caller, with no retries unless `config` sets maxAttempts. */
  client(caller: CallerName, region?: string, config?: Partial<KMSClientConfig>): KMSClient;
}

export async function startTestKms(options: Omit<LocalKmsOptions, "principals" | "log"> = {}): Promise<TestKms> {
  const logs: LocalKmsLogEntry[] = [];
  const server = await startLocalKms({
    ...options,
    principals: Object.fromEntries(Object.values(CALLERS).map((caller) => [caller.accessKeyId, caller.principalArn])),
    log: (entry) => logs.push(entry),
  });

  return {
    server,
    logs,
    client(caller, region = REGION, config = {}) {
      return new KMSClient({
        region,
        endpoint: server.url,
        credentials: { accessKeyId: CALLERS[caller].accessKeyId, secretAccessKey: "x" },
        maxAttempts: 1,
        ...config,
      });
    },
  };
}

/** Returns the error that `promise` rejects with, and fails the test when it resolves. */
export async function errorOf(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("Expected the call to fail, but it succeeded.");
}

/** Builds a key policy document from statements. */
export function policyOf(...statements: Record<string, unknown>[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** A statement that lets the admin role manage the key, so that the lockout safety check passes. */
export const ADMIN_STATEMENT = {
  Sid: "Admin",
  Effect: "Allow",
  Principal: { AWS: CALLERS.admin.principalArn },
  Action: "kms:*",
  Resource: "*",
};
