import { diagnoseKeyId, isMultiRegionKeyId, looksLikeKeyId } from "./key-id";
import {
  findPartition,
  isAvailabilityZoneId,
  isRegionName,
  partitionOfRegion,
  regionOfZoneName,
} from "./partitions";
import { acceptedCandidate, keyArnTemplate, readFields, reject, type ParseScope } from "./scope";
import { quoteValue } from "./text";
import type { KeyArnField, KeyArnParse } from "./types";

/** The six colon-separated parts of an ARN. */
interface ArnParts {
  prefix: string;
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

type Problem = Extract<KeyArnParse, { ok: false }>;

/**
 * Checks the parts of an ARN-shaped string in order (count, empty parts, case, partition,
 * service, region, account, resource, then the service's partition and region) and
 * returns the first problem or the key.
 *
 * The candidate starts with "arn:" in any case and contains only printable ASCII without
 * spaces, because earlier stages reject everything else.
 */
export function parseArnStructure(candidate: string, scope: ParseScope): KeyArnParse {
  const segments = candidate.split(":");
  if (segments.length !== 6) {
    return rejectSegmentCount(candidate, segments, scope);
  }

  const [prefix = "", partition = "", service = "", region = "", accountId = "", resource = ""] = segments;
  const parts: ArnParts = { prefix, partition, service, region, accountId, resource };
  const partial = readFields(candidate);

  // The service is checked before the region and account may be empty, because ARNs of
  // other services (such as an IAM role) legitimately have an empty region.
  const checks = [
    checkEmpty("partition", "service"),
    checkCase,
    checkPartition,
    checkService,
    checkEmpty("region", "accountId", "resource"),
    checkRegion,
    checkAccount,
    checkResource,
    checkServicePartition,
    checkServiceRegion,
  ];
  for (const check of checks) {
    const problem = check(parts, scope, partial);
    if (problem !== undefined) {
      return problem;
    }
  }

  const keyId = resource.slice("key/".length);
  return {
    ok: true,
    key: { arn: candidate, partition, region, accountId, keyId, multiRegion: isMultiRegionKeyId(keyId) },
  };
}

function join(parts: ArnParts): string {
  return [parts.prefix, parts.partition, parts.service, parts.region, parts.accountId, parts.resource].join(":");
}

function suggestWith(scope: ParseScope, parts: ArnParts, change: Partial<ArnParts>): string | undefined {
  return acceptedCandidate(scope, join({ ...parts, ...change }));
}

const FORMAT_HINT = "A key ARN has six parts separated by colons: arn:partition:kms:region:account-id:key/key-id.";

function rejectSegmentCount(candidate: string, segments: string[], scope: ParseScope): KeyArnParse {
  const partial = readFields(candidate);
  const count = segments.length;

  // ARNs of some services have colons in their resource (secretsmanager:...:secret:name).
  const service = segments[2] ?? "";
  if (count > 6 && service !== "kms" && /^[a-z0-9-]+$/.test(service)) {
    const [prefix = "", partition = "", , region = "", accountId = "", ...resource] = segments;
    return rejectService({ prefix, partition, service, region, accountId, resource: resource.join(":") }, scope, partial);
  }

  const resourceType = segments[5]?.toLowerCase();
  if (count === 7 && resourceType === "alias") {
    return rejectAlias("ALIAS_ARN", `alias/${segments[6] ?? ""}`, scope, partial);
  }
  if (count === 7 && resourceType === "key") {
    const slashed = [...segments.slice(0, 5), `${segments[5]}/${segments[6]}`].join(":");
    return reject(
      "WRONG_SEGMENT_COUNT",
      `The ARN has a colon after ${quoteValue(segments[5] ?? "")} where a slash belongs. Write key/<key ID>.`,
      readFields(slashed),
      { suggestedArn: acceptedCandidate(scope, slashed) },
    );
  }

  const collapsed = candidate.replace(/:{2,}/g, ":").replace(/:$/, "");
  if (count > 6 && collapsed !== candidate) {
    if (collapsed.split(":").length === 6) {
      return reject(
        "WRONG_SEGMENT_COUNT",
        `The ARN has an extra colon, which makes ${count} parts instead of 6. ${FORMAT_HINT}`,
        readFields(collapsed),
        { suggestedArn: acceptedCandidate(scope, collapsed) },
      );
    }
  }

  if (count === 5) {
    const missing = findMissingPart(segments.slice(1));
    if (missing !== undefined) {
      const aligned = [...segments];
      aligned.splice(PART_ORDER.indexOf(missing) + 1, 0, "");
      const field = MISSING_PART_FIELDS[missing];
      return reject(
        "MISSING_SEGMENT",
        `The ARN has no ${MISSING_PART_NAMES[missing]}. ${FORMAT_HINT}`,
        readFields(aligned.join(":")),
        field === undefined ? {} : { field },
      );
    }
  }

  if (count < 6) {
    return reject(
      "WRONG_SEGMENT_COUNT",
      `The ARN is incomplete: it has ${count} of the 6 colon-separated parts. Paste the whole key ARN, such as ${keyArnTemplate(scope)}.`,
      partial,
    );
  }
  return reject(
    "WRONG_SEGMENT_COUNT",
    `The ARN has ${count} colon-separated parts instead of 6. ${FORMAT_HINT}`,
    partial,
  );
}

type PartName = "partition" | "service" | "region" | "accountId" | "resource";

const PART_ORDER: readonly PartName[] = ["partition", "service", "region", "accountId", "resource"];

const MISSING_PART_NAMES: Readonly<Record<PartName, string>> = {
  partition: "partition (such as aws)",
  service: "service name (kms)",
  region: "region",
  accountId: "AWS account ID",
  resource: "key/<key ID> at the end",
};

const MISSING_PART_FIELDS: Readonly<Record<PartName, KeyArnField | undefined>> = {
  partition: "partition",
  service: undefined,
  region: "region",
  accountId: "accountId",
  resource: "keyId",
};

/** Loose shapes, only used to tell which part of a five-part ARN is missing. */
const PART_SHAPES: Readonly<Record<PartName, RegExp>> = {
  partition: /^aws(?:-[a-z]+)*$/i,
  service: /^kms$/i,
  region: /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}[a-z]?$/i,
  accountId: /^[\d-]{10,16}$/,
  resource: /\//,
};

/** Returns the one part whose absence explains the four parts after "arn", or undefined when it is ambiguous. */
function findMissingPart(present: string[]): PartName | undefined {
  const fits = PART_ORDER.filter((missing) => {
    const expected = PART_ORDER.filter((name) => name !== missing);
    return expected.every((name, index) => PART_SHAPES[name].test(present[index] ?? ""));
  });
  return fits.length === 1 ? fits[0] : undefined;
}

const EMPTY_PART_DESCRIPTIONS: readonly [PartName, string, KeyArnField | undefined][] = [
  ["partition", "partition (such as aws)", "partition"],
  ["service", "service name (kms)", undefined],
  ["region", "region", "region"],
  ["accountId", "AWS account ID", "accountId"],
  ["resource", "key/<key ID> part", "keyId"],
];

/** Returns a check for empty parts among `names`. */
function checkEmpty(...names: PartName[]) {
  return (parts: ArnParts, _scope: ParseScope, partial: Problem["partial"]): KeyArnParse | undefined => {
    for (const [name, description, field] of EMPTY_PART_DESCRIPTIONS) {
      if (names.includes(name) && parts[name] === "") {
        return reject(
          "EMPTY_SEGMENT",
          `The ARN has an empty ${description} between two colons. ${FORMAT_HINT}`,
          partial,
          field === undefined ? {} : { field },
        );
      }
    }
    return undefined;
  };
}

function checkCase(parts: ArnParts, scope: ParseScope): KeyArnParse | undefined {
  const resourceType = parts.resource.split("/")[0] ?? "";
  const lowercaseOnly = [parts.prefix, parts.partition, parts.service, parts.region, resourceType];
  if (lowercaseOnly.every((part) => part === part.toLowerCase())) {
    return undefined;
  }

  const lowercase = join(parts).toLowerCase();
  const uppercaseParts = lowercaseOnly.filter((part) => part !== part.toLowerCase()).map((part) => quoteValue(part));
  return reject(
    "WRONG_CASE",
    `ARNs are case-sensitive, and ${uppercaseParts.join(", ")} must be written in lowercase.`,
    readFields(lowercase),
    { suggestedArn: acceptedCandidate(scope, lowercase) },
  );
}

function checkPartition(parts: ArnParts, scope: ParseScope, partial: Problem["partial"]): KeyArnParse | undefined {
  if (findPartition(parts.partition) !== undefined) {
    return undefined;
  }

  const regionPartition = partitionOfRegion(parts.region);
  const hint =
    regionPartition === undefined
      ? `Keys for this service are in the ${scope.servicePartition.id} partition.`
      : `The partition of ${parts.region} is ${regionPartition.id}.`;
  return reject("UNKNOWN_PARTITION", `${quoteValue(parts.partition)} is not an AWS partition. ${hint}`, partial, {
    field: "partition",
    suggestedArn:
      regionPartition === undefined ? undefined : suggestWith(scope, parts, { partition: regionPartition.id }),
  });
}

function checkService(parts: ArnParts, scope: ParseScope, partial: Problem["partial"]): KeyArnParse | undefined {
  return parts.service === "kms" ? undefined : rejectService(parts, scope, partial);
}

function rejectService(parts: ArnParts, scope: ParseScope, partial: Problem["partial"]): KeyArnParse {
  const template = keyArnTemplate(scope);
  if (parts.service === "iam" && parts.resource.startsWith("role/")) {
    return reject(
      "WRONG_SERVICE",
      `${quoteValue(join(parts))} is an IAM role ARN, not a KMS key ARN. Paste the ARN of your KMS key, such as ${template}.`,
      partial,
    );
  }
  return reject(
    "WRONG_SERVICE",
    `This is an ARN of the ${quoteValue(parts.service)} service, not of a KMS key. Paste the ARN of your KMS key, such as ${template}.`,
    partial,
  );
}

function checkRegion(parts: ArnParts, scope: ParseScope, partial: Problem["partial"]): KeyArnParse | undefined {
  const { region } = parts;
  const zoneRegion = regionOfZoneName(region);
  if (zoneRegion !== undefined) {
    return reject(
      "AVAILABILITY_ZONE",
      `${quoteValue(region)} is an availability zone, not a region. KMS keys belong to a region, here ${zoneRegion}.`,
      partial,
      { field: "region", suggestedArn: suggestWith(scope, parts, { region: zoneRegion }) },
    );
  }
  if (isAvailabilityZoneId(region)) {
    return reject(
      "AVAILABILITY_ZONE",
      `${quoteValue(region)} is an availability zone ID, not a region. Use the region name, such as ${scope.serviceRegion}.`,
      partial,
      { field: "region" },
    );
  }

  const regionPartition = partitionOfRegion(region);
  if (regionPartition === undefined) {
    const respelled = respellRegion(region);
    return reject(
      "INVALID_REGION",
      `${quoteValue(region)} is not an AWS region name. Region names look like ${scope.serviceRegion}.`,
      partial,
      { field: "region", suggestedArn: respelled === undefined ? undefined : suggestWith(scope, parts, { region: respelled }) },
    );
  }

  if (regionPartition.id !== parts.partition) {
    return reject(
      "REGION_NOT_IN_PARTITION",
      `The region ${region} belongs to the ${regionPartition.id} partition, not ${parts.partition}, so no key has this ARN. Copy the key ARN from the KMS console again.`,
      partial,
      { field: "region", suggestedArn: suggestWith(scope, parts, { partition: regionPartition.id }) },
    );
  }
  return undefined;
}

/** Rewrites `us_west_2`, `uswest2` or `us-west2` as `us-west-2` when that is a region name. */
function respellRegion(region: string): string | undefined {
  const match = /^([a-z]{2})[-_]?([a-z]+)[-_]?(\d{1,2})$/.exec(region.toLowerCase());
  const respelled = match === null ? undefined : `${match[1]}-${match[2]}-${match[3]}`;
  return respelled !== undefined && respelled !== region && isRegionName(respelled) ? respelled : undefined;
}

function checkAccount(parts: ArnParts, scope: ParseScope, partial: Problem["partial"]): KeyArnParse | undefined {
  const { accountId } = parts;
  if (/^\d{12}$/.test(accountId)) {
    return undefined;
  }

  const digits = accountId.replace(/[-.]/g, "");
  if (digits !== accountId && /^\d{12}$/.test(digits)) {
    return reject(
      "INVALID_ACCOUNT",
      `The account ID ${quoteValue(accountId)} contains separators. Write it as 12 digits without hyphens: ${digits}.`,
      partial,
      { field: "accountId", suggestedArn: suggestWith(scope, parts, { accountId: digits }) },
    );
  }

  if (/^\d+$/.test(accountId) && accountId.length < 12) {
    return reject(
      "INVALID_ACCOUNT",
      `The account ID ${quoteValue(accountId)} has ${accountId.length} digits, but AWS account IDs have 12. If it started with zeros, a spreadsheet may have dropped them; copy the ARN from the KMS console again.`,
      partial,
      { field: "accountId" },
    );
  }
  const lengthHint = /^\d+$/.test(accountId) ? `has ${accountId.length} digits` : "is not a number";
  return reject(
    "INVALID_ACCOUNT",
    `The account ID ${quoteValue(accountId)} ${lengthHint}, but AWS account IDs are exactly 12 digits. Copy the key ARN from the KMS console again.`,
    partial,
    { field: "accountId" },
  );
}

/** Resource types that people write for a key; each is suggested as `key/`. */
const KEY_TYPE_MISSPELLINGS = new Set(["keys", "key-id", "keyid", "kms-key", "cmk", "kms"]);

function checkResource(parts: ArnParts, scope: ParseScope, partial: Problem["partial"]): KeyArnParse | undefined {
  const { resource } = parts;
  const slash = resource.indexOf("/");

  if (slash === -1) {
    if (resource === "key" || resource === "alias") {
      return reject("INVALID_KEY_ID", `The ARN ends at ${quoteValue(resource)} without a key ID. ${FORMAT_HINT}`, partial, {
        field: "keyId",
      });
    }
    if (looksLikeKeyId(resource)) {
      return reject(
        "MISSING_RESOURCE_TYPE",
        `The ARN has no "key/" before the key ID ${quoteValue(resource)}. A key ARN ends with :key/<key ID>.`,
        partial,
        { field: "keyId", suggestedArn: suggestWith(scope, parts, { resource: `key/${resource}` }) },
      );
    }
    return reject(
      "WRONG_RESOURCE_TYPE",
      `The ARN ends with ${quoteValue(resource)}, but a key ARN ends with :key/<key ID>.`,
      partial,
      { field: "keyId" },
    );
  }

  const resourceType = resource.slice(0, slash);
  const resourceId = resource.slice(slash + 1);
  if (resourceId === "") {
    return reject("INVALID_KEY_ID", `The ARN ends at ${quoteValue(resource)} without a key ID. ${FORMAT_HINT}`, partial, {
      field: "keyId",
    });
  }

  if (resourceType === "alias") {
    return rejectAlias("ALIAS_ARN", resource, scope, partial);
  }
  if (resourceType !== "key") {
    const misspelled = KEY_TYPE_MISSPELLINGS.has(resourceType.toLowerCase()) || looksLikeKeyId(resourceId);
    return reject(
      "WRONG_RESOURCE_TYPE",
      `The ARN names a KMS ${quoteValue(resourceType)}, not a key. A key ARN ends with :key/<key ID>.`,
      partial,
      { field: "keyId", suggestedArn: misspelled ? suggestWith(scope, parts, { resource: `key/${resourceId}` }) : undefined },
    );
  }

  const diagnosis = diagnoseKeyId(resourceId);
  if (diagnosis === undefined) {
    return undefined;
  }
  return reject(
    "INVALID_KEY_ID",
    `The key ID ${quoteValue(resourceId)} ${diagnosis.reason}. Copy the key ARN from the KMS console again.`,
    partial,
    {
      field: "keyId",
      suggestedArn:
        diagnosis.fixedKeyId === undefined ? undefined : suggestWith(scope, parts, { resource: `key/${diagnosis.fixedKeyId}` }),
    },
  );
}

/**
 * Rejects an alias. An alias can be re-pointed to another key at any time, so the
 * configured key must be named by its key ARN.
 */
export function rejectAlias(
  code: "ALIAS_ARN" | "BARE_ALIAS",
  alias: string,
  scope: ParseScope,
  partial: Problem["partial"],
): KeyArnParse {
  const awsManaged = alias.startsWith("alias/aws/")
    ? " AWS managed keys cannot be used because their key policy cannot be changed, so create a customer managed key."
    : "";
  return reject(
    code,
    `${quoteValue(alias)} is an alias, which can be moved to another key. Paste the ARN of the key itself (${keyArnTemplate(scope)}), shown on the key's page in the KMS console.${awsManaged}`,
    partial,
    { field: "keyId" },
  );
}

function checkServicePartition(parts: ArnParts, scope: ParseScope, partial: Problem["partial"]): KeyArnParse | undefined {
  const { servicePartition, serviceRegion } = scope;
  if (parts.partition === servicePartition.id) {
    return undefined;
  }

  const keyPartitionName = findPartition(parts.partition)?.displayName ?? parts.partition;
  return reject(
    "OTHER_PARTITION",
    `The key is in the ${parts.partition} partition, ${keyPartitionName}, but this service runs in the ${servicePartition.id} partition and cannot use keys from another one. Create the key in ${serviceRegion}.`,
    { ...partial, arn: join(parts) },
    { field: "partition" },
  );
}

function checkServiceRegion(parts: ArnParts, scope: ParseScope, partial: Problem["partial"]): KeyArnParse | undefined {
  const { serviceRegion } = scope;
  if (parts.region === serviceRegion) {
    return undefined;
  }

  const keyId = parts.resource.slice("key/".length);
  const wellFormed = { ...partial, arn: join(parts) };
  if (isMultiRegionKeyId(keyId)) {
    return reject(
      "REPLICA_REQUIRED",
      `This multi-region key is in ${parts.region}, but this service runs in ${serviceRegion}. Replicate the key to ${serviceRegion} if it has no replica there yet, and paste the replica's ARN.`,
      wellFormed,
      { field: "region", suggestedArn: suggestWith(scope, parts, { region: serviceRegion }) },
    );
  }
  return reject(
    "REGION_MISMATCH",
    `The key is in ${parts.region}, but this service runs in ${serviceRegion}, and a single-region key must be in the same region. Create the key in ${serviceRegion}, or use a multi-region key with a replica there.`,
    wellFormed,
    { field: "region" },
  );
}
