import "server-only";

/**
 * Emails to an account's owners and admins when its KMS key becomes unavailable, stays
 * degraded, works again, or the account is suspended. See notifier.ts for the rate limit
 * and the rows it records.
 */
export { createNotifier, type KeyEvent, type Notifier, type NotifierDeps } from "./notifier";
export { createSmtpTransport, SMTP_TIMEOUTS, type MailTransport } from "./transport";
