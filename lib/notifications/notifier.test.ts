import type SMTPTransport from "nodemailer/lib/smtp-transport";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";

import { createPrismaClient } from "@/lib/db/create-client";
import type { NotificationKind, PrismaClient } from "@/lib/db/generated/client";
import { startSmtpSink, type ReceivedEmail, type SmtpSink } from "@/scripts/lib/smtp-sink";
import { createTenant, type TestTenant } from "@/tests/support/stack";

import { createNotifier, createSmtpTransport, type KeyEvent, type MailTransport, type NotifierDeps } from "./index";

const KEY_ARN = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const HOUR_MS = 3_600_000;

let prisma: PrismaClient;
let sink: SmtpSink;
let received: ReceivedEmail[] = [];
const transports: ReturnType<typeof createSmtpTransport>[] = [];

beforeAll(async () => {
  prisma = createPrismaClient(inject("databaseUrl"), 4);
  sink = await startSmtpSink({ port: 0, onMessage: (email) => received.push(email), print: () => undefined });
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  for (const transport of transports) transport.close();
  await sink?.close();
  await prisma?.$disconnect();
});

function sinkTransport(port = sink.port) {
  const transport = createSmtpTransport(`smtp://127.0.0.1:${port}`);
  transports.push(transport);
  return transport;
}

function notifier(overrides: Partial<NotifierDeps> = {}) {
  return createNotifier({
    prisma,
    transport: sinkTransport(),
    from: "BYOK notifications <notifications@dashboard.test>",
    dashboardUrl: "https://dashboard.test/",
    repeatAfterMs: HOUR_MS,
    ...overrides,
  });
}

function event(accountId: string, overrides: Partial<KeyEvent> = {}): KeyEvent {
  return {
    accountId,
    kind: "KEY_UNAVAILABLE",
    keyArn: KEY_ARN,
    cause: "KEY_DISABLED",
    causeMessage: "The key is disabled in AWS KMS.",
    occurredAt: new Date("2026-12-04T10:15:00.000Z"),
    ...overrides,
  };
}

async function emailsOf(tenant: TestTenant) {
  const users = await prisma.user.findMany({ where: { id: { in: Object.values(tenant.userIds) } }, select: { id: true, email: true } });
  const emailOf = (id: string) => users.find((user) => user.id === id)!.email;
  return { owner: emailOf(tenant.userIds.OWNER), admin: emailOf(tenant.userIds.ADMIN), member: emailOf(tenant.userIds.MEMBER) };
}

function receivedBy(address: string) {
  return received.filter((email) => email.envelopeTo.includes(address));
}

function rows(accountId: string, kind?: NotificationKind) {
  return prisma.notification.findMany({ where: { accountId, kind }, orderBy: { createdAt: "asc" } });
}

/** Undoes quoted-printable soft line breaks and escapes, so a test can search the body. */
function decodeQuotedPrintable(raw: string): string {
  const bytes = raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, "latin1").toString("utf8");
}

describe("notify", () => {
  it("emails owners and admins only", async () => {
    const tenant = await createTenant(prisma);
    const { owner, admin, member } = await emailsOf(tenant);

    const status = await notifier().notify(event(tenant.accountId));

    expect(status).toBe("SENT");
    const emails = receivedBy(owner);
    expect(emails).toHaveLength(1);
    const email = emails[0]!;
    expect(email.envelopeTo.sort()).toEqual([admin, owner].sort());
    expect(email.to).toContain(owner);
    expect(email.to).toContain(admin);
    expect(email.to).not.toContain(member);
    expect(receivedBy(member)).toHaveLength(0);
    expect(email.envelopeFrom).toBe("notifications@dashboard.test");
    expect(email.raw).toMatch(/^Auto-Submitted: auto-generated\r?$/m);
  });

  it("sends subject and body", async () => {
    const tenant = await createTenant(prisma);
    const { owner } = await emailsOf(tenant);
    const account = await prisma.account.findUniqueOrThrow({ where: { id: tenant.accountId } });

    await notifier().notify(event(tenant.accountId));

    const email = receivedBy(owner)[0]!;
    expect(email.subject).toBe(`Encryption key unavailable for ${account.name}`);
    const body = decodeQuotedPrintable(email.raw);
    expect(body).toContain(`Key ARN: ${KEY_ARN}`);
    expect(body).toContain("Cause: KEY_DISABLED: The key is disabled in AWS KMS.");
    expect(body).toContain("Encryption settings: https://dashboard.test/account/encryption");
    expect(body).toContain('<a href="https://dashboard.test/account/encryption">');
  });

  it("records a SENT row", async () => {
    const tenant = await createTenant(prisma);
    const { owner, admin } = await emailsOf(tenant);

    await notifier().notify(event(tenant.accountId));

    const [row, ...others] = await rows(tenant.accountId);
    expect(others).toHaveLength(0);
    expect(row?.status).toBe("SENT");
    expect(row?.kind).toBe("KEY_UNAVAILABLE");
    expect(row?.recipients).toEqual([admin, owner].sort());
    expect(row?.subject).toMatch(/^Encryption key unavailable for Tenant /);
    expect(row?.detail).toBeNull();
  });

  it("decodes a non-ASCII account name", async () => {
    const tenant = await createTenant(prisma);
    const { owner } = await emailsOf(tenant);
    await prisma.account.update({ where: { id: tenant.accountId }, data: { name: "Café Zürich – 東京" } });

    await notifier().notify(event(tenant.accountId, { kind: "KEY_RESTORED", cause: undefined, causeMessage: undefined }));

    expect(receivedBy(owner)[0]?.subject).toBe("Encryption key available again for Café Zürich – 東京");
  });
});

describe("rate limit", () => {
  it("suppresses a repeat of one kind", async () => {
    const tenant = await createTenant(prisma);
    const { owner } = await emailsOf(tenant);
    const notifications = notifier();

    const first = await notifications.notify(event(tenant.accountId));
    const second = await notifications.notify(event(tenant.accountId));

    expect(first).toBe("SENT");
    expect(second).toBe("SUPPRESSED");
    expect(receivedBy(owner)).toHaveLength(1);
    const recorded = await rows(tenant.accountId);
    expect(recorded.map((row) => row.status)).toEqual(["SENT", "SUPPRESSED"]);
    expect(recorded[1]?.detail).toMatch(/^rate limited: the same notification was sent at /);
  });

  it("limits each kind separately", async () => {
    const tenant = await createTenant(prisma);
    const { owner } = await emailsOf(tenant);
    const notifications = notifier();

    const statuses = [];
    for (const kind of ["KEY_UNAVAILABLE", "KEY_RESTORED", "KEY_UNAVAILABLE", "KEY_RESTORED"] as const) {
      statuses.push(await notifications.notify(event(tenant.accountId, { kind })));
    }

    expect(statuses).toEqual(["SENT", "SENT", "SUPPRESSED", "SUPPRESSED"]);
    expect(receivedBy(owner).map((email) => email.subject.split(" for ")[0])).toEqual([
      "Encryption key unavailable",
      "Encryption key available again",
    ]);
  });

  it("does not limit other accounts", async () => {
    const first = await createTenant(prisma);
    const second = await createTenant(prisma);
    const notifications = notifier();

    expect(await notifications.notify(event(first.accountId))).toBe("SENT");
    expect(await notifications.notify(event(second.accountId))).toBe("SENT");
  });

  it("sends again after the window", async () => {
    const tenant = await createTenant(prisma);
    await prisma.notification.create({
      data: { accountId: tenant.accountId, kind: "KEY_UNAVAILABLE", status: "SENT", recipients: [], subject: "earlier", createdAt: new Date(Date.now() - HOUR_MS - 60_000) },
    });

    expect(await notifier().notify(event(tenant.accountId))).toBe("SENT");
  });

  it("suppresses within the window", async () => {
    const tenant = await createTenant(prisma);
    await prisma.notification.create({
      data: { accountId: tenant.accountId, kind: "KEY_UNAVAILABLE", status: "SENT", recipients: [], subject: "earlier", createdAt: new Date(Date.now() - HOUR_MS + 60_000) },
    });

    expect(await notifier().notify(event(tenant.accountId))).toBe("SUPPRESSED");
  });

  it("ignores FAILED and SUPPRESSED rows", async () => {
    const tenant = await createTenant(prisma);
    for (const status of ["FAILED", "SUPPRESSED"] as const) {
      await prisma.notification.create({ data: { accountId: tenant.accountId, kind: "KEY_UNAVAILABLE", status, recipients: [], subject: "earlier" } });
    }

    expect(await notifier().notify(event(tenant.accountId))).toBe("SENT");
  });

  it("is off at zero", async () => {
    const tenant = await createTenant(prisma);
    const notifications = notifier({ repeatAfterMs: 0 });

    expect(await notifications.notify(event(tenant.accountId))).toBe("SENT");
    expect(await notifications.notify(event(tenant.accountId))).toBe("SENT");
  });

  it("sends once for concurrent calls", async () => {
    const tenant = await createTenant(prisma);
    const { owner } = await emailsOf(tenant);
    const notifications = notifier();

    const statuses = await Promise.all([notifications.notify(event(tenant.accountId)), notifications.notify(event(tenant.accountId)), notifications.notify(event(tenant.accountId))]);

    expect(statuses.sort()).toEqual(["SENT", "SUPPRESSED", "SUPPRESSED"]);
    expect(receivedBy(owner)).toHaveLength(1);
    expect(await rows(tenant.accountId)).toHaveLength(3);
  });
});

describe("suppression and failure", () => {
  it("suppresses without a transport", async () => {
    const tenant = await createTenant(prisma);
    const { owner, admin } = await emailsOf(tenant);

    const status = await notifier({ transport: null }).notify(event(tenant.accountId));

    expect(status).toBe("SUPPRESSED");
    const [row] = await rows(tenant.accountId);
    expect(row?.status).toBe("SUPPRESSED");
    expect(row?.detail).toBe("no SMTP server configured");
    expect(row?.recipients).toEqual([admin, owner].sort());
    expect(receivedBy(owner)).toHaveLength(0);
  });

  it("suppresses without owners or admins", async () => {
    const account = await prisma.account.create({ data: { name: "No admins" } });

    const status = await notifier().notify(event(account.id));

    expect(status).toBe("SUPPRESSED");
    const [row] = await rows(account.id);
    expect(row?.detail).toBe("the account has no owner or admin to notify");
    expect(row?.recipients).toEqual([]);
  });

  it("records nothing for a missing account", async () => {
    const accountId = "00000000-0000-4000-8000-000000000000";

    const status = await notifier().notify(event(accountId));

    expect(status).toBe("SUPPRESSED");
    expect(await rows(accountId)).toHaveLength(0);
  });

  it("fails when the SMTP server is down", async () => {
    const closed = await startSmtpSink({ port: 0, print: () => undefined });
    await closed.close();
    const tenant = await createTenant(prisma);

    const status = await notifier({ transport: sinkTransport(closed.port) }).notify(event(tenant.accountId));

    expect(status).toBe("FAILED");
    const [row] = await rows(tenant.accountId);
    expect(row?.status).toBe("FAILED");
    expect(row?.detail).toContain("ECONNREFUSED");
  });

  it("logs one line on failure", async () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const tenant = await createTenant(prisma);
    const transport: MailTransport = { sendMail: () => Promise.reject(Object.assign(new Error("Invalid login: 535 rejected"), { code: "EAUTH" })) };

    await notifier({ transport }).notify(event(tenant.accountId));

    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ level: "error", event: "notification.send_failed", accountId: tenant.accountId, kind: "KEY_UNAVAILABLE", keyArn: KEY_ARN, recipientCount: 2 });
    expect(entries[0]?.detail).toBe("EAUTH: Invalid login: 535 rejected");
  });

  it("removes URL credentials from the detail", async () => {
    const tenant = await createTenant(prisma);
    const transport: MailTransport = { sendMail: () => Promise.reject(new Error("cannot reach smtps://mailer:s3cret@mail.internal:465")) };

    await notifier({ transport }).notify(event(tenant.accountId));

    const [row] = await rows(tenant.accountId);
    expect(row?.detail).toBe("cannot reach smtps://mail.internal:465");
  });

  it("fails a send that times out", async () => {
    const tenant = await createTenant(prisma);
    const transport: MailTransport = { sendMail: () => new Promise(() => undefined) };

    const status = await notifier({ transport, sendTimeoutMs: 50 }).notify(event(tenant.accountId));

    expect(status).toBe("FAILED");
    const [row] = await rows(tenant.accountId);
    expect(row?.detail).toBe("sending timed out after 50 ms, but the SMTP server may still deliver the message");
  });

  it("returns FAILED when the database fails", async () => {
    const broken = createPrismaClient("postgresql://nobody@127.0.0.1:1/none", 1);
    const tenant = await createTenant(prisma);
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);

    const status = await notifier({ prisma: broken }).notify(event(tenant.accountId));

    expect(status).toBe("FAILED");
    await broken.$disconnect();
  });
});

describe("createNotifier", () => {
  it.each(["not a url", "ftp://dashboard.test"])("rejects dashboardUrl %s", (dashboardUrl) => {
    expect(() => notifier({ dashboardUrl })).toThrow("dashboardUrl must be");
  });

  it("rejects a negative repeatAfterMs", () => {
    expect(() => notifier({ repeatAfterMs: -1 })).toThrow("repeatAfterMs must be");
  });
});

describe("createSmtpTransport", () => {
  it("sets short timeouts", () => {
    const transport = sinkTransport();

    expect(smtpOptions(transport)).toMatchObject({ connectionTimeout: 5_000, greetingTimeout: 5_000, socketTimeout: 5_000, dnsTimeout: 5_000 });
  });

  it("lets the URL override a timeout", () => {
    const transport = createSmtpTransport("smtp://127.0.0.1:2525?socketTimeout=15000");
    transports.push(transport);

    expect(smtpOptions(transport)).toMatchObject({ socketTimeout: 15_000, connectionTimeout: 5_000 });
  });

  it.each(["http://127.0.0.1:2525", "127.0.0.1:2525"])("rejects %s", (url) => {
    expect(() => createSmtpTransport(url)).toThrow(/SMTP URL/);
  });

  it.each(["https://user:s3cret@mail.test", "user:s3cret@mail.test:587"])("keeps the password of %s out of its error", (url) => {
    const error = thrownBy(() => createSmtpTransport(url));

    expect(error.message).toMatch(/SMTP URL/);
    expect(error.message).not.toContain("s3cret");
  });
});

function smtpOptions(transport: ReturnType<typeof createSmtpTransport>) {
  return (transport.transporter as SMTPTransport).options;
}

function thrownBy(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to throw");
}
