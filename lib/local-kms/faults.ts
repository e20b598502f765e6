/**
 * Injected failures of the local KMS server, for testing how callers handle an unhealthy KMS.
 *
 * Faults apply in the order they were set, at most one per request: the first fault whose
 * operation list contains the request's operation (or that has no list) takes effect, and its
 * remaining count drops by one. A fault without a count stays until cleared.
 */

import { findOperation } from "./operations";

export type LocalKmsFaultKind =
  /** Respond with HTTP 400 ThrottlingException, which the AWS SDK retries as a throttling error. */
  | "throttle"
  /** Hold the response for `delayMs` milliseconds, then handle the request normally. */
  | "slow"
  /** Respond with HTTP 500 KMSInternalException. */
  | "internal-error"
  /** Close the connection without a response, as an unreachable endpoint would. */
  | "drop-connection";

export interface LocalKmsFault {
  kind: LocalKmsFaultKind;
  /** KMS operation names such as "Decrypt"; every operation when absent or empty. */
  operations?: string[];
  /** Number of matching requests to affect; until cleared when absent. */
  count?: number;
  /** Delay of a "slow" fault, in milliseconds; required for that kind. */
  delayMs?: number;
}

const FAULT_KINDS: readonly LocalKmsFaultKind[] = ["throttle", "slow", "internal-error", "drop-connection"];
const MAX_DELAY_MS = 10 * 60 * 1000;

/** Checks a fault given in process or over HTTP and returns a copy; throws an Error naming the invalid field. */
export function validateFault(value: unknown): LocalKmsFault {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error('A fault must be a JSON object such as {"kind": "throttle", "count": 2}.');
  }
  const fault = value as Record<string, unknown>;

  if (!FAULT_KINDS.includes(fault.kind as LocalKmsFaultKind)) {
    throw new Error(`Fault kind must be one of ${FAULT_KINDS.join(", ")}; got ${JSON.stringify(fault.kind)}.`);
  }
  const kind = fault.kind as LocalKmsFaultKind;

  const operations = fault.operations;
  if (
    operations !== undefined &&
    !(Array.isArray(operations) && operations.every((operation) => typeof operation === "string"))
  ) {
    throw new Error("Fault operations must be a list of KMS operation names, such as [\"Decrypt\"].");
  }
  // A misspelt name such as "decrypt" would otherwise make a fault that never fires.
  const unknown = (operations as string[] | undefined)?.find((operation) => !findOperation(operation));
  if (unknown !== undefined) {
    throw new Error(`Fault operation ${JSON.stringify(unknown)} is not a KMS operation of this server; names are case-sensitive, such as "Decrypt".`);
  }

  const count = fault.count;
  if (count !== undefined && !(Number.isInteger(count) && (count as number) > 0)) {
    throw new Error(`Fault count must be a positive integer; got ${JSON.stringify(count)}.`);
  }

  const delayMs = fault.delayMs;
  if (kind === "slow" && delayMs === undefined) {
    throw new Error("A slow fault needs delayMs, the delay in milliseconds.");
  }
  if (delayMs !== undefined && !(Number.isInteger(delayMs) && (delayMs as number) >= 0 && (delayMs as number) <= MAX_DELAY_MS)) {
    throw new Error(`Fault delayMs must be an integer from 0 to ${MAX_DELAY_MS}; got ${JSON.stringify(delayMs)}.`);
  }

  return {
    kind,
    ...(operations === undefined ? {} : { operations: [...(operations as string[])] }),
    ...(count === undefined ? {} : { count: count as number }),
    ...(delayMs === undefined ? {} : { delayMs: delayMs as number }),
  };
}

export class FaultList {
  private faults: LocalKmsFault[] = [];

  add(fault: LocalKmsFault): void {
    this.faults.push(validateFault(fault));
  }

  clear(): void {
    this.faults = [];
  }

  /** Faults still active, with their remaining counts. */
  list(): LocalKmsFault[] {
    return this.faults.map((fault) => ({ ...fault }));
  }

  /** Returns the fault for a request of `operation` and counts it as used, or null when none applies. */
  take(operation: string): LocalKmsFault | null {
    const index = this.faults.findIndex(
      (fault) => !fault.operations || fault.operations.length === 0 || fault.operations.includes(operation),
    );
    const fault = this.faults[index];
    if (!fault) {
      return null;
    }

    if (fault.count !== undefined) {
      fault.count -= 1;
      if (fault.count === 0) {
        this.faults.splice(index, 1);
      }
    }
    return { ...fault };
  }
}
