import { describe, expect, it } from "vitest";

import { describeKeyArn, parseKeyArn, replicaArn, type KeyArn } from "@/lib/arn";

function keyOf(arn: string): KeyArn {
  const result = parseKeyArn(arn, { serviceRegion: "us-west-2" });
  if (!result.ok) throw new Error(result.problem.message);
  return result.key;
}

const SINGLE = keyOf("arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
const MULTI = keyOf("arn:aws:kms:us-west-2:444455556666:key/mrk-1234abcd12ab34cd56ef1234567890ab");

describe("describeKeyArn", () => {
  it("describes a single-region key", () => {
    expect(describeKeyArn(SINGLE)).toBe("Key 1234abcd-12ab-34cd-56ef-1234567890ab in us-west-2, AWS account 111122223333");
  });

  it("describes a multi-region key", () => {
    expect(describeKeyArn(MULTI)).toBe("Multi-region key mrk-1234abcd12ab34cd56ef1234567890ab in us-west-2, AWS account 444455556666");
  });
});

describe("replicaArn", () => {
  it("replaces the region of a multi-region key", () => {
    expect(replicaArn(MULTI, "eu-west-1")).toBe("arn:aws:kms:eu-west-1:444455556666:key/mrk-1234abcd12ab34cd56ef1234567890ab");
  });

  it("throws for a single-region key", () => {
    expect(() => replicaArn(SINGLE, "eu-west-1")).toThrow("single-region key");
  });
});
