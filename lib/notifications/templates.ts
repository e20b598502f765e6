import { BYOK_STATEMENT_SID } from "@/lib/byok/key-policy";
import type { NotificationKind } from "@/lib/db/generated/client";

/**
 * Emails to a tenant's owners and admins about their KMS key, as plain text and simple
 * HTML with the same content. Every interpolated value is escaped in the HTML part, and
 * the subject is reduced to one line, because account names and cause sentences come
 * from outside this module.
 */

export interface EmailInput {
  kind: NotificationKind;
  accountName: string;
  keyArn: string;
  /** Stable failure code such as KEY_DISABLED. */
  cause?: string;
  /** One sentence for the admin about the cause. */
  causeMessage?: string;
  occurredAt: Date;
  /** Absolute URL of the account's encryption settings page. */
  settingsUrl: string;
}

export interface Email {
  subject: string;
  text: string;
  html: string;
}

interface KindContent {
  subject: (accountName: string) => string;
  summary: (accountName: string) => string;
  impact: string;
  actions: string[];
}

const FIX_KEY_ACTIONS = [
  `Check that the key policy still contains the statement ${BYOK_STATEMENT_SID}, which lets the platform role call kms:GenerateDataKey and kms:Decrypt.`,
  "If the key is disabled, enable it.",
  "If the key is scheduled for deletion, cancel the deletion and then enable the key, because AWS KMS leaves a key disabled after its deletion is cancelled.",
  "Then run Test connection on the Encryption page to check the key at once. The platform also keeps checking the key and restores access by itself once the key works.",
];

const CONTENT: Record<NotificationKind, KindContent> = {
  KEY_UNAVAILABLE: {
    subject: (account) => `Encryption key unavailable for ${account}`,
    summary: (account) => `The platform can no longer use the AWS KMS key that protects the data of ${account}.`,
    impact: "New writes are rejected at once. Reads keep working until the cached data keys expire, and then they fail too.",
    actions: FIX_KEY_ACTIONS,
  },
  KEY_DEGRADED: {
    subject: (account) => `Encryption key degraded for ${account}: AWS KMS unreachable`,
    summary: (account) => `For some time, the platform has not been able to reach AWS KMS to use the key that protects the data of ${account}.`,
    impact: "Writes continue, and the platform keeps retrying AWS KMS.",
    actions: [
      "Nothing is needed from you while the platform retries.",
      `If this lasts, check the AWS Health Dashboard for AWS KMS in the key's region, and check that the key is enabled and its policy still contains the statement ${BYOK_STATEMENT_SID}.`,
    ],
  },
  KEY_RESTORED: {
    subject: (account) => `Encryption key available again for ${account}`,
    summary: (account) => `The platform can use the AWS KMS key that protects the data of ${account} again.`,
    impact: "Writes and reads work again, and API access is restored if it was suspended.",
    actions: ["Nothing is needed from you."],
  },
  ACCOUNT_SUSPENDED: {
    subject: (account) => `API access suspended for ${account}: encryption key unavailable`,
    summary: (account) => `The AWS KMS key that protects the data of ${account} has been unavailable for too long, so the platform suspended the account's API access.`,
    impact: "The account's API access stays suspended until the key works again.",
    actions: FIX_KEY_ACTIONS,
  },
};

/** Builds the subject and both bodies of the email for one key event. */
export function composeEmail(input: EmailInput): Email {
  const content = CONTENT[input.kind];
  const accountName = toSingleLine(input.accountName);
  const summary = content.summary(accountName);
  const facts = factLines(input);
  const footer = `You receive this email because you are an owner or admin of ${accountName}.`;

  const text = [
    summary,
    "",
    ...facts.map(([label, value]) => `${label}: ${value}`),
    "",
    "What this means",
    content.impact,
    "",
    "What to do",
    ...content.actions.map((action) => `- ${action}`),
    "",
    `Encryption settings: ${input.settingsUrl}`,
    "",
    footer,
    "",
  ].join("\n");

  const html = [
    "<!doctype html>",
    '<html><body style="font-family: sans-serif; line-height: 1.5">',
    `<p>${escapeHtml(summary)}</p>`,
    "<table>",
    ...facts.map(([label, value]) => `<tr><th style="text-align: left; padding-right: 1em">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`),
    "</table>",
    "<h3>What this means</h3>",
    `<p>${escapeHtml(content.impact)}</p>`,
    "<h3>What to do</h3>",
    "<ul>",
    ...content.actions.map((action) => `<li>${escapeHtml(action)}</li>`),
    "</ul>",
    `<p><a href="${escapeHtml(input.settingsUrl)}">Open the encryption settings</a></p>`,
    `<p style="color: #666">${escapeHtml(footer)}</p>`,
    "</body></html>",
    "",
  ].join("\n");

  return { subject: content.subject(accountName), text, html };
}

function factLines(input: EmailInput): [string, string][] {
  const facts: [string, string][] = [["Key ARN", input.keyArn]];
  const cause = [input.cause, input.causeMessage].filter((part): part is string => Boolean(part?.trim()));
  if (cause.length > 0) facts.push(["Cause", cause.map(toSingleLine).join(": ")]);
  facts.push(["Detected at", input.occurredAt.toISOString()]);
  return facts;
}

/** Replaces line breaks and other control characters with spaces, so a value cannot add lines to a header or a list. */
function toSingleLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ").trim();
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ENTITIES[character] ?? character);
}

const HTML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
