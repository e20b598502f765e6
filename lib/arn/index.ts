/**
 * KMS key ARN parsing shared by the browser and the server. Pure TypeScript: no Node
 * modules and no `server-only`, because the key form imports it for feedback while typing.
 */
export { parseKeyArn } from "./parse";
export { describeKeyArn, replicaArn } from "./describe";
export { isKeyId, isMultiRegionKeyId } from "./key-id";
export { PARTITIONS, findPartition, partitionOfRegion, servicePartitionOf, type Partition } from "./partitions";
export { MAX_INPUT_LENGTH } from "./paste";
export {
  KEY_ARN_PROBLEM_CODES,
  type KeyArn,
  type KeyArnField,
  type KeyArnParse,
  type KeyArnProblem,
  type KeyArnProblemCode,
  type ParseKeyArnOptions,
} from "./types";
