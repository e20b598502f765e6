import nodemailer, { type SendMailOptions, type Transporter } from "nodemailer";
import SMTPTransport from "nodemailer/lib/smtp-transport";

/** Mail transport interface of the notifier, which nodemailer transporters implement. */
export interface MailTransport {
  sendMail(message: SendMailOptions): Promise<unknown>;
}

/**
 * Timeouts in milliseconds. By default nodemailer 7 waits up to 2 minutes to connect, 30 s
 * for the greeting and 10 minutes on an idle socket, far longer than a background job should.
 * Query parameters of the URL override them, such as `?socketTimeout=15000`.
 */
export const SMTP_TIMEOUTS = {
  connectionTimeout: 5_000,
  greetingTimeout: 5_000,
  socketTimeout: 5_000,
  dnsTimeout: 5_000,
} as const;

/**
 * Creates a nodemailer SMTP transport from a URL such as `smtps://user:password@host:465`
 * or `smtp://host:587`. With `smtp://`, nodemailer upgrades with STARTTLS when the server
 * offers it, and `?requireTLS=true` makes it refuse to send without TLS. Other options of the
 * SMTP transport can be set as query parameters too, except `pool`.
 */
export function createSmtpTransport(smtpUrl: string): Transporter<SMTPTransport.SentMessageInfo> {
  let protocol: string;
  try {
    protocol = new URL(smtpUrl).protocol;
  } catch {
    // The URL may contain a password, so the message does not repeat it.
    throw new Error("The SMTP URL is not a valid URL: use the form smtp://user:password@host:587 or smtps://user:password@host:465");
  }
  if (protocol !== "smtp:" && protocol !== "smtps:") {
    throw new Error(`The SMTP URL must start with smtp:// or smtps://, not ${protocol}//`);
  }
  // nodemailer.createTransport keeps only the URL's settings when given `url`, but the SMTP
  // transport's own constructor merges them over the other options, so it is built here.
  return nodemailer.createTransport(new SMTPTransport({ ...SMTP_TIMEOUTS, url: smtpUrl }));
}
