import type { AddressInfo } from "node:net";

import { SMTPServer } from "smtp-server";

/**
 * An SMTP server on 127.0.0.1 that accepts every message and delivers none: it prints one
 * line per email (`[smtp] To: … Subject: …`), so the development stack shows the emails the
 * dashboard sends without a mail server. Tests use it as a real SMTP server on loopback.
 *
 * It offers no TLS (STARTTLS is disabled) and accepts any login or none, which is safe only
 * because it listens on loopback. Only the To and Subject headers are parsed, with RFC 2047
 * encoded words decoded; the body is passed on as received.
 */

export interface ReceivedEmail {
  /** Envelope sender (MAIL FROM). */
  envelopeFrom: string;
  /** Envelope recipients (RCPT TO), in the order the client sent them. */
  envelopeTo: string[];
  /** Decoded To header, or empty when the message has none. */
  to: string;
  /** Decoded Subject header, or empty when the message has none. */
  subject: string;
  /** The whole message as received: headers and the transfer-encoded body. */
  raw: string;
}

export interface SmtpSinkOptions {
  /** TCP port on 127.0.0.1, or 0 for a free one. */
  port: number;
  onMessage?: (email: ReceivedEmail) => void;
  /** Receives the line printed for each email. By default the line goes to stdout. */
  print?: (line: string) => void;
}

export interface SmtpSink {
  port: number;
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export async function startSmtpSink(options: SmtpSinkOptions): Promise<SmtpSink> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));

  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS"],
    authOptional: true,
    allowInsecureAuth: true,
    size: MAX_MESSAGE_BYTES,
    logger: false,
    banner: "development SMTP sink: messages are printed, not delivered",
    // Lets a stopping dev stack exit quickly even when a client keeps its connection open.
    closeTimeout: 1_000,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? "anonymous" });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", callback);
      stream.on("end", () => {
        if (stream.sizeExceeded) {
          callback(Object.assign(new Error(`Message exceeds the maximum size of ${MAX_MESSAGE_BYTES} bytes`), { responseCode: 552 }));
          return;
        }
        const raw = Buffer.concat(chunks).toString("utf8");
        const headers = parseHeaders(raw);
        const email: ReceivedEmail = {
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          envelopeTo: session.envelope.rcptTo.map((recipient) => recipient.address),
          to: headers.get("to") ?? "",
          subject: headers.get("subject") ?? "",
          raw,
        };
        print(`[smtp] To: ${printable(email.to || email.envelopeTo.join(", "))} Subject: ${printable(email.subject)}`);
        try {
          options.onMessage?.(email);
        } catch (error) {
          callback(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        callback();
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen(options.port, "127.0.0.1", () => {
      server.off("error", onError);
      resolve();
    });
  });
  // Client connection errors (a reset socket, a timeout) arrive here; without a listener they would crash the process.
  server.on("error", (error: Error) => print(`[smtp] connection error: ${error.message}`));

  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Returns the message's header fields by lower-cased name, unfolded and decoded. A repeated field keeps its first value. */
export function parseHeaders(raw: string): Map<string, string> {
  const end = raw.search(/\r?\n\r?\n/);
  const block = end === -1 ? raw : raw.slice(0, end);
  const unfolded = block.replace(/\r?\n(?=[ \t])/g, "");
  const headers = new Map<string, string>();
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, decodeEncodedWords(line.slice(colon + 1).trim()));
  }
  return headers;
}

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

/**
 * Decodes RFC 2047 encoded words such as `=?UTF-8?Q?Caf=C3=A9?=`. Whitespace between two
 * encoded words is dropped, as RFC 2047 section 6.2 requires, and the bytes of adjacent words
 * in one charset are joined before decoding, because an encoder may split a multi-byte
 * character between them.
 */
export function decodeEncodedWords(value: string): string {
  const joined = value.replace(/(\?=)[ \t]+(?==\?)/g, "$1");
  return joined.replace(/(?:=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)+/g, (run) => {
    let text = "";
    let pending: { charset: string; bytes: Buffer[] } | undefined;
    const flush = () => {
      if (pending) text += decodeBytes(Buffer.concat(pending.bytes), pending.charset);
      pending = undefined;
    };
    for (const [, charset = "utf-8", encoding = "B", payload = ""] of run.matchAll(ENCODED_WORD)) {
      const bytes = encoding.toUpperCase() === "B" ? Buffer.from(payload, "base64") : decodeQEncoding(payload);
      const name = charset.toLowerCase().split("*")[0] ?? "utf-8";
      if (pending && pending.charset !== name) flush();
      pending ??= { charset: name, bytes: [] };
      pending.bytes.push(bytes);
    }
    flush();
    return text;
  });
}

function decodeQEncoding(payload: string): Buffer {
  const bytes: number[] = [];
  for (let index = 0; index < payload.length; index++) {
    const character = payload[index]!;
    const hex = payload.slice(index + 1, index + 3);
    if (character === "=" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      index += 2;
    } else if (character === "_") {
      bytes.push(0x20);
    } else {
      bytes.push(character.charCodeAt(0));
    }
  }
  return Buffer.from(bytes);
}

function decodeBytes(bytes: Buffer, charset: string): string {
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    // An unknown charset: show the bytes as UTF-8 rather than fail the message.
    return bytes.toString("utf8");
  }
}

/** Keeps a header value on one printed line. */
function printable(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]+/g, " ");
}
