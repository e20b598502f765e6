import { servicePartitionOf, type Partition } from "./partitions";
import { parsePastedText } from "./paste";
import { reject, type ParseScope } from "./scope";
import { trimPaste } from "./text";
import type { KeyArnParse, ParseKeyArnOptions } from "./types";

/**
 * Maximum nesting of derived parses. Each level removes one kind of problem (quotes,
 * URL encoding, surrounding text, a corrected part), so real inputs need a few levels.
 */
const MAX_DERIVATION_DEPTH = 8;

/**
 * Parses a pasted KMS key ARN and checks that this service can use the key. The key must
 * be named by a key ARN, not an alias, and be in the service's partition and region. For
 * a multi-region key in another region, the replica ARN in the service region is suggested.
 *
 * Whitespace and invisible characters at both ends are trimmed and every other character
 * is taken literally. A problem's `suggestedArn`, when set, passes this function with the
 * same options. Throws only when `options.serviceRegion` is not an AWS region name.
 */
export function parseKeyArn(input: string, options: ParseKeyArnOptions): KeyArnParse {
  const servicePartition = servicePartitionOf(options.serviceRegion);
  return parseAtDepth(input, options.serviceRegion, servicePartition, 0);
}

function parseAtDepth(input: string, serviceRegion: string, servicePartition: Partition, depth: number): KeyArnParse {
  const scope: ParseScope = {
    serviceRegion,
    servicePartition,
    parseDerived: (candidate) =>
      depth < MAX_DERIVATION_DEPTH
        ? parseAtDepth(candidate, serviceRegion, servicePartition, depth + 1)
        : reject("NOT_AN_ARN", "The value could not be read as a key ARN. Paste the key ARN alone.", {}),
  };
  return parsePastedText(trimPaste(input), scope);
}
