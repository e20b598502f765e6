/**
 * Ready-to-copy key policy JSON, AWS CLI commands and Terraform that let the platform
 * principal use a tenant's KMS key. Pure, because the key-policy helper renders it in
 * the browser as the admin flips its options.
 *
 * The statement grants kms:GenerateDataKey and kms:Decrypt (plus kms:ReEncryptFrom and
 * kms:ReEncryptTo when asked) only under the platform's encryption context. Its
 * condition keys are derived from `buildEncryptionContext`, so they cannot drift from
 * the context that the KMS calls send.
 *
 * When asked, a second statement grants kms:GetKeyRotationStatus, so the dashboard can show
 * whether KMS rotates the key. That call carries no encryption context, and a condition on
 * `kms:EncryptionContext:*` never matches a request without one, so the action cannot go
 * into the first statement: it gets a statement of its own without a condition.
 *
 * Every input is validated, and the functions throw `KeyPolicyInputError` otherwise,
 * because each value ends up inside JSON, a shell heredoc and an HCL string. Validated
 * values contain no quotes, backslashes, `$`, `{` or whitespace.
 */

import { parseKeyArn, partitionOfRegion } from "@/lib/arn";
import { ENCRYPTION_CONTEXT_KEYS, buildEncryptionContext, type EncryptionContext } from "@/lib/kms/context";

export interface KeyPolicyInput {
  /** IAM role that the platform uses for KMS calls, e.g. `arn:aws:iam::467218391112:role/zep-byok`. */
  principalArn: string;
  /** Value of the `service` encryption-context key, e.g. `zep`. */
  service: string;
  /** The tenant's account UUID, the value of the `account_uuid` encryption-context key. */
  accountUuid: string;
  serviceRegion: string;
  /** Whether the statement also requires `kms:EncryptionContext:account_uuid` = `accountUuid`. */
  includeAccountCondition: boolean;
  /** Whether the statement also allows `kms:ReEncryptFrom` and `kms:ReEncryptTo`. */
  includeReEncrypt: boolean;
  /** Whether to add a statement that allows `kms:GetKeyRotationStatus`. Absent means false. */
  includeRotationStatus?: boolean;
  /** The tenant's 12-digit AWS account ID, when known; empty means unknown. */
  tenantAwsAccountId?: string;
  /** ARN of the tenant's existing key; the CLI and Terraform then change its policy instead of creating a key. */
  keyArn?: string;
}

export const DEFAULT_PRINCIPAL_ARN = "arn:aws:iam::467218391112:role/zep-byok";
export const BYOK_STATEMENT_SID = "AllowZepBYOKAccess";
export const ROTATION_STATUS_STATEMENT_SID = "AllowZepReadKeyRotationStatus";
export const KEY_OWNER_STATEMENT_SID = "EnableIAMUserPermissions";
export const ACCOUNT_ID_PLACEHOLDER = "<YOUR_AWS_ACCOUNT_ID>";

export class KeyPolicyInputError extends Error {
  override name = "KeyPolicyInputError";
}

/** IAM role, user or account-root ARN; the character set is IAM's for names and paths. */
const PRINCIPAL_ARN = /^arn:(aws[a-z-]*):iam::\d{12}:(?:root|(?:role|user)\/[\w+=,.@/-]{1,512})$/;

interface CheckedInput {
  principalArn: string;
  context: EncryptionContext;
  partition: string;
  includeAccountCondition: boolean;
  includeReEncrypt: boolean;
  includeRotationStatus: boolean;
  ownerAccountId: string | undefined;
  existingKey: { arn: string; region: string } | undefined;
  /** Region of the commands: the existing key's region, otherwise the service region. */
  region: string;
}

function checkInput(input: KeyPolicyInput): CheckedInput {
  const partition = partitionOfRegion(input.serviceRegion);
  if (partition === undefined) {
    throw new KeyPolicyInputError(`Invalid service region ${JSON.stringify(input.serviceRegion)}: expected an AWS region name such as us-west-2.`);
  }

  const principal = PRINCIPAL_ARN.exec(input.principalArn);
  if (principal === null) {
    throw new KeyPolicyInputError(
      `Invalid principal ARN ${JSON.stringify(input.principalArn)}: expected an IAM role ARN such as ${DEFAULT_PRINCIPAL_ARN}.`,
    );
  }
  if (principal[1] !== partition.id) {
    throw new KeyPolicyInputError(
      `The principal ARN ${input.principalArn} is not in the partition of ${input.serviceRegion} (${partition.id}).`,
    );
  }

  let context: EncryptionContext;
  try {
    context = buildEncryptionContext(input.service, input.accountUuid);
  } catch (error) {
    throw new KeyPolicyInputError((error as Error).message);
  }

  const tenantAccountId = input.tenantAwsAccountId === "" ? undefined : input.tenantAwsAccountId;
  if (tenantAccountId !== undefined && !/^\d{12}$/.test(tenantAccountId)) {
    throw new KeyPolicyInputError(`Invalid AWS account ID ${JSON.stringify(tenantAccountId)}: expected 12 digits.`);
  }

  const existingKey = input.keyArn === undefined || input.keyArn === "" ? undefined : checkKeyArn(input.keyArn, input.serviceRegion);
  if (existingKey !== undefined && tenantAccountId !== undefined && existingKey.accountId !== tenantAccountId) {
    throw new KeyPolicyInputError(
      `The key ${existingKey.arn} belongs to AWS account ${existingKey.accountId}, not to the tenant account ${tenantAccountId}.`,
    );
  }

  return {
    principalArn: input.principalArn,
    context,
    partition: partition.id,
    includeAccountCondition: input.includeAccountCondition,
    includeReEncrypt: input.includeReEncrypt,
    includeRotationStatus: input.includeRotationStatus ?? false,
    ownerAccountId: existingKey?.accountId ?? tenantAccountId,
    existingKey,
    region: existingKey?.region ?? input.serviceRegion,
  };
}

/**
 * Accepts a well-formed key ARN even when the key is outside the service region, so that
 * a stored key still gets its policy snippet after the service region changes.
 */
function checkKeyArn(keyArn: string, serviceRegion: string): { arn: string; region: string; accountId: string } {
  const parsed = parseKeyArn(keyArn, { serviceRegion });
  const fields = parsed.ok ? parsed.key : parsed.partial;
  const wellFormed = fields.arn === keyArn && fields.region !== undefined && fields.accountId !== undefined;

  if (!wellFormed || fields.region === undefined || fields.accountId === undefined) {
    const reason = parsed.ok ? "" : ` ${parsed.problem.message}`;
    throw new KeyPolicyInputError(`Invalid key ARN ${JSON.stringify(keyArn)}.${reason}`);
  }
  return { arn: keyArn, region: fields.region, accountId: fields.accountId };
}

/** An HCL expression that is written as is, such as an interpolated string. */
class HclExpression {
  constructor(readonly source: string) {}
}

type PolicyValue = string | HclExpression | readonly PolicyValue[] | { readonly [key: string]: PolicyValue };

function platformStatement(checked: CheckedInput): { [key: string]: PolicyValue } {
  const actions = ["kms:GenerateDataKey", "kms:Decrypt"];
  if (checked.includeReEncrypt) {
    actions.push("kms:ReEncryptFrom", "kms:ReEncryptTo");
  }

  const conditionKeys = ENCRYPTION_CONTEXT_KEYS.filter((key) => key !== "account_uuid" || checked.includeAccountCondition);
  const stringEquals = Object.fromEntries(conditionKeys.map((key) => [`kms:EncryptionContext:${key}`, checked.context[key]]));

  return {
    Sid: BYOK_STATEMENT_SID,
    Effect: "Allow",
    Principal: { AWS: checked.principalArn },
    Action: actions,
    Resource: "*",
    Condition: { StringEquals: stringEquals },
  };
}

/** Has no condition, because GetKeyRotationStatus requests carry no encryption context to match. */
function rotationStatusStatement(checked: CheckedInput): { [key: string]: PolicyValue } {
  return {
    Sid: ROTATION_STATUS_STATEMENT_SID,
    Effect: "Allow",
    Principal: { AWS: checked.principalArn },
    Action: ["kms:GetKeyRotationStatus"],
    Resource: "*",
  };
}

function platformStatements(checked: CheckedInput): { [key: string]: PolicyValue }[] {
  return checked.includeRotationStatus ? [platformStatement(checked), rotationStatusStatement(checked)] : [platformStatement(checked)];
}

function policyDocument(checked: CheckedInput, ownerRoot: string | HclExpression): { [key: string]: PolicyValue } {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: KEY_OWNER_STATEMENT_SID,
        Effect: "Allow",
        Principal: { AWS: ownerRoot },
        Action: "kms:*",
        Resource: "*",
      },
      ...platformStatements(checked),
    ],
  };
}

function ownerRootArn(checked: CheckedInput): string {
  return `arn:${checked.partition}:iam::${checked.ownerAccountId ?? ACCOUNT_ID_PLACEHOLDER}:root`;
}

/**
 * Returns the platform's key-policy statement as indented JSON, for adding to an existing
 * key policy. With `includeRotationStatus` it returns a JSON list of both statements.
 */
export function keyPolicyStatement(input: KeyPolicyInput): string {
  const statements = platformStatements(checkInput(input));
  return JSON.stringify(statements.length === 1 ? statements[0] : statements, null, 2);
}

/**
 * Returns a complete key policy as indented JSON: the key owner's account root may do
 * everything (as in the default key policy), and the platform principal gets the
 * statements of `keyPolicyStatement`. The owner is the key's account, else
 * `tenantAwsAccountId`, else the placeholder `<YOUR_AWS_ACCOUNT_ID>`.
 */
export function fullKeyPolicy(input: KeyPolicyInput): string {
  const checked = checkInput(input);
  return JSON.stringify(policyDocument(checked, ownerRootArn(checked)), null, 2);
}

/** Heredoc delimiter; a JSON document never has a line with only this word. */
const HEREDOC_DELIMITER = "KEY_POLICY";

/**
 * Returns a shell script for the AWS CLI. Without `keyArn` it creates a symmetric
 * encryption key with rotation in the service region. It then writes the full key policy
 * to a file through a quoted heredoc, so the shell expands nothing in it, applies it with
 * `put-key-policy`, and prints the key ARN.
 */
export function awsCliCommands(input: KeyPolicyInput): string {
  const checked = checkInput(input);
  const service = checked.context.service;
  const policyFile = `${service}-byok-key-policy.json`;
  const region = checked.region;
  const policyJson = JSON.stringify(policyDocument(checked, ownerRootArn(checked)), null, 2);

  const lines: string[] = [];
  if (checked.existingKey === undefined) {
    lines.push(
      `# Creates a KMS key in ${region} and lets the ${service} platform role use it.`,
      "# Run with credentials of the AWS account that will own the key.",
      "# For a multi-region key, add --multi-region to create-key; its key ID then starts with mrk-.",
      "KEY_ARN=\"$(aws kms create-key \\",
      `  --region ${region} \\`,
      `  --description '${service} BYOK key' \\`,
      "  --key-spec SYMMETRIC_DEFAULT \\",
      "  --key-usage ENCRYPT_DECRYPT \\",
      "  --query KeyMetadata.Arn \\",
      "  --output text)\"",
      `aws kms enable-key-rotation --region ${region} --key-id "$KEY_ARN"`,
    );
  } else {
    lines.push(
      `# Lets the ${service} platform role use the existing key ${checked.existingKey.arn}.`,
      `# Run with credentials of AWS account ${checked.ownerAccountId ?? ""}, which owns the key.`,
      "# put-key-policy replaces the whole key policy. If the key's policy has statements you need,",
      checked.includeRotationStatus
        ? `# add the ${BYOK_STATEMENT_SID} and ${ROTATION_STATUS_STATEMENT_SID} statements to it instead.`
        : `# add the ${BYOK_STATEMENT_SID} statement to it instead.`,
      `KEY_ARN='${checked.existingKey.arn}'`,
    );
  }

  lines.push("", `cat > ${policyFile} <<'${HEREDOC_DELIMITER}'`, policyJson, HEREDOC_DELIMITER);
  if (checked.ownerAccountId === undefined) {
    // The account is known only once the key exists; field 5 of the key ARN is the account ID.
    lines.push(
      "ACCOUNT_ID=\"$(printf '%s' \"$KEY_ARN\" | cut -d: -f5)\"",
      `sed "s/${ACCOUNT_ID_PLACEHOLDER}/$ACCOUNT_ID/" ${policyFile} > ${policyFile}.tmp && mv ${policyFile}.tmp ${policyFile}`,
    );
  }

  lines.push(
    "",
    "aws kms put-key-policy \\",
    `  --region ${region} \\`,
    "  --key-id \"$KEY_ARN\" \\",
    "  --policy-name default \\",
    `  --policy file://${policyFile}`,
    "",
    "# Paste this key ARN into the dashboard:",
    "echo \"$KEY_ARN\"",
  );
  return lines.join("\n") + "\n";
}

/**
 * Returns Terraform for the AWS provider. Without `keyArn` it declares a symmetric
 * encryption key with rotation; with `keyArn` it manages only the policy of that key.
 * The key policy is written with `jsonencode`, and its owner statement names the
 * account and partition of the caller through `aws_caller_identity` and `aws_partition`.
 * An aliased provider pins the region, so the snippet works beside an existing provider.
 */
export function terraformSnippet(input: KeyPolicyInput): string {
  const checked = checkInput(input);
  const service = checked.context.service;
  const ownerRoot = new HclExpression(
    '"arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"',
  );
  const policy = formatHcl(policyDocument(checked, ownerRoot), 2);

  const blocks: string[] = [
    [
      `# KMS key policy that lets the ${service} platform role use the key, under the ${service} encryption context.`,
      ...(checked.includeRotationStatus ? ["# It also lets the role read the key's rotation status, a call that has no encryption context."] : []),
      "provider \"aws\" {",
      "  alias  = \"byok\"",
      `  region = "${checked.region}"`,
      "}",
    ].join("\n"),
    ["data \"aws_caller_identity\" \"current\" {", "  provider = aws.byok", "}"].join("\n"),
    ["data \"aws_partition\" \"current\" {", "  provider = aws.byok", "}"].join("\n"),
  ];

  let keyIdExpression: string;
  let keyArnExpression: string;
  if (checked.existingKey === undefined) {
    blocks.push(
      [
        "resource \"aws_kms_key\" \"byok\" {",
        "  provider                 = aws.byok",
        `  description              = "${service} BYOK key"`,
        "  key_usage                = \"ENCRYPT_DECRYPT\"",
        "  customer_master_key_spec = \"SYMMETRIC_DEFAULT\"",
        "  enable_key_rotation      = true",
        "  deletion_window_in_days  = 30",
        "  # For a multi-region key, set multi_region = true; its key ID then starts with mrk-.",
        "}",
      ].join("\n"),
    );
    keyIdExpression = "aws_kms_key.byok.id";
    keyArnExpression = "aws_kms_key.byok.arn";
  } else {
    keyIdExpression = `"${checked.existingKey.arn}"`;
    keyArnExpression = "aws_kms_key_policy.byok.key_id";
  }

  blocks.push(
    [
      "# This resource replaces the whole key policy.",
      "resource \"aws_kms_key_policy\" \"byok\" {",
      "  provider = aws.byok",
      `  key_id   = ${keyIdExpression}`,
      `  policy = jsonencode(${policy})`,
      "}",
    ].join("\n"),
    ["output \"byok_key_arn\" {", `  description = "Paste this key ARN into the dashboard."`, `  value       = ${keyArnExpression}`, "}"].join(
      "\n",
    ),
  );
  return blocks.join("\n\n") + "\n";
}

/** Key-management calls that cut the platform off, which the CloudTrail alarm watches. */
export const ALARMED_KMS_EVENTS = ["DisableKey", "ScheduleKeyDeletion", "PutKeyPolicy"] as const;

/**
 * Returns Terraform for the tenant's own account that emails an alarm when someone calls
 * DisableKey, ScheduleKeyDeletion or PutKeyPolicy on the BYOK key. An EventBridge rule
 * matches the CloudTrail management events of these calls (CloudTrail delivers them to
 * EventBridge without a trail of your own) and publishes them to an SNS topic.
 */
export function cloudTrailAlarmSnippet(input: KeyPolicyInput): string {
  const checked = checkInput(input);
  const keyArn = checked.existingKey ? checked.existingKey.arn : new HclExpression("aws_kms_key.byok.arn");
  const keyId = checked.existingKey ? checked.existingKey.arn.split("/").pop()! : new HclExpression("aws_kms_key.byok.key_id");
  const pattern = formatHcl(
    {
      source: ["aws.kms"],
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: {
        eventSource: ["kms.amazonaws.com"],
        eventName: [...ALARMED_KMS_EVENTS],
        // CloudTrail records the key as the caller named it: by ARN or by key ID.
        requestParameters: { keyId: [keyArn, keyId] },
      },
    },
    2,
  );

  return [
    [
      "# Emails an alarm when the BYOK key is disabled, scheduled for deletion, or its policy changes.",
      "# Uses the aws.byok provider and the key from the Terraform snippet above.",
      'variable "byok_alarm_email" {',
      '  description = "Address that receives BYOK key alarms; confirm the subscription email that SNS sends."',
      "  type        = string",
      "}",
    ].join("\n"),
    ["resource \"aws_sns_topic\" \"byok_key_alarms\" {", "  provider = aws.byok", "  name     = \"byok-key-alarms\"", "}"].join("\n"),
    [
      "resource \"aws_sns_topic_subscription\" \"byok_key_alarms\" {",
      "  provider  = aws.byok",
      "  topic_arn = aws_sns_topic.byok_key_alarms.arn",
      "  protocol  = \"email\"",
      "  endpoint  = var.byok_alarm_email",
      "}",
    ].join("\n"),
    [
      "resource \"aws_cloudwatch_event_rule\" \"byok_key_changes\" {",
      "  provider      = aws.byok",
      "  name          = \"byok-key-changes\"",
      `  event_pattern = jsonencode(${pattern})`,
      "}",
    ].join("\n"),
    [
      "resource \"aws_cloudwatch_event_target\" \"byok_key_changes\" {",
      "  provider = aws.byok",
      "  rule     = aws_cloudwatch_event_rule.byok_key_changes.name",
      "  arn      = aws_sns_topic.byok_key_alarms.arn",
      "}",
    ].join("\n"),
    [
      "# Lets EventBridge publish to the topic.",
      "resource \"aws_sns_topic_policy\" \"byok_key_alarms\" {",
      "  provider = aws.byok",
      "  arn      = aws_sns_topic.byok_key_alarms.arn",
      "  policy = jsonencode({",
      "    Version = \"2012-10-17\"",
      "    Statement = [{",
      "      Effect    = \"Allow\"",
      "      Principal = { Service = \"events.amazonaws.com\" }",
      "      Action    = \"sns:Publish\"",
      "      Resource  = aws_sns_topic.byok_key_alarms.arn",
      "    }]",
      "  })",
      "}",
    ].join("\n"),
  ].join("\n\n") + "\n";
}

/**
 * Formats a value as an HCL expression in the layout `terraform fmt` produces: one
 * attribute a line, with the `=` of consecutive single-line attributes aligned.
 * Strings are JSON-quoted, and `${` and `%{` are escaped so HCL does not read them as
 * template sequences.
 */
function formatHcl(value: PolicyValue, indent: number): string {
  if (value instanceof HclExpression) {
    return value.source;
  }
  if (typeof value === "string") {
    return JSON.stringify(value).replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
  }

  const inner = " ".repeat(indent + 2);
  const outer = " ".repeat(indent);
  if (isPolicyList(value)) {
    const items = value.map((item) => formatHcl(item, indent + 2));
    if (items.every((item) => !item.includes("\n")) && items.join(", ").length <= 60) {
      return `[${items.join(", ")}]`;
    }
    return `[\n${items.map((item) => `${inner}${item},`).join("\n")}\n${outer}]`;
  }

  const entries = Object.entries(value).map(([key, item]) => ({
    key: /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : JSON.stringify(key),
    text: formatHcl(item, indent + 2),
  }));
  if (entries.length === 1 && entries[0] !== undefined && !entries[0].text.includes("\n")) {
    return `{ ${entries[0].key} = ${entries[0].text} }`;
  }
  return `{\n${alignAttributes(entries, inner).join("\n")}\n${outer}}`;
}

function isPolicyList(value: PolicyValue): value is readonly PolicyValue[] {
  return Array.isArray(value);
}

/** Pads keys so that the `=` of each run of single-line attributes lines up, as `terraform fmt` does. */
function alignAttributes(entries: { key: string; text: string }[], indent: string): string[] {
  const lines: string[] = [];
  let run: { key: string; text: string }[] = [];

  const flush = (): void => {
    const width = Math.max(...run.map((entry) => entry.key.length));
    for (const entry of run) {
      lines.push(`${indent}${entry.key.padEnd(width)} = ${entry.text}`);
    }
    run = [];
  };

  for (const entry of entries) {
    if (entry.text.includes("\n")) {
      if (run.length > 0) {
        flush();
      }
      lines.push(`${indent}${entry.key} = ${entry.text}`);
    } else {
      run.push(entry);
    }
  }
  if (run.length > 0) {
    flush();
  }
  return lines;
}
