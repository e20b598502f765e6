import { ZodError } from "zod";

import type { CiphertextFormatError, CiphertextIntegrityError } from "@/lib/crypto";
import type { DataKeyUnavailableError } from "@/lib/data-keys/errors";
import type { DataKeyNotFoundError } from "@/lib/data-keys/service";
import { log } from "@/lib/log";

/**
 * JSON responses of the tenant data API. Errors are `{"error": {"code", "message"}}` with a
 * stable code; internal details go to the log only.
 */

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });
}

export function apiError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error: { code, message } }), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/** Turns an error thrown by a handler into the API's error response, logging what the client does not see. */
export function errorResponse(error: unknown, context: { accountId?: string; route: string }): Response {
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    const path = issue?.path.join(".") || "body";
    return apiError(400, "VALIDATION_FAILED", `Invalid ${path}: ${issue?.message ?? "check the request body"}.`);
  }
  if (isNamed<DataKeyUnavailableError>(error, "DataKeyUnavailableError")) {
    log.warn("api.key_unavailable", { ...context, code: error.code, failure: error.failure.code, kmsKeyArn: error.kmsKeyArn });
    // A key that refused is the tenant's to fix (503 until it is); KMS being unreachable is worth a retry.
    return apiError(503, error.code, error.userMessage, error.code === "KMS_UNAVAILABLE" ? { "retry-after": "5" } : {});
  }
  if (
    isNamed<CiphertextIntegrityError>(error, "CiphertextIntegrityError") ||
    isNamed<CiphertextFormatError>(error, "CiphertextFormatError") ||
    isNamed<DataKeyNotFoundError>(error, "DataKeyNotFoundError")
  ) {
    log.error("api.data_integrity", { ...context, error });
    return apiError(500, "DATA_INTEGRITY_FAILED", "A stored record failed its integrity check and was not returned. Contact support with the time of the request.");
  }
  log.error("api.failed", { ...context, error });
  return apiError(500, "INTERNAL_ERROR", "The request failed on the platform's side. Try again; contact support if it repeats.");
}

// Errors are matched by name, not instanceof: Next.js bundles route handlers, server actions
// and instrumentation separately, and the process-wide data key service may have been built
// from another bundle's copy of the error classes.
function isNamed<T extends Error>(error: unknown, name: string): error is T {
  return error instanceof Error && error.name === name;
}
