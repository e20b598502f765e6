import type { SendMailOptions } from "nodemailer";

import type { NotificationKind, NotificationStatus, Prisma, PrismaClient } from "@/lib/db/generated/client";
import { log } from "@/lib/log";

import { composeEmail } from "./templates";
import type { MailTransport } from "./transport";

/**
 * Emails an account's owners and admins about its KMS key, and records every attempt as
 * one row of `notifications`. The status is SENT, FAILED (the SMTP server rejected the
 * message or could not be reached) or SUPPRESSED (not attempted, with the reason in `detail`).
 *
 * Rate limit: a kind is SUPPRESSED for an account while a notification of the same kind
 * was SENT to it within `repeatAfterMs`. FAILED and SUPPRESSED rows do not count, so a
 * failed email is sent again on the next event. A transaction-level advisory lock per
 * account and kind serializes concurrent calls, so two instances that see the same event
 * send one email, not two. The lock is held while the email is sent, for at most
 * `sendTimeoutMs`.
 */

export interface KeyEvent {
  accountId: string;
  kind: NotificationKind;
  keyArn: string;
  /** Stable failure code such as KEY_DISABLED or KMS_TIMEOUT, when there is one. */
  cause?: string;
  /** One sentence for the admin, already written by the caller (no raw AWS text). */
  causeMessage?: string;
  occurredAt: Date;
}

export interface Notifier {
  /**
   * Sends the email for one event and records the outcome. Never throws. When the
   * database fails, it logs the error and returns FAILED, or SENT if the email already
   * went out, without a row. For an account that does not exist it returns SUPPRESSED
   * without a row.
   */
  notify(event: KeyEvent): Promise<NotificationStatus>;
}

export interface NotifierDeps {
  prisma: PrismaClient;
  /** Null when no SMTP server is configured: every notification is then SUPPRESSED. */
  transport: MailTransport | null;
  /** Sender address, such as `Zep <notifications@example.com>`. */
  from: string;
  /** Absolute URL of the dashboard. The email links to its encryption settings page. */
  dashboardUrl: string;
  /** Minimum time between two sent notifications of one kind to one account, in milliseconds. 0 turns the rate limit off. */
  repeatAfterMs: number;
  /** Maximum time for one send, in milliseconds, after which it counts as FAILED. */
  sendTimeoutMs?: number;
}

const DEFAULT_SEND_TIMEOUT_MS = 20_000;
const MAX_DETAIL_LENGTH = 500;
const RECIPIENT_ROLES = ["OWNER", "ADMIN"] as const;
const LOG_EVENTS: Record<NotificationStatus, string> = {
  SENT: "notification.sent",
  FAILED: "notification.send_failed",
  SUPPRESSED: "notification.suppressed",
};

interface Outcome {
  status: NotificationStatus;
  detail: string | null;
  logLevel: "info" | "warn" | "error";
}

export function createNotifier(deps: NotifierDeps): Notifier {
  const settingsUrl = encryptionSettingsUrl(deps.dashboardUrl);
  if (!Number.isFinite(deps.repeatAfterMs) || deps.repeatAfterMs < 0) {
    throw new RangeError(`repeatAfterMs must be a number of milliseconds of at least 0, not ${deps.repeatAfterMs}`);
  }
  const sendTimeoutMs = deps.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;

  async function notify(event: KeyEvent): Promise<NotificationStatus> {
    const ids = { accountId: event.accountId, kind: event.kind, keyArn: event.keyArn };
    let sent = false;
    try {
      return await deps.prisma.$transaction(
        async (tx) => {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`notification:${event.accountId}:${event.kind}`}, 0))`;

          const account = await tx.account.findUnique({
            where: { id: event.accountId },
            select: {
              name: true,
              memberships: { where: { role: { in: [...RECIPIENT_ROLES] } }, select: { user: { select: { email: true } } } },
            },
          });
          if (!account) {
            log.warn("notification.account_not_found", ids);
            return "SUPPRESSED";
          }
          const recipients = [...new Set(account.memberships.map((membership) => membership.user.email))].sort();
          const email = composeEmail({ ...event, accountName: account.name, settingsUrl });

          let outcome = await findSuppression(tx, event, recipients);
          if (!outcome) {
            outcome = await send(deps.transport, {
              from: deps.from,
              to: recipients,
              subject: email.subject,
              text: email.text,
              html: email.html,
              textEncoding: "quoted-printable",
              // RFC 3834: tells mail servers not to send automatic replies, such as out-of-office notes, to this message.
              headers: { "Auto-Submitted": "auto-generated" },
            });
            sent = outcome.status === "SENT";
          }

          await tx.notification.create({
            data: {
              accountId: event.accountId,
              kind: event.kind,
              status: outcome.status,
              recipients,
              subject: email.subject,
              detail: outcome.detail,
              // The rate limit compares with this process's clock, so the row takes its time from it too.
              createdAt: new Date(),
            },
          });
          log[outcome.logLevel](LOG_EVENTS[outcome.status], { ...ids, recipientCount: recipients.length, detail: outcome.detail });
          return outcome.status;
        },
        // Covers waiting for a concurrent call's send and then sending.
        { maxWait: 10_000, timeout: 2 * sendTimeoutMs + 10_000 },
      );
    } catch (error) {
      log.error("notification.record_failed", { ...ids, emailSent: sent, error });
      return sent ? "SENT" : "FAILED";
    }
  }

  /** Returns why the email must not be sent as a SUPPRESSED outcome, or null when it may be sent. */
  async function findSuppression(tx: Prisma.TransactionClient, event: KeyEvent, recipients: string[]): Promise<Outcome | null> {
    if (recipients.length === 0) {
      return { status: "SUPPRESSED", detail: "the account has no owner or admin to notify", logLevel: "warn" };
    }
    if (deps.repeatAfterMs === 0) return null;

    const recent = await tx.notification.findFirst({
      where: { accountId: event.accountId, kind: event.kind, status: "SENT", createdAt: { gte: new Date(Date.now() - deps.repeatAfterMs) } },
      orderBy: { createdAt: "desc" },
      select: { createdAt: true },
    });
    if (!recent) return null;
    return { status: "SUPPRESSED", detail: `rate limited: the same notification was sent at ${recent.createdAt.toISOString()}`, logLevel: "info" };
  }

  async function send(transport: MailTransport | null, message: SendMailOptions): Promise<Outcome> {
    if (!transport) {
      return { status: "SUPPRESSED", detail: "no SMTP server configured", logLevel: "warn" };
    }
    try {
      await sendWithTimeout(transport, message, sendTimeoutMs);
      return { status: "SENT", detail: null, logLevel: "info" };
    } catch (error) {
      return { status: "FAILED", detail: describeSendError(error), logLevel: "error" };
    }
  }

  return { notify };
}

function encryptionSettingsUrl(dashboardUrl: string): string {
  let url: URL;
  try {
    url = new URL(dashboardUrl);
  } catch {
    throw new Error(`dashboardUrl must be an absolute http or https URL such as https://dashboard.example.com, not "${dashboardUrl}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`dashboardUrl must be an http or https URL, not "${dashboardUrl}"`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}/account/encryption`;
}

class SendTimeoutError extends Error {
  override name = "SendTimeoutError";
  constructor(timeoutMs: number) {
    super(`sending timed out after ${timeoutMs} ms, but the SMTP server may still deliver the message`);
  }
}

async function sendWithTimeout(transport: MailTransport, message: SendMailOptions, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SendTimeoutError(timeoutMs)), timeoutMs);
  });
  try {
    // Promise.race also handles a late rejection of sendMail, so it cannot go unhandled.
    await Promise.race([transport.sendMail(message), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Turns a send error into the `detail` of a FAILED row: nodemailer's error code and
 * message, such as "ESOCKET: connect ECONNREFUSED 127.0.0.1:2525". Credentials in URLs are
 * removed, in case a transport puts its connection URL into a message.
 */
function describeSendError(error: unknown): string {
  if (!(error instanceof Error)) return "sending failed with a value that is not an Error";
  const message = error.message.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, "$1");
  const code = (error as { code?: unknown }).code;
  const detail = typeof code === "string" && code !== "" && !message.startsWith(code) ? `${code}: ${message}` : message;
  return detail.length > MAX_DETAIL_LENGTH ? `${detail.slice(0, MAX_DETAIL_LENGTH - 1)}…` : detail;
}
