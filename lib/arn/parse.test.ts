import { describe, expect, it } from "vitest";

import { KEY_ARN_PROBLEM_CODES, parseKeyArn, type KeyArnParse, type KeyArnProblemCode } from "@/lib/arn";

const SERVICE = { serviceRegion: "us-west-2" };
const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
const MRK_ID = "mrk-1234abcd12ab34cd56ef1234567890ab";
const VALID = `arn:aws:kms:us-west-2:111122223333:key/${KEY_ID}`;
const VALID_MRK = `arn:aws:kms:us-west-2:444455556666:key/${MRK_ID}`;

/** The accepted shape: every ARN that parses must match it. */
const CANONICAL_KEY_ARN =
  /^arn:aws:kms:us-west-2:\d{12}:key\/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

function parse(input: string): KeyArnParse {
  return parseKeyArn(input, SERVICE);
}

function problemOf(input: string) {
  const result = parse(input);
  if (result.ok) {
    throw new Error(`expected ${JSON.stringify(input)} to be rejected, but it parsed as ${result.key.arn}`);
  }
  return result;
}

/** Inputs from public bug reports against other tools, with what a correct parser does. */
describe("parseKeyArn documented cases", () => {
  it.each([
    { input: VALID, region: "us-west-2", accountId: "111122223333", multiRegion: false },
    { input: VALID_MRK, region: "us-west-2", accountId: "444455556666", multiRegion: true },
    { input: `  ${VALID}\n`, region: "us-west-2", accountId: "111122223333", multiRegion: false },
    {
      input: `arn:aws:kms:us-west-2:011122223333:key/${KEY_ID}`,
      region: "us-west-2",
      accountId: "011122223333",
      multiRegion: false,
    },
  ])("accepts $input", ({ input, region, accountId, multiRegion }) => {
    const result = parse(input);

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.key.arn).toBe(input.trim());
    expect(result.key.partition).toBe("aws");
    expect(result.key.region).toBe(region);
    expect(result.key.accountId).toBe(accountId);
    expect(result.key.multiRegion).toBe(multiRegion);
  });

  it.each<[string, KeyArnProblemCode, string | undefined]>([
    [
      `arn:aws:kms:us-east-1:444455556666:key/${MRK_ID}`,
      "REPLICA_REQUIRED",
      `arn:aws:kms:us-west-2:444455556666:key/${MRK_ID}`,
    ],
    [`arn:aws:kms:eu-west-1:444455556666:key/${KEY_ID}`, "REGION_MISMATCH", undefined],
    [`arn:aws-us-gov:kms:us-gov-west-1:444455556666:key/${KEY_ID}`, "OTHER_PARTITION", undefined],
    ["arn:aws:kms:us-west-2:444455556666:alias/zep-byok", "ALIAS_ARN", undefined],
    [KEY_ID, "BARE_KEY_ID", undefined],
    [`arn:aws:kms:us-west-2:1111-2222-3333:key/${KEY_ID}`, "INVALID_ACCOUNT", VALID],
    [`arn:aws:kms:us-west-2a:111122223333:key/${KEY_ID}`, "AVAILABILITY_ZONE", VALID],
    [`arn:aws:kms:us-west-2:111122223333:key/ ${KEY_ID}`, "WHITESPACE_INSIDE", VALID],
  ])("rejects %s as %s", (input, code, suggestedArn) => {
    const { problem } = problemOf(input);

    expect(problem.code).toBe(code);
    expect(problem.suggestedArn).toBe(suggestedArn);
  });

  it("names the replica requirement for a multi-region key elsewhere", () => {
    const { problem } = problemOf(`arn:aws:kms:us-east-1:444455556666:key/${MRK_ID}`);

    expect(problem.message).toContain("us-east-1");
    expect(problem.message).toContain("Replicate the key to us-west-2");
  });

  it("reads a GovCloud key as well-formed", () => {
    const result = problemOf(`arn:aws-us-gov:kms:us-gov-west-1:444455556666:key/${KEY_ID}`);

    expect(result.problem.message).toContain("aws-us-gov");
    expect(result.partial).toMatchObject({ partition: "aws-us-gov", region: "us-gov-west-1", accountId: "444455556666" });
  });

  it("tells a single-region key to move to the service region", () => {
    const { problem } = problemOf(`arn:aws:kms:eu-west-1:444455556666:key/${KEY_ID}`);

    expect(problem.message).toContain("eu-west-1");
    expect(problem.message).toContain("Create the key in us-west-2");
    expect(problem.message).toContain("multi-region key");
  });
});

interface Row {
  input: string;
  code: KeyArnProblemCode;
  /** Expected suggestion; null when none can be derived. */
  suggested: string | null;
  /** Text the message must contain, usually the offending value. */
  mentions?: string;
}

/** One block per kind of mistake, several inputs each, because each kind is fixed as a whole. */
const KINDS: Record<string, Row[]> = {
  "empty input": [
    { input: "", code: "EMPTY", suggested: null },
    { input: "   \n\t", code: "EMPTY", suggested: null },
    { input: "\u200b\ufeff\u00a0", code: "EMPTY", suggested: null },
  ],
  "bare key id or key/ path": [
    { input: KEY_ID, code: "BARE_KEY_ID", suggested: null, mentions: KEY_ID },
    { input: MRK_ID, code: "BARE_KEY_ID", suggested: null, mentions: MRK_ID },
    { input: `key/${KEY_ID}`, code: "BARE_KEY_ID", suggested: null },
    { input: KEY_ID.toUpperCase(), code: "BARE_KEY_ID", suggested: null, mentions: KEY_ID },
  ],
  "alias names and alias ARNs": [
    { input: "alias/zep-byok", code: "BARE_ALIAS", suggested: null, mentions: "alias/zep-byok" },
    { input: "arn:aws:kms:us-west-2:111122223333:alias/zep-byok", code: "ALIAS_ARN", suggested: null },
    { input: "arn:aws:kms:us-east-1:111122223333:alias/zep-byok", code: "ALIAS_ARN", suggested: null },
    { input: "arn:aws:kms:us-west-2:111122223333:alias:zep-byok", code: "ALIAS_ARN", suggested: null, mentions: "alias/zep-byok" },
    {
      input: "arn:aws:kms:us-west-2:111122223333:alias/aws/s3",
      code: "ALIAS_ARN",
      suggested: null,
      mentions: "AWS managed keys cannot be used",
    },
  ],
  "quotes, brackets and trailing punctuation from JSON or Terraform": [
    { input: `"${VALID}"`, code: "QUOTED", suggested: VALID },
    { input: `"${VALID}",`, code: "QUOTED", suggested: VALID, mentions: "comma" },
    { input: `'${VALID}'`, code: "QUOTED", suggested: VALID },
    { input: `\`${VALID}\``, code: "QUOTED", suggested: VALID },
    { input: `\u201c${VALID}\u201d`, code: "QUOTED", suggested: VALID },
    { input: `["${VALID}"]`, code: "QUOTED", suggested: VALID },
    { input: `[\n  "${VALID}"\n]`, code: "QUOTED", suggested: VALID },
    { input: `<${VALID}>`, code: "QUOTED", suggested: VALID },
    { input: `"${VALID}`, code: "QUOTED", suggested: VALID },
    { input: `${VALID},`, code: "TRAILING_PUNCTUATION", suggested: VALID, mentions: "comma" },
    { input: `${VALID};`, code: "TRAILING_PUNCTUATION", suggested: VALID },
    { input: `${VALID}.`, code: "TRAILING_PUNCTUATION", suggested: VALID, mentions: "period" },
    { input: `${VALID} \\`, code: "TRAILING_PUNCTUATION", suggested: VALID },
  ],
  "quoted ARN with its own problem": [
    {
      input: `"arn:aws:kms:us-west-2a:111122223333:key/${KEY_ID}",`,
      code: "AVAILABILITY_ZONE",
      suggested: VALID,
    },
    { input: `'arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}'`, code: "REGION_MISMATCH", suggested: null },
  ],
  "text around the ARN": [
    { input: `"KeyArn": "${VALID}",`, code: "EXTRA_TEXT", suggested: VALID },
    { input: `key_arn = "${VALID}"`, code: "EXTRA_TEXT", suggested: VALID },
    { input: `KMS_KEY_ARN=${VALID}`, code: "EXTRA_TEXT", suggested: VALID },
    { input: `My key is ${VALID}.`, code: "EXTRA_TEXT", suggested: VALID },
    { input: `${VALID} (production)`, code: "EXTRA_TEXT", suggested: VALID, mentions: "(production)" },
    { input: `arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID} (production)`, code: "EXTRA_TEXT", suggested: null },
    { input: `aws kms describe-key --key-id ${VALID}`, code: "EXTRA_TEXT", suggested: VALID },
    { input: `Account: ${VALID}`, code: "EXTRA_TEXT", suggested: VALID },
    { input: `region:${VALID}`, code: "EXTRA_TEXT", suggested: VALID },
  ],
  "several ARNs, such as a CloudTrail event": [
    {
      input: JSON.stringify({
        eventSource: "kms.amazonaws.com",
        eventName: "Decrypt",
        userIdentity: { arn: "arn:aws:sts::467218391112:assumed-role/zep-byok/session" },
        requestParameters: { keyId: VALID, encryptionContext: { service: "zep" } },
        resources: [{ accountId: "111122223333", type: "AWS::KMS::Key", ARN: VALID }],
      }),
      code: "MULTIPLE_ARNS",
      suggested: VALID,
    },
    { input: `${VALID}${VALID}`, code: "MULTIPLE_ARNS", suggested: VALID, mentions: "2 times" },
    { input: `${VALID}\n${VALID}`, code: "MULTIPLE_ARNS", suggested: VALID },
    { input: `${VALID}\n${VALID_MRK}`, code: "MULTIPLE_ARNS", suggested: null, mentions: "2 different ARNs" },
  ],
  "whitespace and invisible characters inside": [
    { input: `arn:aws:kms:us-west-2:111122223333:key/ ${KEY_ID}`, code: "WHITESPACE_INSIDE", suggested: VALID },
    { input: `arn:aws:kms:us-west-2:111122223333:\nkey/${KEY_ID}`, code: "WHITESPACE_INSIDE", suggested: VALID, mentions: "line break" },
    { input: `arn:aws:kms:us-west-2:111122223333:key/\t${KEY_ID}`, code: "WHITESPACE_INSIDE", suggested: VALID, mentions: "tab" },
    { input: `arn:aws:kms:us-west-2:1111\u00a022223333:key/${KEY_ID}`, code: "WHITESPACE_INSIDE", suggested: VALID, mentions: "no-break space" },
    { input: `arn:aws:kms:us-west-2:111122223333:ke\u200by/${KEY_ID}`, code: "INVISIBLE_CHARACTER", suggested: VALID, mentions: "U+200B" },
    { input: `arn:aws:kms:us-west-2:111122223333:key/${KEY_ID.slice(0, 10)}\u00ad${KEY_ID.slice(10)}`, code: "INVISIBLE_CHARACTER", suggested: VALID, mentions: "soft hyphen" },
    { input: `arn:aws:kms:us-west-2:111122223333:key/\u0007${KEY_ID}`, code: "INVISIBLE_CHARACTER", suggested: VALID, mentions: "U+0007" },
  ],
  "URL-encoded ARN": [
    { input: encodeURIComponent(VALID), code: "URL_ENCODED", suggested: VALID },
    { input: encodeURIComponent(VALID).toLowerCase().replace(KEY_ID.toLowerCase(), KEY_ID), code: "URL_ENCODED", suggested: VALID },
    { input: encodeURIComponent(`arn:aws:kms:us-west-2a:111122223333:key/${KEY_ID}`), code: "AVAILABILITY_ZONE", suggested: VALID },
  ],
  "console URL": [
    {
      input: `https://us-west-2.console.aws.amazon.com/kms/home?region=us-west-2#/kms/keys/${KEY_ID}`,
      code: "CONSOLE_URL",
      suggested: null,
      mentions: "General configuration",
    },
    { input: `console.aws.amazon.com/kms/home?region=us-west-2#/kms/keys/${KEY_ID}`, code: "CONSOLE_URL", suggested: null },
    {
      input: `https://console.aws.amazon.com/go/view?arn=${encodeURIComponent(VALID)}`,
      code: "CONSOLE_URL",
      suggested: VALID,
    },
    { input: "https://kms.us-west-2.amazonaws.com/", code: "NOT_AN_ARN", suggested: null, mentions: "URL" },
  ],
  "case": [
    { input: VALID.toUpperCase(), code: "WRONG_CASE", suggested: VALID, mentions: "ARN" },
    { input: `ARN:AWS:KMS:us-west-2:111122223333:key/${KEY_ID}`, code: "WRONG_CASE", suggested: VALID },
    { input: `arn:aws:kms:US-WEST-2:111122223333:key/${KEY_ID}`, code: "WRONG_CASE", suggested: VALID, mentions: "US-WEST-2" },
    { input: `arn:aws:kms:us-west-2:111122223333:Key/${KEY_ID}`, code: "WRONG_CASE", suggested: VALID },
    { input: `arn:aws:KMS:us-west-2:111122223333:key/${KEY_ID}`, code: "WRONG_CASE", suggested: VALID },
  ],
  "full-width and lookalike characters": [
    {
      input: "ａｒｎ：ａｗｓ：ｋｍｓ：ｕｓ－ｗｅｓｔ－２：１１１１２２２２３３３３：ｋｅｙ／" + KEY_ID,
      code: "NON_ASCII",
      suggested: VALID,
      mentions: "U+FF41",
    },
    { input: VALID.replace("us-west-2", "us\u2011west\u20112"), code: "NON_ASCII", suggested: VALID, mentions: "non-breaking hyphen" },
    { input: VALID.replace("us-west-2", "us\u2013west\u20132"), code: "NON_ASCII", suggested: VALID, mentions: "en dash" },
    { input: VALID.replace("kms", "km\u0455"), code: "NON_ASCII", suggested: VALID, mentions: "U+0455" },
    { input: VALID.replace("arn", "\u0430rn"), code: "NON_ASCII", suggested: VALID, mentions: "U+0430" },
    { input: VALID.replace(":key", "\uff1akey"), code: "NON_ASCII", suggested: VALID },
    { input: VALID.replace("key/", "key\u2215"), code: "NON_ASCII", suggested: VALID },
    { input: VALID.replace("1111", "１１11"), code: "NON_ASCII", suggested: VALID },
    { input: VALID.replace("aws", "\u00e4ws"), code: "NON_ASCII", suggested: null, mentions: "U+00E4" },
  ],
  "shortened or template ARN": [
    { input: `arn:aws:kms:us-west-2:111122223333:key/1234abcd-…`, code: "TRUNCATED", suggested: null },
    { input: `arn:aws:kms:us-west-2:111122223333:key/1234abcd...`, code: "TRUNCATED", suggested: null },
    { input: "arn:aws:kms:<region>:<account-id>:key/<key-id>", code: "PLACEHOLDER", suggested: null, mentions: "<region>" },
    { input: `arn:aws:kms:us-west-2:\${var.account_id}:key/${KEY_ID}`, code: "PLACEHOLDER", suggested: null },
    { input: "arn:aws:kms:REGION:ACCOUNT_ID:key/KEY_ID", code: "PLACEHOLDER", suggested: null, mentions: "REGION" },
    { input: `arn:aws:kms:us-west-2:111122223333:key/{{key_id}}`, code: "PLACEHOLDER", suggested: null },
    { input: `"\${aws_kms_key.byok.arn}"`, code: "PLACEHOLDER", suggested: null },
  ],
  "not an ARN": [
    { input: `aws:kms:us-west-2:111122223333:key/${KEY_ID}`, code: "NOT_AN_ARN", suggested: VALID, mentions: "arn:" },
    { input: `:aws:kms:us-west-2:111122223333:key/${KEY_ID}`, code: "NOT_AN_ARN", suggested: VALID },
    { input: `arm:aws:kms:us-west-2:111122223333:key/${KEY_ID}`, code: "NOT_AN_ARN", suggested: VALID, mentions: "arm:" },
    { input: "111122223333", code: "NOT_AN_ARN", suggested: null, mentions: "account ID" },
    { input: "us-west-2", code: "NOT_AN_ARN", suggested: null, mentions: "region" },
    { input: "my production key", code: "NOT_AN_ARN", suggested: null },
    { input: "arn", code: "NOT_AN_ARN", suggested: null },
  ],
  "too many or too few colons": [
    { input: `arn:aws:kms:us-west-2::111122223333:key/${KEY_ID}`, code: "WRONG_SEGMENT_COUNT", suggested: VALID },
    { input: `arn:aws:kms:us-west-2:111122223333:key/${KEY_ID}:`, code: "WRONG_SEGMENT_COUNT", suggested: VALID },
    { input: `arn:aws:kms:us-west-2:111122223333:key:${KEY_ID}`, code: "WRONG_SEGMENT_COUNT", suggested: VALID, mentions: "slash" },
    { input: `arn:aws:kms:us-west-2:111122223333:key/${KEY_ID}:extra`, code: "WRONG_SEGMENT_COUNT", suggested: null },
    { input: "arn:aws:kms", code: "WRONG_SEGMENT_COUNT", suggested: null, mentions: "3 of the 6" },
    { input: `arn:aws:kms:111122223333:key/${KEY_ID}`, code: "MISSING_SEGMENT", suggested: null, mentions: "region" },
    { input: `arn:aws:kms:us-west-2:key/${KEY_ID}`, code: "MISSING_SEGMENT", suggested: null, mentions: "account ID" },
    { input: `arn:kms:us-west-2:111122223333:key/${KEY_ID}`, code: "MISSING_SEGMENT", suggested: null, mentions: "partition" },
    { input: "arn:aws:kms:us-west-2:111122223333", code: "MISSING_SEGMENT", suggested: null, mentions: "key/<key ID>" },
  ],
  "empty parts": [
    { input: `arn::kms:us-west-2:111122223333:key/${KEY_ID}`, code: "EMPTY_SEGMENT", suggested: null, mentions: "partition" },
    { input: `arn:aws::us-west-2:111122223333:key/${KEY_ID}`, code: "EMPTY_SEGMENT", suggested: null, mentions: "service" },
    { input: `arn:aws:kms::111122223333:key/${KEY_ID}`, code: "EMPTY_SEGMENT", suggested: null, mentions: "region" },
    { input: `arn:aws:kms:us-west-2::key/${KEY_ID}`, code: "EMPTY_SEGMENT", suggested: null, mentions: "account ID" },
    { input: "arn:aws:kms:us-west-2:111122223333:", code: "EMPTY_SEGMENT", suggested: null },
  ],
  "partition": [
    { input: `arn:amazon:kms:us-west-2:111122223333:key/${KEY_ID}`, code: "UNKNOWN_PARTITION", suggested: VALID, mentions: "amazon" },
    { input: `arn:aws-gov:kms:us-gov-west-1:111122223333:key/${KEY_ID}`, code: "UNKNOWN_PARTITION", suggested: null, mentions: "aws-us-gov" },
    { input: `arn:aws-cn:kms:cn-north-1:111122223333:key/${KEY_ID}`, code: "OTHER_PARTITION", suggested: null, mentions: "aws-cn" },
    { input: `arn:aws-iso:kms:us-iso-east-1:111122223333:key/${KEY_ID}`, code: "OTHER_PARTITION", suggested: null },
    { input: `arn:aws-eusc:kms:eusc-de-east-1:111122223333:key/${KEY_ID}`, code: "OTHER_PARTITION", suggested: null },
    { input: `arn:aws-us-gov:kms:us-gov-east-1:444455556666:key/${MRK_ID}`, code: "OTHER_PARTITION", suggested: null },
  ],
  "region in another partition": [
    { input: `arn:aws:kms:us-gov-west-1:111122223333:key/${KEY_ID}`, code: "REGION_NOT_IN_PARTITION", suggested: null, mentions: "aws-us-gov" },
    { input: `arn:aws:kms:cn-north-1:111122223333:key/${KEY_ID}`, code: "REGION_NOT_IN_PARTITION", suggested: null },
    { input: `arn:aws-cn:kms:us-west-2:111122223333:key/${KEY_ID}`, code: "REGION_NOT_IN_PARTITION", suggested: VALID },
    { input: `arn:aws-us-gov:kms:us-west-2:111122223333:key/${KEY_ID}`, code: "REGION_NOT_IN_PARTITION", suggested: VALID },
    { input: `arn:aws:kms:us-isob-east-1:111122223333:key/${KEY_ID}`, code: "REGION_NOT_IN_PARTITION", suggested: null, mentions: "aws-iso-b" },
    { input: `arn:aws:kms:eu-isoe-west-1:111122223333:key/${KEY_ID}`, code: "REGION_NOT_IN_PARTITION", suggested: null, mentions: "aws-iso-e" },
  ],
  "availability zones": [
    { input: `arn:aws:kms:us-west-2a:111122223333:key/${KEY_ID}`, code: "AVAILABILITY_ZONE", suggested: VALID, mentions: "us-west-2a" },
    { input: `arn:aws:kms:us-west-2d:111122223333:key/${KEY_ID}`, code: "AVAILABILITY_ZONE", suggested: VALID },
    { input: `arn:aws:kms:us-west-2-lax-1a:111122223333:key/${KEY_ID}`, code: "AVAILABILITY_ZONE", suggested: VALID },
    { input: `arn:aws:kms:usw2-az1:111122223333:key/${KEY_ID}`, code: "AVAILABILITY_ZONE", suggested: null, mentions: "usw2-az1" },
    { input: `arn:aws:kms:eu-west-1b:111122223333:key/${KEY_ID}`, code: "AVAILABILITY_ZONE", suggested: null, mentions: "eu-west-1" },
  ],
  "invalid region names": [
    { input: `arn:aws:kms:uswest2:111122223333:key/${KEY_ID}`, code: "INVALID_REGION", suggested: VALID },
    { input: `arn:aws:kms:us_west_2:111122223333:key/${KEY_ID}`, code: "INVALID_REGION", suggested: VALID },
    { input: `arn:aws:kms:us-west2:111122223333:key/${KEY_ID}`, code: "INVALID_REGION", suggested: VALID },
    { input: `arn:aws:kms:us-west:111122223333:key/${KEY_ID}`, code: "INVALID_REGION", suggested: null, mentions: "us-west" },
    { input: `arn:aws:kms:oregon:111122223333:key/${KEY_ID}`, code: "INVALID_REGION", suggested: null },
    { input: `arn:aws:kms:xx-west-1:111122223333:key/${KEY_ID}`, code: "INVALID_REGION", suggested: null },
    { input: `arn:aws:kms:global:111122223333:key/${KEY_ID}`, code: "INVALID_REGION", suggested: null },
  ],
  "account id": [
    { input: `arn:aws:kms:us-west-2:1111-2222-3333:key/${KEY_ID}`, code: "INVALID_ACCOUNT", suggested: VALID, mentions: "hyphens" },
    { input: `arn:aws:kms:us-west-2:1111.2222.3333:key/${KEY_ID}`, code: "INVALID_ACCOUNT", suggested: VALID },
    { input: `arn:aws:kms:us-west-2:11122223333:key/${KEY_ID}`, code: "INVALID_ACCOUNT", suggested: null, mentions: "11 digits" },
    { input: `arn:aws:kms:us-west-2:1111222233334:key/${KEY_ID}`, code: "INVALID_ACCOUNT", suggested: null, mentions: "13 digits" },
    { input: `arn:aws:kms:us-west-2:acme:key/${KEY_ID}`, code: "INVALID_ACCOUNT", suggested: null, mentions: "acme" },
    { input: `arn:aws:kms:us-west-2:11112222333O:key/${KEY_ID}`, code: "INVALID_ACCOUNT", suggested: null },
  ],
  "service": [
    { input: "arn:aws:iam::467218391112:role/zep-byok", code: "WRONG_SERVICE", suggested: null, mentions: "IAM role" },
    { input: "arn:aws:sts::467218391112:assumed-role/zep-byok/session", code: "WRONG_SERVICE", suggested: null, mentions: "sts" },
    { input: "arn:aws:s3:::my-bucket", code: "WRONG_SERVICE", suggested: null, mentions: "s3" },
    { input: `arn:aws:secretsmanager:us-west-2:111122223333:secret:db-AbCdEf`, code: "WRONG_SERVICE", suggested: null },
    { input: `arn:aws:ksm:us-west-2:111122223333:key/${KEY_ID}`, code: "WRONG_SERVICE", suggested: null },
  ],
  "resource type": [
    { input: `arn:aws:kms:us-west-2:111122223333:${KEY_ID}`, code: "MISSING_RESOURCE_TYPE", suggested: VALID, mentions: "key/" },
    { input: `arn:aws:kms:us-west-2:444455556666:${MRK_ID}`, code: "MISSING_RESOURCE_TYPE", suggested: VALID_MRK },
    { input: `arn:aws:kms:us-west-2:111122223333:keys/${KEY_ID}`, code: "WRONG_RESOURCE_TYPE", suggested: VALID, mentions: "keys" },
    { input: `arn:aws:kms:us-west-2:111122223333:key-id/${KEY_ID}`, code: "WRONG_RESOURCE_TYPE", suggested: VALID },
    { input: `arn:aws:kms:us-west-2:111122223333:grant/${"ab".repeat(32)}`, code: "WRONG_RESOURCE_TYPE", suggested: null, mentions: "grant" },
    { input: "arn:aws:kms:us-west-2:111122223333:something", code: "WRONG_RESOURCE_TYPE", suggested: null },
  ],
  "key id": [
    { input: `arn:aws:kms:us-west-2:111122223333:key/${KEY_ID.toUpperCase()}`, code: "INVALID_KEY_ID", suggested: VALID, mentions: "uppercase" },
    { input: `arn:aws:kms:us-west-2:444455556666:key/MRK-${MRK_ID.slice(4).toUpperCase()}`, code: "INVALID_KEY_ID", suggested: VALID_MRK },
    { input: `arn:aws:kms:us-west-2:444455556666:key/mrk-${KEY_ID}`, code: "INVALID_KEY_ID", suggested: VALID_MRK, mentions: "without hyphens" },
    { input: `arn:aws:kms:us-west-2:111122223333:key/${KEY_ID.replace(/-/g, "")}`, code: "INVALID_KEY_ID", suggested: VALID },
    { input: `${VALID}/`, code: "INVALID_KEY_ID", suggested: VALID, mentions: "followed by" },
    { input: `${VALID}/versions/1`, code: "INVALID_KEY_ID", suggested: VALID },
    { input: `${VALID}#`, code: "INVALID_KEY_ID", suggested: VALID },
    { input: `${VALID}0`, code: "INVALID_KEY_ID", suggested: VALID },
    { input: VALID.slice(0, -1), code: "INVALID_KEY_ID", suggested: null, mentions: "35 characters" },
    { input: `arn:aws:kms:us-west-2:444455556666:key/${MRK_ID.slice(0, -2)}`, code: "INVALID_KEY_ID", suggested: null, mentions: "30 characters after mrk-" },
    { input: VALID.replace(/b$/, "g"), code: "INVALID_KEY_ID", suggested: null, mentions: '"g"' },
    { input: `arn:aws:kms:us-west-2:111122223333:key/1234abcd12-ab-34cd-56ef-1234567890ab`, code: "INVALID_KEY_ID", suggested: null, mentions: "hyphens in the wrong places" },
    { input: "arn:aws:kms:us-west-2:111122223333:key/", code: "INVALID_KEY_ID", suggested: null, mentions: "without a key ID" },
    { input: "arn:aws:kms:us-west-2:111122223333:key", code: "INVALID_KEY_ID", suggested: null },
  ],
  "service region": [
    { input: `arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`, code: "REGION_MISMATCH", suggested: null, mentions: "eu-west-1" },
    { input: `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`, code: "REGION_MISMATCH", suggested: null },
    { input: `arn:aws:kms:eu-central-1:444455556666:key/${MRK_ID}`, code: "REPLICA_REQUIRED", suggested: VALID_MRK, mentions: "eu-central-1" },
    { input: `arn:aws:kms:ap-southeast-2:444455556666:key/${MRK_ID}`, code: "REPLICA_REQUIRED", suggested: VALID_MRK },
  ],
  "too long": [{ input: "x".repeat(10_001), code: "TOO_LONG", suggested: null, mentions: "10001" }],
};

const ALL_ROWS = Object.entries(KINDS).flatMap(([kind, rows]) => rows.map((row) => ({ kind, ...row })));

describe("parseKeyArn kinds of mistakes", () => {
  it.each(ALL_ROWS)("$kind: $input", ({ input, code, suggested, mentions }) => {
    const { problem } = problemOf(input);

    expect(problem.code).toBe(code);
    expect(problem.suggestedArn ?? null).toBe(suggested);
    if (mentions !== undefined) {
      expect(problem.message).toContain(mentions);
    }
  });

  it("covers every problem code", () => {
    const covered = new Set(ALL_ROWS.map((row) => row.code));
    const missing = KEY_ARN_PROBLEM_CODES.filter((code) => !covered.has(code));

    expect(missing).toEqual([]);
  });

  it.each(ALL_ROWS)("$kind: suggestion parses for $input", ({ input }) => {
    const { problem } = problemOf(input);
    if (problem.suggestedArn === undefined) return;

    const suggested = parse(problem.suggestedArn);
    expect(suggested.ok).toBe(true);
  });

  it.each(ALL_ROWS)("$kind: message is short for $input", ({ input }) => {
    const { problem } = problemOf(input);
    const sentences = problem.message.split(/(?<=[.!?])\s+(?=[A-Z])/);

    expect(problem.message.trim()).toBe(problem.message);
    expect(problem.message).toMatch(/[.]$/);
    expect(sentences.length).toBeLessThanOrEqual(3);
    expect(problem.message.length).toBeLessThanOrEqual(320);
  });
});

describe("parseKeyArn trimming", () => {
  it.each([
    ["spaces", `  ${VALID}  `],
    ["newlines", `\n${VALID}\r\n`],
    ["tabs", `\t${VALID}\t`],
    ["no-break spaces", `\u00a0${VALID}\u00a0`],
    ["zero-width spaces", `\u200b${VALID}\u200b`],
    ["byte order mark", `\ufeff${VALID}`],
    ["bidirectional marks", `\u200e${VALID}\u200f`],
    ["ideographic space", `\u3000${VALID}`],
  ])("trims %s at the ends", (_name, input) => {
    const result = parse(input);

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.key.arn).toBe(VALID);
  });

  it("does not trim inside the value", () => {
    const { problem } = problemOf(`arn:aws:kms:us-west-2:111122223333:key/\u200b${KEY_ID}`);

    expect(problem.code).toBe("INVISIBLE_CHARACTER");
  });
});

describe("parseKeyArn partial fields", () => {
  it("reads region and account while the key id is typed", () => {
    const result = problemOf("arn:aws:kms:us-west-2:111122223333:key/1234");

    expect(result.partial.region).toBe("us-west-2");
    expect(result.partial.accountId).toBe("111122223333");
    expect(result.partial.keyId).toBeUndefined();
  });

  it("reads nothing invalid from a prefix", () => {
    const result = problemOf("arn:aws:kms:us-west-2:1111");

    expect(result.partial).toEqual({ partition: "aws", region: "us-west-2" });
  });

  it("never throws on any prefix of valid ARNs", () => {
    for (const arn of [VALID, VALID_MRK, `"KeyArn": "${VALID}",`]) {
      for (let length = 0; length <= arn.length; length += 1) {
        const result = parse(arn.slice(0, length));
        if (result.ok) {
          expect(result.key.arn).toMatch(CANONICAL_KEY_ARN);
        } else {
          expect(result.problem.message.length).toBeGreaterThan(0);
        }
      }
    }
  });

  it("aligns the fields around a missing part", () => {
    const result = problemOf(`arn:aws:kms:us-west-2:key/${KEY_ID}`);

    expect(result.problem.field).toBe("accountId");
    expect(result.partial).toEqual({ partition: "aws", region: "us-west-2", keyId: KEY_ID, multiRegion: false });
  });

  it("keeps the parsed fields of a rejected well-formed key", () => {
    const result = problemOf(`arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`);

    expect(result.partial).toEqual({
      arn: `arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`,
      partition: "aws",
      region: "eu-west-1",
      accountId: "111122223333",
      keyId: KEY_ID,
      multiRegion: false,
    });
  });

  it("reads the fields of a quoted ARN", () => {
    const result = problemOf(`"${VALID}",`);

    expect(result.partial).toMatchObject({ region: "us-west-2", accountId: "111122223333", keyId: KEY_ID });
  });
});

describe("parseKeyArn service region", () => {
  it("accepts a key of another partition's service region", () => {
    const arn = `arn:aws-cn:kms:cn-north-1:111122223333:key/${KEY_ID}`;
    const result = parseKeyArn(arn, { serviceRegion: "cn-north-1" });

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.key.partition).toBe("aws-cn");
  });

  it("rejects aws keys from a GovCloud service", () => {
    const result = parseKeyArn(VALID, { serviceRegion: "us-gov-west-1" });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem.code).toBe("OTHER_PARTITION");
  });

  it("suggests the replica in the configured region", () => {
    const result = parseKeyArn(VALID_MRK, { serviceRegion: "eu-west-1" });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem.code).toBe("REPLICA_REQUIRED");
    expect(result.problem.suggestedArn).toBe(VALID_MRK.replace("us-west-2", "eu-west-1"));
  });

  it.each(["", "us-west", "US-WEST-2", "us-west-2a", "mars-north-1"])("throws for service region %j", (serviceRegion) => {
    expect(() => parseKeyArn(VALID, { serviceRegion })).toThrow(/service region/);
  });
});

/** Deterministic pseudo-random numbers (mulberry32), so a failure reproduces. */
function randomNumbers(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

describe("parseKeyArn mutations", () => {
  it("accepts only canonical ARNs and suggests only valid ones", () => {
    const random = randomNumbers(20_240_611);
    const alphabet = ["a", "f", "g", "0", "9", ":", "/", "-", " ", "\u200b", "A", "\u2011", '"', ",", "%3A", "."];

    for (let round = 0; round < 3000; round += 1) {
      const base = random() < 0.5 ? VALID : VALID_MRK;
      const position = Math.floor(random() * (base.length + 1));
      const insert = alphabet[Math.floor(random() * alphabet.length)] ?? "";
      const operation = Math.floor(random() * 3);
      const mutated =
        operation === 0
          ? base.slice(0, position) + insert + base.slice(position)
          : operation === 1
            ? base.slice(0, position) + base.slice(position + 1)
            : base.slice(0, position) + insert + base.slice(position + 1);

      const result = parse(mutated);
      if (result.ok) {
        expect(result.key.arn, JSON.stringify(mutated)).toMatch(CANONICAL_KEY_ARN);
        expect(result.key.arn, JSON.stringify(mutated)).toBe(mutated.replace(/^[\s\u200b]+|[\s\u200b]+$/g, ""));
      } else if (result.problem.suggestedArn !== undefined) {
        expect(parse(result.problem.suggestedArn).ok, JSON.stringify(mutated)).toBe(true);
      }
    }
  });
});
