import { describe, expect, it } from "vitest";

import { ALARMED_KMS_EVENTS, cloudTrailAlarmSnippet, type KeyPolicyInput } from "@/lib/byok/key-policy";

const BASE: KeyPolicyInput = {
  principalArn: "arn:aws:iam::467218391112:role/zep-byok",
  service: "zep",
  accountUuid: "0b7c5a36-2f05-4d3c-9a57-8f6cdb3a1e11",
  serviceRegion: "us-west-2",
  includeAccountCondition: true,
  includeReEncrypt: false,
};
const KEY_ARN = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

describe("cloudTrailAlarmSnippet", () => {
  it("watches the calls that cut the platform off", () => {
    const snippet = cloudTrailAlarmSnippet(BASE);

    for (const event of ALARMED_KMS_EVENTS) expect(snippet).toContain(`"${event}"`);
    expect(snippet).toContain('"AWS API Call via CloudTrail"');
    expect(snippet).toContain("aws_cloudwatch_event_target");
    expect(snippet).toContain('Service = "events.amazonaws.com"');
  });

  it("matches a new key by Terraform reference", () => {
    const snippet = cloudTrailAlarmSnippet(BASE);

    expect(snippet).toContain("aws_kms_key.byok.arn");
    expect(snippet).toContain("aws_kms_key.byok.key_id");
  });

  it("matches an existing key by ARN and by key ID", () => {
    const snippet = cloudTrailAlarmSnippet({ ...BASE, keyArn: KEY_ARN, tenantAwsAccountId: "111122223333" });

    expect(snippet).toContain(`"${KEY_ARN}"`);
    expect(snippet).toContain('"1234abcd-12ab-34cd-56ef-1234567890ab"');
    expect(snippet).not.toContain("aws_kms_key.byok.arn");
  });

  it("balances its braces", () => {
    const snippet = cloudTrailAlarmSnippet(BASE);

    expect(snippet.split("{").length).toBe(snippet.split("}").length);
    expect(snippet.split("(").length).toBe(snippet.split(")").length);
  });
});
