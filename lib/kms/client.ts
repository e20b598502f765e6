import "server-only";

import { KMSClient } from "@aws-sdk/client-kms";
import { NodeHttpHandler } from "@smithy/node-http-handler";

import { env } from "@/lib/config/env";

/**
 * The platform's KMS client. With AWS_ENDPOINT_URL_KMS set (development and tests) it
 * talks to that endpoint; without it, to AWS KMS in the service region with the default
 * credential chain. Each attempt is bounded by KMS_TIMEOUT_MS, and the SDK's standard
 * retry mode retries throttling and transient errors with jittered exponential backoff,
 * at most KMS_MAX_ATTEMPTS attempts in all.
 */

export interface KmsClientOptions {
  region: string;
  endpoint?: string;
  timeoutMs: number;
  maxAttempts: number;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function createKmsClient(options: KmsClientOptions): KMSClient {
  return new KMSClient({
    region: options.region,
    endpoint: options.endpoint,
    credentials: options.credentials,
    maxAttempts: options.maxAttempts,
    retryMode: "standard",
    requestHandler: new NodeHttpHandler({
      connectionTimeout: Math.min(options.timeoutMs, 2_000),
      requestTimeout: options.timeoutMs,
      // Without this flag the handler only logs a warning when requestTimeout passes.
      throwOnRequestTimeout: true,
    }),
  });
}

const globalForKms = globalThis as unknown as { kmsClient?: KMSClient };

/** Returns the process-wide client built from the validated environment. */
export function kmsClient(): KMSClient {
  const config = env();
  globalForKms.kmsClient ??= createKmsClient({
    region: config.SERVICE_REGION,
    endpoint: config.AWS_ENDPOINT_URL_KMS,
    timeoutMs: config.KMS_TIMEOUT_MS,
    maxAttempts: config.KMS_MAX_ATTEMPTS,
  });
  return globalForKms.kmsClient;
}
