/**
 * The AWS JSON 1.1 wire protocol as the local KMS server speaks it: request body and
 * Authorization parsing, and JSON responses that carry a fresh `x-amzn-RequestId`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

import { KmsError } from "./errors";
import { isRegionName } from "./identifiers";

export const MAX_BODY_BYTES = 1024 * 1024;
export const TARGET_PREFIX = "TrentService.";

export interface Credentials {
  accessKeyId: string;
  region: string;
}

/**
 * Reads the access key id and region from the SigV4 credential scope of the Authorization header
 * (`Credential=<access key id>/<yyyymmdd>/<region>/kms/aws4_request`).
 * NOTE: the signature is not verified; any secret access key is accepted.
 */
export function parseCredentials(authorization: string | undefined): Credentials {
  if (authorization === undefined || authorization.length === 0) {
    throw new KmsError("MissingAuthenticationTokenException", "Missing Authentication Token");
  }

  const match = /Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/.exec(authorization);
  if (!match?.[1] || !match[3] || !match[4]) {
    throw new KmsError(
      "IncompleteSignatureException",
      "The Authorization header has no SigV4 credential scope of the form Credential=<access key id>/<yyyymmdd>/<region>/kms/aws4_request.",
    );
  }
  if (match[4] !== "kms") {
    throw new KmsError("IncompleteSignatureException", `The credential scope names service '${match[4]}'; expected 'kms'.`);
  }
  if (!isRegionName(match[3])) {
    throw new KmsError("IncompleteSignatureException", `The credential scope names region '${match[3]}', which is not a valid AWS Region.`);
  }
  return { accessKeyId: match[1], region: match[3] };
}

/** Reads the whole request body, rejecting bodies larger than MAX_BODY_BYTES. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request) {
    const bytes = chunk as Buffer;
    total += bytes.length;
    if (total > MAX_BODY_BYTES) {
      throw new KmsError("SerializationException", `The request body is larger than ${MAX_BODY_BYTES} bytes.`, 413);
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Parses a KMS request body: a JSON object, or an empty body meaning `{}`. */
export function parseJsonObject(body: string): Record<string, unknown> {
  if (body.trim().length === 0) {
    return {};
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new KmsError("SerializationException", `The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new KmsError("SerializationException", "The request body must be a JSON object.");
  }
  return value as Record<string, unknown>;
}

/** Sends a JSON response unless the client is already gone. */
export function sendJson(response: ServerResponse, status: number, body: unknown, requestId: string): void {
  if (response.destroyed || response.writableEnded) {
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "Content-Type": "application/x-amz-json-1.1",
    "Content-Length": Buffer.byteLength(text),
    "x-amzn-RequestId": requestId,
  });
  response.end(text);
}

/** Sends a KMS error in the AWS JSON 1.1 shape, `{"__type": code, "message": text}`. */
export function sendError(response: ServerResponse, error: KmsError, requestId: string): void {
  sendJson(response, error.status, { __type: error.code, message: error.message }, requestId);
}
