/**
 * Local KMS server for development and tests: an HTTP server on 127.0.0.1 that speaks the AWS
 * KMS JSON 1.1 protocol, so `@aws-sdk/client-kms` works against it unchanged through `endpoint`.
 *
 * It keeps keys per account and region, key states, key policies, multi-region replicas,
 * rotation and aliases, and returns the error codes AWS KMS documents. The access key id in
 * the SigV4 credential scope identifies the caller, through the `principals` map to principal
 * ARNs, and the scope's region is the region of the request. NOTE: SigV4 signatures are not
 * verified, so any secret access key works. The server listens on 127.0.0.1 only.
 *
 * The ciphertext format is described in blob.ts, policy support in policy.ts, faults in
 * faults.ts and the control endpoints in server.ts.
 */
import type { AddressInfo } from "node:net";

import { FaultList, type LocalKmsFault } from "./faults";
import { writeJsonLogLine, type LocalKmsLogger } from "./log";
import { createLocalKmsHttpServer, registerPrincipal } from "./server";
import { KmsStore } from "./store";

export type { LocalKmsFault, LocalKmsFaultKind } from "./faults";
export type { LocalKmsLogEntry, LocalKmsLogger } from "./log";

export interface LocalKmsOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** JSON file that keeps the state across restarts; state is in memory only when absent. */
  statePath?: string;
  /** Callers by access key id: the principal ARN (`arn:aws:iam::<account>:...`) each one acts as. Merged over persisted ones. */
  principals?: Record<string, string>;
  /** Receives structured log entries; by default they go to stderr as JSON lines. */
  log?: LocalKmsLogger;
}

export interface LocalKms {
  /** Endpoint for the SDK, `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** Adds a fault; see LocalKmsFault. */
  setFault(fault: LocalKmsFault): void;
  clearFaults(): void;
  /** Active faults with their remaining counts. */
  listFaults(): LocalKmsFault[];
  /** Maps an access key id to a caller principal ARN (and persists it with the state). */
  addPrincipal(accessKeyId: string, principalArn: string): void;
  /** Stops listening, ends open connections and pending slow responses, and resolves once the port is free. */
  close(): Promise<void>;
}

export async function startLocalKms(options: LocalKmsOptions = {}): Promise<LocalKms> {
  const log = options.log ?? writeJsonLogLine;
  const store = new KmsStore(options.statePath);
  store.load();
  for (const [accessKeyId, principalArn] of Object.entries(options.principals ?? {})) {
    registerPrincipal(store, accessKeyId, principalArn);
  }

  const faults = new FaultList();
  const { server, closeAll } = createLocalKmsHttpServer({ store, faults, log });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  log({ level: "info", event: "server_started", url, statePath: options.statePath ?? null, principals: store.principals.size });

  return {
    url,
    port,
    setFault(fault) {
      faults.add(fault);
      log({ level: "info", event: "fault_set", fault });
    },
    clearFaults() {
      faults.clear();
      log({ level: "info", event: "faults_cleared" });
    },
    listFaults: () => faults.list(),
    addPrincipal(accessKeyId, principalArn) {
      registerPrincipal(store, accessKeyId, principalArn);
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) {
            reject(error);
            return;
          }
          log({ level: "info", event: "server_stopped", url });
          resolve();
        });
        closeAll();
      });
    },
  };
}
