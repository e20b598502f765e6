/**
 * AWS partitions and the region names that belong to each.
 *
 * Region names are matched by shape, not against a list, so that a region AWS opens
 * later is accepted without a code change. The shapes are those of the AWS SDK partition
 * metadata: `aws` regions are `<us|eu|ap|sa|ca|me|af|il|mx>-<word>-<number>`, and every
 * other partition has its own prefix (`cn-`, `us-gov-`, `us-iso-`, ...). The prefixes do
 * not overlap, so a region belongs to exactly one partition.
 */

export interface Partition {
  /** Partition id as written in ARNs, e.g. `aws-us-gov`. */
  id: string;
  /** Name for messages, e.g. `AWS GovCloud (US)`. */
  displayName: string;
  /** Region names of this partition. */
  regionPattern: RegExp;
  /** Region used in examples when the partition is the service partition. */
  exampleRegion: string;
}

export const PARTITIONS: readonly Partition[] = [
  {
    id: "aws",
    displayName: "AWS",
    // The middle word excludes the prefixes of other partitions, so us-gov-1 is not an aws region.
    regionPattern: /^(?:us|eu|ap|sa|ca|me|af|il|mx)-(?!gov-|iso[a-z]?-)[a-z]+-\d{1,2}$/,
    exampleRegion: "us-west-2",
  },
  {
    id: "aws-cn",
    displayName: "AWS China",
    regionPattern: /^cn-[a-z]+-\d{1,2}$/,
    exampleRegion: "cn-north-1",
  },
  {
    id: "aws-us-gov",
    displayName: "AWS GovCloud (US)",
    regionPattern: /^us-gov-[a-z]+-\d{1,2}$/,
    exampleRegion: "us-gov-west-1",
  },
  {
    id: "aws-iso",
    displayName: "AWS ISO (US)",
    regionPattern: /^us-iso-[a-z]+-\d{1,2}$/,
    exampleRegion: "us-iso-east-1",
  },
  {
    id: "aws-iso-b",
    displayName: "AWS ISOB (US)",
    regionPattern: /^us-isob-[a-z]+-\d{1,2}$/,
    exampleRegion: "us-isob-east-1",
  },
  {
    id: "aws-iso-e",
    displayName: "AWS ISOE (Europe)",
    regionPattern: /^eu-isoe-[a-z]+-\d{1,2}$/,
    exampleRegion: "eu-isoe-west-1",
  },
  {
    id: "aws-iso-f",
    displayName: "AWS ISOF",
    regionPattern: /^us-isof-[a-z]+-\d{1,2}$/,
    exampleRegion: "us-isof-south-1",
  },
  {
    id: "aws-eusc",
    displayName: "AWS European Sovereign Cloud",
    regionPattern: /^eusc-[a-z]+-[a-z]+-\d{1,2}$/,
    exampleRegion: "eusc-de-east-1",
  },
];

export function findPartition(partitionId: string): Partition | undefined {
  return PARTITIONS.find((partition) => partition.id === partitionId);
}

/** Returns the partition that the region name belongs to, or undefined when the string is not a region name. */
export function partitionOfRegion(region: string): Partition | undefined {
  return PARTITIONS.find((partition) => partition.regionPattern.test(region));
}

export function isRegionName(region: string): boolean {
  return partitionOfRegion(region) !== undefined;
}

/**
 * Returns the region of an availability zone name (`us-west-2a`), a Local Zone
 * (`us-west-2-lax-1a`) or a Wavelength Zone (`us-east-1-wl1-bos-wlz-1`), or undefined.
 */
export function regionOfZoneName(zone: string): string | undefined {
  const availabilityZone = /^([a-z]+(?:-[a-z]+)+-\d{1,2})[a-z]$/.exec(zone);
  const localOrWavelengthZone = /^([a-z]+(?:-[a-z]+)+-\d{1,2})-[a-z0-9]+(?:-[a-z0-9]+)*$/.exec(zone);
  const region = availabilityZone?.[1] ?? localOrWavelengthZone?.[1];

  return region !== undefined && isRegionName(region) ? region : undefined;
}

/** Returns whether the value is an availability zone ID such as `usw2-az1`, which does not name its region. */
export function isAvailabilityZoneId(value: string): boolean {
  return /^[a-z]{2,5}\d{1,2}-(?:az\d{1,2}|[a-z]{3}\d?-az\d{1,2})$/.test(value);
}

/**
 * Returns the partition of the region the service runs in.
 * Throws when the string is not an AWS region name, because that is a configuration error.
 */
export function servicePartitionOf(serviceRegion: string): Partition {
  const partition = partitionOfRegion(serviceRegion);
  if (partition === undefined) {
    throw new Error(`Invalid service region "${serviceRegion}": expected an AWS region name such as us-west-2.`);
  }
  return partition;
}
