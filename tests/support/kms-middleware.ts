import type { KMSClient } from "@aws-sdk/client-kms";
import type { InitializeMiddleware } from "@smithy/types";

/** A middleware at the SDK's initialize step, which runs once per command, before its retries. */
export type KmsMiddleware = InitializeMiddleware<object, object>;

/** Returns the name of the SDK command a middleware runs for, such as "ReEncryptCommand". */
export function commandName(context: unknown): string {
  return (context as { commandName?: string }).commandName ?? "";
}

/** Adds `middleware` to `client` and returns the client, so tests can fail or watch chosen calls. */
export function withMiddleware(client: KMSClient, middleware?: KmsMiddleware): KMSClient {
  if (middleware) client.middlewareStack.add(middleware as never, { step: "initialize" });
  return client;
}
