import { describe, expect, it } from "vitest";

import {
  PARTITIONS,
  findPartition,
  isAvailabilityZoneId,
  partitionOfRegion,
  regionOfZoneName,
  servicePartitionOf,
} from "./partitions";

describe("partitionOfRegion", () => {
  it.each([
    ["us-west-2", "aws"],
    ["us-east-1", "aws"],
    ["eu-central-2", "aws"],
    ["ap-southeast-5", "aws"],
    ["sa-east-1", "aws"],
    ["ca-west-1", "aws"],
    ["me-central-1", "aws"],
    ["af-south-1", "aws"],
    ["il-central-1", "aws"],
    ["mx-central-1", "aws"],
    ["cn-north-1", "aws-cn"],
    ["cn-northwest-1", "aws-cn"],
    ["us-gov-west-1", "aws-us-gov"],
    ["us-gov-east-1", "aws-us-gov"],
    ["us-iso-east-1", "aws-iso"],
    ["us-isob-east-1", "aws-iso-b"],
    ["eu-isoe-west-1", "aws-iso-e"],
    ["us-isof-south-1", "aws-iso-f"],
    ["eusc-de-east-1", "aws-eusc"],
  ])("puts %s in %s", (region, partition) => {
    expect(partitionOfRegion(region)?.id).toBe(partition);
  });

  it.each(["", "us-west", "us-west-2a", "US-WEST-2", "xx-west-1", "us-gov-1", "global", "us-west-2 ", "cn-north"])(
    "rejects %j",
    (region) => {
      expect(partitionOfRegion(region)).toBeUndefined();
    },
  );

  it("matches each example region in one partition only", () => {
    for (const partition of PARTITIONS) {
      const matching = PARTITIONS.filter((other) => other.regionPattern.test(partition.exampleRegion));

      expect(matching.map((other) => other.id)).toEqual([partition.id]);
    }
  });
});

describe("findPartition", () => {
  it("finds known partitions by exact id", () => {
    expect(findPartition("aws-us-gov")?.displayName).toBe("AWS GovCloud (US)");
    expect(findPartition("AWS")).toBeUndefined();
    expect(findPartition("aws-gov")).toBeUndefined();
  });
});

describe("zone names", () => {
  it.each([
    ["us-west-2a", "us-west-2"],
    ["eu-central-1c", "eu-central-1"],
    ["us-gov-west-1b", "us-gov-west-1"],
    ["us-west-2-lax-1a", "us-west-2"],
    ["us-east-1-wl1-bos-wlz-1", "us-east-1"],
  ])("reads the region of %s", (zone, region) => {
    expect(regionOfZoneName(zone)).toBe(region);
  });

  it.each(["us-west-2", "us-west-22", "xx-west-2a", "usw2-az1"])("finds no zone in %s", (value) => {
    expect(regionOfZoneName(value)).toBeUndefined();
  });

  it("recognizes availability zone IDs", () => {
    expect(isAvailabilityZoneId("usw2-az1")).toBe(true);
    expect(isAvailabilityZoneId("use1-az6")).toBe(true);
    expect(isAvailabilityZoneId("usw2-lax1-az1")).toBe(true);
    expect(isAvailabilityZoneId("us-west-2")).toBe(false);
  });
});

describe("servicePartitionOf", () => {
  it("returns the partition of a region", () => {
    expect(servicePartitionOf("us-west-2").id).toBe("aws");
    expect(servicePartitionOf("cn-north-1").id).toBe("aws-cn");
  });

  it("throws for a value that is no region", () => {
    expect(() => servicePartitionOf("oregon")).toThrow('Invalid service region "oregon"');
  });
});
