import { describe, expect, it } from "vitest";

import type { NotificationKind } from "@/lib/db/generated/client";

import { composeEmail, escapeHtml, type EmailInput } from "./templates";

const KEY_ARN = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const SETTINGS_URL = "https://dashboard.test/account/encryption";

function input(overrides: Partial<EmailInput> = {}): EmailInput {
  return {
    kind: "KEY_UNAVAILABLE",
    accountName: "Acme",
    keyArn: KEY_ARN,
    cause: "KEY_DISABLED",
    causeMessage: "The key is disabled in AWS KMS.",
    occurredAt: new Date("2026-12-04T10:15:00.000Z"),
    settingsUrl: SETTINGS_URL,
    ...overrides,
  };
}

describe("composeEmail", () => {
  it.each<[NotificationKind, string, string]>([
    ["KEY_UNAVAILABLE", "Encryption key unavailable for Acme", "New writes are rejected at once. Reads keep working until the cached data keys expire"],
    ["KEY_DEGRADED", "Encryption key degraded for Acme: AWS KMS unreachable", "Writes continue, and the platform keeps retrying AWS KMS."],
    ["KEY_RESTORED", "Encryption key available again for Acme", "Writes and reads work again"],
    ["ACCOUNT_SUSPENDED", "API access suspended for Acme: encryption key unavailable", "API access stays suspended until the key works again."],
  ])("%s names the state and its impact", (kind, subject, impact) => {
    const email = composeEmail(input({ kind }));

    expect(email.subject).toBe(subject);
    expect(email.text).toContain(impact);
    expect(email.html).toContain(escapeHtml(impact));
  });

  it("includes the key, cause, time and link", () => {
    const email = composeEmail(input());

    for (const body of [email.text, email.html]) {
      expect(body).toContain(KEY_ARN);
      expect(body).toContain("KEY_DISABLED: The key is disabled in AWS KMS.");
      expect(body).toContain("2026-12-04T10:15:00.000Z");
      expect(body).toContain(SETTINGS_URL);
    }
    expect(email.html).toContain(`<a href="${SETTINGS_URL}">`);
  });

  it.each<NotificationKind>(["KEY_UNAVAILABLE", "ACCOUNT_SUSPENDED"])("%s lists the fixes", (kind) => {
    const { text } = composeEmail(input({ kind }));

    expect(text).toContain("the statement AllowZepBYOKAccess");
    expect(text).toContain("If the key is disabled, enable it.");
    expect(text).toContain("cancel the deletion and then enable the key");
  });

  it("restored asks for nothing", () => {
    const { text } = composeEmail(input({ kind: "KEY_RESTORED", cause: undefined, causeMessage: undefined }));

    expect(text).toContain("Nothing is needed from you.");
    expect(text).not.toContain("AllowZepBYOKAccess");
  });

  it("omits the cause line without a cause", () => {
    const email = composeEmail(input({ cause: undefined, causeMessage: undefined }));

    expect(email.text).not.toContain("Cause:");
    expect(email.html).not.toContain("Cause");
  });

  it("shows a cause code alone", () => {
    const { text } = composeEmail(input({ cause: "KMS_TIMEOUT", causeMessage: undefined }));

    expect(text).toContain("Cause: KMS_TIMEOUT\n");
  });

  it("escapes every value in the HTML part", () => {
    const email = composeEmail(
      input({
        accountName: `<script>alert("a")</script> & Co's`,
        keyArn: `${KEY_ARN}"><img src=x>`,
        cause: "<b>CODE</b>",
        causeMessage: "Policy <i>denies</i> & more",
        settingsUrl: `${SETTINGS_URL}?a="b"&c=<d>`,
      }),
    );

    expect(email.html).not.toMatch(/<script|<img|<b>|<i>|"b"|<d>/);
    expect(email.html).toContain("&lt;script&gt;alert(&quot;a&quot;)&lt;/script&gt; &amp; Co&#39;s");
    expect(email.html).toContain("&lt;b&gt;CODE&lt;/b&gt;: Policy &lt;i&gt;denies&lt;/i&gt; &amp; more");
    expect(email.html).toContain(`href="${SETTINGS_URL}?a=&quot;b&quot;&amp;c=&lt;d&gt;"`);
  });

  it("keeps the subject on one line", () => {
    const { subject, text } = composeEmail(input({ accountName: "Acme\r\nBcc: attacker@evil.test", causeMessage: "first\nsecond" }));

    expect(subject).toBe("Encryption key unavailable for Acme Bcc: attacker@evil.test");
    expect(text).toContain("Cause: KEY_DISABLED: first second\n");
  });
});
