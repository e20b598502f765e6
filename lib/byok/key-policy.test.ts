import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import {
  ACCOUNT_ID_PLACEHOLDER,
  DEFAULT_PRINCIPAL_ARN,
  KeyPolicyInputError,
  ROTATION_STATUS_STATEMENT_SID,
  awsCliCommands,
  fullKeyPolicy,
  keyPolicyStatement,
  terraformSnippet,
  type KeyPolicyInput,
} from "./key-policy";

const ACCOUNT_UUID = "0b9e4c1e-5b0a-4c3e-9f57-3d2b6f0c8a11";
const KEY_ARN = "arn:aws:kms:us-west-2:011122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

const BASE: KeyPolicyInput = {
  principalArn: DEFAULT_PRINCIPAL_ARN,
  service: "zep",
  accountUuid: ACCOUNT_UUID,
  serviceRegion: "us-west-2",
  includeAccountCondition: true,
  includeReEncrypt: false,
};

const TOGGLES = [
  { includeAccountCondition: true, includeReEncrypt: false },
  { includeAccountCondition: false, includeReEncrypt: false },
  { includeAccountCondition: true, includeReEncrypt: true },
  { includeAccountCondition: false, includeReEncrypt: true },
];

function expectedStatement(toggles: { includeAccountCondition: boolean; includeReEncrypt: boolean }) {
  const stringEquals: Record<string, string> = { "kms:EncryptionContext:service": "zep" };
  if (toggles.includeAccountCondition) {
    stringEquals["kms:EncryptionContext:account_uuid"] = ACCOUNT_UUID;
  }
  return {
    Sid: "AllowZepBYOKAccess",
    Effect: "Allow",
    Principal: { AWS: DEFAULT_PRINCIPAL_ARN },
    Action: toggles.includeReEncrypt
      ? ["kms:GenerateDataKey", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo"]
      : ["kms:GenerateDataKey", "kms:Decrypt"],
    Resource: "*",
    Condition: { StringEquals: stringEquals },
  };
}

const ROTATION_STATUS_STATEMENT = {
  Sid: "AllowZepReadKeyRotationStatus",
  Effect: "Allow",
  Principal: { AWS: DEFAULT_PRINCIPAL_ARN },
  Action: ["kms:GetKeyRotationStatus"],
  Resource: "*",
};

function ownerStatement(accountId: string) {
  return {
    Sid: "EnableIAMUserPermissions",
    Effect: "Allow",
    Principal: { AWS: `arn:aws:iam::${accountId}:root` },
    Action: "kms:*",
    Resource: "*",
  };
}

describe("keyPolicyStatement", () => {
  it.each(TOGGLES)("has the exact shape for %o", (toggles) => {
    const statement: unknown = JSON.parse(keyPolicyStatement({ ...BASE, ...toggles }));

    expect(statement).toEqual(expectedStatement(toggles));
  });

  it("names the account UUID only with the account condition", () => {
    expect(keyPolicyStatement({ ...BASE, includeAccountCondition: true })).toContain(ACCOUNT_UUID);
    expect(keyPolicyStatement({ ...BASE, includeAccountCondition: false })).not.toContain(ACCOUNT_UUID);
    expect(keyPolicyStatement({ ...BASE, includeAccountCondition: false })).not.toContain("account_uuid");
  });
});

describe("fullKeyPolicy", () => {
  it.each(TOGGLES)("has the exact shape for %o", (toggles) => {
    const policy: unknown = JSON.parse(fullKeyPolicy({ ...BASE, ...toggles, tenantAwsAccountId: "111122223333" }));

    expect(policy).toEqual({
      Version: "2012-10-17",
      Statement: [ownerStatement("111122223333"), expectedStatement(toggles)],
    });
  });

  it("uses a placeholder for an unknown owner", () => {
    const policy = fullKeyPolicy(BASE);

    expect(policy).toContain(`arn:aws:iam::${ACCOUNT_ID_PLACEHOLDER}:root`);
    expect(fullKeyPolicy({ ...BASE, tenantAwsAccountId: "" })).toContain(ACCOUNT_ID_PLACEHOLDER);
  });

  it("takes the owner from the key ARN", () => {
    const policy = JSON.parse(fullKeyPolicy({ ...BASE, keyArn: KEY_ARN })) as { Statement: unknown[] };

    expect(policy.Statement[0]).toEqual(ownerStatement("011122223333"));
  });

  it("rejects a tenant account that does not own the key", () => {
    expect(() => fullKeyPolicy({ ...BASE, keyArn: KEY_ARN, tenantAwsAccountId: "111122223333" })).toThrow(KeyPolicyInputError);
  });

  it("writes the owner in the service's partition", () => {
    const policy = fullKeyPolicy({
      ...BASE,
      serviceRegion: "cn-north-1",
      principalArn: "arn:aws-cn:iam::467218391112:role/zep-byok",
      tenantAwsAccountId: "111122223333",
    });

    expect(policy).toContain('"arn:aws-cn:iam::111122223333:root"');
  });
});

describe("awsCliCommands", () => {
  it("contains principal, region and conditions", () => {
    const script = awsCliCommands(BASE);

    expect(script).toContain(DEFAULT_PRINCIPAL_ARN);
    expect(script).toContain("--region us-west-2");
    expect(script).toContain('"kms:EncryptionContext:service": "zep"');
    expect(script).toContain(`"kms:EncryptionContext:account_uuid": "${ACCOUNT_UUID}"`);
    expect(script).toContain("--policy-name default");
  });

  it("leaves out the account UUID without the condition", () => {
    expect(awsCliCommands({ ...BASE, includeAccountCondition: false })).not.toContain(ACCOUNT_UUID);
  });

  it("writes the policy through a quoted heredoc", () => {
    const script = awsCliCommands(BASE);
    const lines = script.split("\n");
    const start = lines.findIndex((line) => line.endsWith("<<'KEY_POLICY'"));
    const end = lines.indexOf("KEY_POLICY");

    expect(start).toBeGreaterThan(-1);
    expect(end).toBeGreaterThan(start);
    expect(lines.filter((line) => line === "KEY_POLICY")).toHaveLength(1);
    expect(JSON.parse(lines.slice(start + 1, end).join("\n"))).toEqual(JSON.parse(fullKeyPolicy(BASE)));
  });

  it("creates a key only when none is known", () => {
    expect(awsCliCommands(BASE)).toContain("aws kms create-key");
    expect(awsCliCommands({ ...BASE, keyArn: KEY_ARN })).not.toContain("create-key");
    expect(awsCliCommands({ ...BASE, keyArn: KEY_ARN })).toContain(`KEY_ARN='${KEY_ARN}'`);
  });

  it("targets the region of an existing key", () => {
    const elsewhere = "arn:aws:kms:eu-west-1:011122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    expect(awsCliCommands({ ...BASE, keyArn: elsewhere })).toContain("--region eu-west-1");
  });
});

describe("awsCliCommands in bash", () => {
  let workDirectory: string | undefined;

  afterEach(() => {
    if (workDirectory !== undefined) {
      rmSync(workDirectory, { recursive: true, force: true });
      workDirectory = undefined;
    }
  });

  /**
   * Runs the script in bash with `aws` replaced by a function that records each call,
   * prints a fixed key ARN for create-key and copies the policy file of put-key-policy.
   * PATH leaves out any real AWS CLI, so no call can leave the machine.
   */
  function runWithStub(script: string) {
    workDirectory = mkdtempSync(join(tmpdir(), "key-policy-cli-"));
    const stub = [
      "aws() {",
      "  printf '%s\\n' \"$*\" >> calls.log",
      '  if [ "$1" != kms ]; then echo "unexpected aws $1" >&2; return 2; fi',
      '  case "$2" in',
      `    create-key) printf '%s\\n' '${KEY_ARN}' ;;`,
      '    put-key-policy) for arg in "$@"; do case "$arg" in file://*) cp "${arg#file://}" applied-policy.json ;; esac; done ;;',
      "  esac",
      "}",
    ].join("\n");

    const run = spawnSync("bash", ["--noprofile", "--norc", "-c", `${stub}\n${script}`], {
      cwd: workDirectory,
      env: { NODE_ENV: "test", PATH: "/usr/bin:/bin", HOME: workDirectory },
      encoding: "utf8",
    });
    const read = (name: string) => readFileSync(join(workDirectory ?? "", name), "utf8");
    return { run, calls: read("calls.log").trim().split("\n"), appliedPolicy: JSON.parse(read("applied-policy.json")) as unknown };
  }

  it("creates a key and applies the full policy", () => {
    const { run, calls, appliedPolicy } = runWithStub(awsCliCommands(BASE));

    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim().split("\n").at(-1)).toBe(KEY_ARN);
    expect(calls[0]).toMatch(/^kms create-key --region us-west-2 /);
    expect(calls).toContain(`kms put-key-policy --region us-west-2 --key-id ${KEY_ARN} --policy-name default --policy file://zep-byok-key-policy.json`);
    expect(appliedPolicy).toEqual(JSON.parse(fullKeyPolicy({ ...BASE, tenantAwsAccountId: "011122223333" })));
  });

  it("applies the rotation status statement", () => {
    const input = { ...BASE, includeRotationStatus: true, keyArn: KEY_ARN };
    const { run, appliedPolicy } = runWithStub(awsCliCommands(input));

    expect(run.status, run.stderr).toBe(0);
    expect(appliedPolicy).toEqual(JSON.parse(fullKeyPolicy(input)));
    expect(JSON.stringify(appliedPolicy)).toContain("kms:GetKeyRotationStatus");
  });

  it("applies the policy to a known key", () => {
    const input = { ...BASE, includeReEncrypt: true, keyArn: KEY_ARN };
    const { run, calls, appliedPolicy } = runWithStub(awsCliCommands(input));

    expect(run.status, run.stderr).toBe(0);
    expect(calls).toEqual([
      `kms put-key-policy --region us-west-2 --key-id ${KEY_ARN} --policy-name default --policy file://zep-byok-key-policy.json`,
    ]);
    expect(appliedPolicy).toEqual(JSON.parse(fullKeyPolicy(input)));
  });
});

describe("terraformSnippet", () => {
  it("contains principal, region and conditions", () => {
    const snippet = terraformSnippet(BASE);

    expect(snippet).toContain(`"${DEFAULT_PRINCIPAL_ARN}"`);
    expect(snippet).toContain('region = "us-west-2"');
    expect(snippet).toMatch(/"kms:EncryptionContext:service"\s+= "zep"/);
    expect(snippet).toMatch(new RegExp(`"kms:EncryptionContext:account_uuid" = "${ACCOUNT_UUID}"`));
    expect(snippet).toContain('Action    = ["kms:GenerateDataKey", "kms:Decrypt"]');
  });

  it("declares key, policy, caller identity and output", () => {
    const snippet = terraformSnippet(BASE);

    expect(snippet).toContain('resource "aws_kms_key" "byok"');
    expect(snippet).toContain('resource "aws_kms_key_policy" "byok"');
    expect(snippet).toContain('data "aws_caller_identity" "current"');
    expect(snippet).toContain("${data.aws_caller_identity.current.account_id}:root");
    expect(snippet).toContain('output "byok_key_arn"');
    expect(snippet).toContain("value       = aws_kms_key.byok.arn");
  });

  it("lists the re-encrypt actions when asked", () => {
    const snippet = terraformSnippet({ ...BASE, includeReEncrypt: true });

    expect(snippet).toContain('"kms:ReEncryptFrom",');
    expect(snippet).toContain('"kms:ReEncryptTo",');
  });

  it("leaves out the account UUID without the condition", () => {
    const snippet = terraformSnippet({ ...BASE, includeAccountCondition: false });

    expect(snippet).not.toContain(ACCOUNT_UUID);
    expect(snippet).not.toContain("account_uuid");
  });

  it("manages only the policy of a known key", () => {
    const snippet = terraformSnippet({ ...BASE, keyArn: KEY_ARN });

    expect(snippet).not.toContain('resource "aws_kms_key" ');
    expect(snippet).toContain(`key_id   = "${KEY_ARN}"`);
  });

  it("has balanced braces and brackets", () => {
    const snippet = terraformSnippet({ ...BASE, includeReEncrypt: true });
    const count = (character: string) => snippet.split(character).length - 1;

    expect(count("{")).toBe(count("}"));
    expect(count("[")).toBe(count("]"));
    expect(count("(")).toBe(count(")"));
  });
});

describe("rotation status statement", () => {
  const WITH_ROTATION: KeyPolicyInput = { ...BASE, includeRotationStatus: true };

  it.each(TOGGLES)("follows the platform statement for %o", (toggles) => {
    const statements: unknown = JSON.parse(keyPolicyStatement({ ...WITH_ROTATION, ...toggles }));

    expect(statements).toEqual([expectedStatement(toggles), ROTATION_STATUS_STATEMENT]);
  });

  it("has no encryption-context condition", () => {
    const [, rotation] = JSON.parse(keyPolicyStatement(WITH_ROTATION)) as Record<string, unknown>[];

    expect(rotation?.Sid).toBe(ROTATION_STATUS_STATEMENT_SID);
    expect(rotation).not.toHaveProperty("Condition");
    expect(JSON.stringify(rotation)).not.toContain("EncryptionContext");
  });

  it("stays out of the context-bound statement", () => {
    const [platform] = JSON.parse(keyPolicyStatement(WITH_ROTATION)) as { Action: string[] }[];

    expect(platform?.Action).not.toContain("kms:GetKeyRotationStatus");
  });

  it("is part of the full key policy", () => {
    const policy: unknown = JSON.parse(fullKeyPolicy({ ...WITH_ROTATION, tenantAwsAccountId: "111122223333" }));

    expect(policy).toEqual({
      Version: "2012-10-17",
      Statement: [ownerStatement("111122223333"), expectedStatement(BASE), ROTATION_STATUS_STATEMENT],
    });
  });

  it.each([
    ["absent", BASE],
    ["false", { ...BASE, includeRotationStatus: false }],
  ])("is left out when the option is %s", (_name, input) => {
    for (const generate of [keyPolicyStatement, fullKeyPolicy, awsCliCommands, terraformSnippet]) {
      expect(generate(input)).not.toContain("GetKeyRotationStatus");
    }
    expect(JSON.parse(keyPolicyStatement(input))).toEqual(expectedStatement(BASE));
  });

  it("is in the Terraform policy", () => {
    const snippet = terraformSnippet(WITH_ROTATION);

    expect(snippet).toContain(`Sid       = "${ROTATION_STATUS_STATEMENT_SID}"`);
    expect(snippet).toContain('Action    = ["kms:GetKeyRotationStatus"]');
    expect(snippet).toContain("# It also lets the role read the key's rotation status");
  });

  it("is named in the CLI advice for a known key", () => {
    const script = awsCliCommands({ ...WITH_ROTATION, keyArn: KEY_ARN });

    expect(script).toContain(`# add the AllowZepBYOKAccess and ${ROTATION_STATUS_STATEMENT_SID} statements to it instead.`);
  });
});

describe("key policy input validation", () => {
  const generators = [keyPolicyStatement, fullKeyPolicy, awsCliCommands, terraformSnippet];

  it.each<[string, Partial<KeyPolicyInput>]>([
    ["principal with a quote", { principalArn: 'arn:aws:iam::467218391112:role/zep"-byok' }],
    ["principal with a command", { principalArn: "arn:aws:iam::467218391112:role/$(id)" }],
    ["principal with a line break", { principalArn: "arn:aws:iam::467218391112:role/zep\nKEY_POLICY" }],
    ["principal with an interpolation", { principalArn: "arn:aws:iam::467218391112:role/${var.x}" }],
    ["principal of another service", { principalArn: "arn:aws:kms:us-west-2:467218391112:key/zep" }],
    ["principal in another partition", { principalArn: "arn:aws-us-gov:iam::467218391112:role/zep-byok" }],
    ["service with a quote", { service: "zep'" }],
    ["service with a space", { service: "zep byok" }],
    ["service with a dollar", { service: "zep${x}" }],
    ["empty service", { service: "" }],
    ["uppercase account UUID", { accountUuid: ACCOUNT_UUID.toUpperCase() }],
    ["account UUID with a quote", { accountUuid: `${ACCOUNT_UUID}"` }],
    ["account UUID with a line break", { accountUuid: `${ACCOUNT_UUID}\nKEY_POLICY` }],
    ["service region with a command", { serviceRegion: "us-west-2; rm -rf ~" }],
    ["unknown service region", { serviceRegion: "oregon" }],
    ["short tenant account", { tenantAwsAccountId: "1234" }],
    ["tenant account with a quote", { tenantAwsAccountId: "11112222333'" }],
    ["key ARN with a quote", { keyArn: `${KEY_ARN}'; echo owned` }],
    ["alias ARN", { keyArn: "arn:aws:kms:us-west-2:011122223333:alias/zep" }],
    ["key ARN with whitespace", { keyArn: ` ${KEY_ARN}` }],
  ])("rejects %s", (_name, change) => {
    for (const generate of generators) {
      expect(() => generate({ ...BASE, ...change })).toThrow(KeyPolicyInputError);
    }
  });

  it("accepts a role with a path", () => {
    const principalArn = "arn:aws:iam::467218391112:role/service-role/zep-byok";

    expect(JSON.parse(keyPolicyStatement({ ...BASE, principalArn }))).toMatchObject({ Principal: { AWS: principalArn } });
  });
});
