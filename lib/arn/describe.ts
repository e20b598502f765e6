import type { KeyArn } from "./types";

/** Describes a key for display, e.g. `Multi-region key mrk-1234… in us-west-2, AWS account 111122223333`. */
export function describeKeyArn(key: KeyArn): string {
  const kind = key.multiRegion ? "Multi-region key" : "Key";
  return `${kind} ${key.keyId} in ${key.region}, AWS account ${key.accountId}`;
}

/** Returns the ARN of the same multi-region key in another region, where its replica would be. */
export function replicaArn(key: KeyArn, region: string): string {
  if (!key.multiRegion) {
    throw new Error(`Key ${key.keyId} is a single-region key and has no replicas.`);
  }
  return `arn:${key.partition}:kms:${region}:${key.accountId}:key/${key.keyId}`;
}
