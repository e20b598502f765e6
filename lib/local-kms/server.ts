/**
 * The HTTP server: KMS requests on `POST /`, and control endpoints under `/_local/` that let
 * another process (a Playwright test, for example) inject faults and register callers.
 *
 * Control endpoints (JSON in and out; not part of the KMS API and not authenticated):
 * - `GET /_local/health`: `{"status": "ok"}`.
 * - `GET /_local/faults`: the active faults. `POST /_local/faults` with a fault object adds
 *   one (see faults.ts). `DELETE /_local/faults` clears them all.
 * - `POST /_local/principals` with `{"accessKeyId": ..., "principalArn": ...}` maps an access
 *   key id to a caller.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

import { KmsError } from "./errors";
import { FaultList, validateFault } from "./faults";
import { principalAccountOrThrow } from "./identifiers";
import type { LocalKmsLogger } from "./log";
import { findOperation } from "./operations";
import type { CallContext } from "./operations/context";
import type { UnsupportedCondition } from "./policy";
import { parseCredentials, parseJsonObject, readBody, sendError, sendJson, TARGET_PREFIX } from "./protocol";
import type { KmsStore } from "./store";

export interface ServerParts {
  store: KmsStore;
  faults: FaultList;
  log: LocalKmsLogger;
}

/** Pending "slow" fault delays, so that closing the server can end them at once. */
class DelayRegistry {
  private readonly pending = new Map<NodeJS.Timeout, (elapsed: boolean) => void>();

  /** Resolves to true when the delay has elapsed, or to false when `releaseAll` ended it first. */
  wait(milliseconds: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve(true);
      }, milliseconds);
      this.pending.set(timer, resolve);
    });
  }

  releaseAll(): void {
    for (const [timer, resolve] of this.pending) {
      clearTimeout(timer);
      resolve(false);
    }
    this.pending.clear();
  }
}

/** Maps an access key id to a caller principal, after checking that the ARN is an IAM or STS principal ARN. */
export function registerPrincipal(store: KmsStore, accessKeyId: string, principalArn: string): void {
  if (accessKeyId.length === 0 || /[\s/]/.test(accessKeyId)) {
    throw new Error(`Invalid access key id '${accessKeyId}': it must be non-empty without spaces or '/'.`);
  }
  principalAccountOrThrow(principalArn);
  store.setPrincipal(accessKeyId, principalArn);
  store.flush();
}

function sendControlJson(response: ServerResponse, status: number, body: unknown): void {
  sendJson(response, status, body, randomUUID());
}

async function handleControl(parts: ServerParts, request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
  const method = request.method ?? "GET";

  if (path === "/_local/health" && method === "GET") {
    sendControlJson(response, 200, { status: "ok" });
    return;
  }

  if (path === "/_local/faults") {
    if (method === "GET") {
      sendControlJson(response, 200, { faults: parts.faults.list() });
      return;
    }
    if (method === "DELETE") {
      parts.faults.clear();
      parts.log({ level: "info", event: "faults_cleared" });
      sendControlJson(response, 200, { faults: [] });
      return;
    }
    if (method === "POST") {
      const fault = validateFault(parseJsonObject(await readBody(request)));
      parts.faults.add(fault);
      parts.log({ level: "info", event: "fault_set", fault });
      sendControlJson(response, 200, { faults: parts.faults.list() });
      return;
    }
  }

  if (path === "/_local/principals" && method === "POST") {
    const body = parseJsonObject(await readBody(request));
    if (typeof body.accessKeyId !== "string" || typeof body.principalArn !== "string") {
      throw new Error('Body must be {"accessKeyId": "<access key id>", "principalArn": "<IAM principal ARN>"}.');
    }
    registerPrincipal(parts.store, body.accessKeyId, body.principalArn);
    sendControlJson(response, 200, { accessKeyId: body.accessKeyId, principalArn: body.principalArn });
    return;
  }

  sendControlJson(response, 404, { message: `No control endpoint ${method} ${path}.` });
}

function createCallContext(parts: ServerParts, accessKeyId: string, region: string, reported: Set<string>): CallContext {
  const principalArn = parts.store.principals.get(accessKeyId);
  if (principalArn === undefined) {
    throw new KmsError("UnrecognizedClientException", "The security token included in the request is invalid.");
  }

  return {
    store: parts.store,
    caller: { accessKeyId, principalArn, account: principalAccountOrThrow(principalArn) },
    region,
    log: parts.log,
    reportUnsupportedCondition(keyArn: string, condition: UnsupportedCondition) {
      const signature = JSON.stringify([keyArn, condition]);
      if (reported.has(signature)) {
        return;
      }
      reported.add(signature);
      parts.log({
        level: "warn",
        event: "policy_condition_unsupported",
        keyArn,
        ...condition,
        message: `Key policy condition ${condition.operator} on ${condition.key} is not supported; the ${condition.effect} statement is treated as ${condition.effect === "Allow" ? "not applying" : "applying"}.`,
      });
    },
  };
}

async function handleKms(
  parts: ServerParts,
  delays: DelayRegistry,
  reported: Set<string>,
  request: IncomingMessage,
  response: ServerResponse,
  requestId: string,
): Promise<void> {
  const target = request.headers["x-amz-target"];
  const operationName = typeof target === "string" && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : "";
  const operation = findOperation(operationName);
  if (request.method !== "POST" || !operation) {
    throw new KmsError(
      "UnknownOperationException",
      `Operation '${String(target)}' is not implemented by the local KMS server; send POST / with X-Amz-Target: TrentService.<Operation>.`,
    );
  }
  const body = await readBody(request);

  const fault = parts.faults.take(operationName);
  if (fault?.kind === "throttle") {
    throw new KmsError("ThrottlingException", "Rate exceeded");
  }
  if (fault?.kind === "internal-error") {
    throw new KmsError("KMSInternalException", "The local KMS server returned an injected internal error.", 500);
  }
  if (fault?.kind === "drop-connection") {
    request.socket.destroy();
    return;
  }
  if (fault?.kind === "slow") {
    const elapsed = await delays.wait(fault.delayMs ?? 0);
    if (!elapsed) {
      // The server is closing, so the delayed request must not change the state any more.
      request.socket.destroy();
      return;
    }
  }

  const credentials = parseCredentials(request.headers.authorization);
  const ctx = createCallContext(parts, credentials.accessKeyId, credentials.region, reported);
  const input = parseJsonObject(body);

  try {
    const result = operation(ctx, input);
    sendJson(response, 200, result, requestId);
  } finally {
    // A failed operation changes nothing, so this writes only after a successful mutation.
    parts.store.flush();
  }
}

/** Creates the HTTP server. Call `closeAll` on shutdown to end pending slow responses. */
export function createLocalKmsHttpServer(parts: ServerParts): { server: Server; closeAll: () => void } {
  const delays = new DelayRegistry();
  const reported = new Set<string>();

  const server = createServer((request, response) => {
    const requestId = randomUUID();
    const path = new URL(request.url ?? "/", "http://127.0.0.1").pathname;

    if (path.startsWith("/_local/")) {
      void handleControl(parts, request, response, path).catch((error: unknown) => {
        const message = (error as Error).message;
        parts.log({ level: "warn", event: "control_request_rejected", method: request.method, path, message });
        sendControlJson(response, 400, { message });
      });
      return;
    }

    void handleKms(parts, delays, reported, request, response, requestId).catch((error: unknown) => {
      const target = request.headers["x-amz-target"];
      if (error instanceof KmsError) {
        // Rejections are ordinary KMS responses; the log line shows why, for example which policy check failed.
        parts.log({ level: "info", event: "request_rejected", requestId, target, code: error.code, message: error.message });
        sendError(response, error, requestId);
        return;
      }
      parts.log({ level: "error", event: "request_failed", requestId, target, error: (error as Error).stack ?? String(error) });
      sendError(response, new KmsError("KMSInternalException", "The local KMS server failed; see its log.", 500), requestId);
    });
  });

  return {
    server,
    closeAll() {
      delays.releaseAll();
      server.closeAllConnections();
    },
  };
}
