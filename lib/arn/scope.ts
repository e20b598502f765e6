import { isKeyId, isMultiRegionKeyId } from "./key-id";
import { findPartition, isRegionName, type Partition } from "./partitions";
import type { KeyArn, KeyArnField, KeyArnParse, KeyArnProblemCode } from "./types";

/** Settings of one `parseKeyArn` call, shared by its stages. */
export interface ParseScope {
  serviceRegion: string;
  servicePartition: Partition;
  /** Parses a value derived from the input, such as an unquoted or corrected ARN. */
  parseDerived(candidate: string): KeyArnParse;
}

export function reject(
  code: KeyArnProblemCode,
  message: string,
  partial: Partial<KeyArn>,
  details: { field?: KeyArnField; suggestedArn?: string | undefined } = {},
): KeyArnParse {
  const problem: { code: KeyArnProblemCode; message: string; field?: KeyArnField; suggestedArn?: string } = {
    code,
    message,
  };
  if (details.field !== undefined) {
    problem.field = details.field;
  }
  if (details.suggestedArn !== undefined) {
    problem.suggestedArn = details.suggestedArn;
  }
  return { ok: false, problem, partial };
}

/** Returns the candidate when it passes every check, so that it can be offered as `suggestedArn`. */
export function acceptedCandidate(scope: ParseScope, candidate: string | undefined): string | undefined {
  if (candidate === undefined) {
    return undefined;
  }
  const result = scope.parseDerived(candidate);
  return result.ok ? result.key.arn : undefined;
}

/** Formats the shape of a key ARN in the service's partition and region, for messages. */
export function keyArnTemplate(scope: ParseScope): string {
  return `arn:${scope.servicePartition.id}:kms:${scope.serviceRegion}:<account ID>:key/<key ID>`;
}

/**
 * Reads the fields that are valid on their own from an ARN-like string, by position.
 * It serves the `partial` result, so the UI can show the region and account while the
 * admin is still typing or fixing another part.
 */
export function readFields(text: string): Partial<KeyArn> {
  const parts = text.split(":");
  const fields: Partial<KeyArn> = {};
  if (parts[0]?.toLowerCase() !== "arn") {
    return fields;
  }

  const [, partition, , region, accountId, resource] = parts;
  if (partition !== undefined && findPartition(partition) !== undefined) {
    fields.partition = partition;
  }
  if (region !== undefined && isRegionName(region)) {
    fields.region = region;
  }
  if (accountId !== undefined && /^\d{12}$/.test(accountId)) {
    fields.accountId = accountId;
  }
  if (parts.length === 6 && resource?.startsWith("key/")) {
    Object.assign(fields, readKeyId(resource.slice("key/".length)));
  }
  return fields;
}

export function readKeyId(keyId: string): Partial<KeyArn> {
  return isKeyId(keyId) ? { keyId, multiRegion: isMultiRegionKeyId(keyId) } : {};
}
