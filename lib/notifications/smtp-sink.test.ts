import { describe, expect, it } from "vitest";

import { decodeEncodedWords, parseHeaders, startSmtpSink, type ReceivedEmail } from "@/scripts/lib/smtp-sink";

import { createSmtpTransport } from "./transport";

/** Tests of scripts/lib/smtp-sink.ts, which sit here because vitest collects tests only under lib, components and tests. */

describe("startSmtpSink", () => {
  it("prints one line per email", async () => {
    const lines: string[] = [];
    const received: ReceivedEmail[] = [];
    const sink = await startSmtpSink({ port: 0, print: (line) => lines.push(line), onMessage: (email) => received.push(email) });
    const transport = createSmtpTransport(`smtp://127.0.0.1:${sink.port}`);

    try {
      await transport.sendMail({ from: "sender@mail.test", to: ["a@mail.test", "b@mail.test"], subject: "Key check", text: "body" });
    } finally {
      transport.close();
      await sink.close();
    }

    expect(lines).toEqual(["[smtp] To: a@mail.test, b@mail.test Subject: Key check"]);
    expect(received).toHaveLength(1);
    expect(received[0]?.envelopeFrom).toBe("sender@mail.test");
    expect(received[0]?.envelopeTo).toEqual(["a@mail.test", "b@mail.test"]);
    expect(received[0]?.raw).toContain("body");
  });

  it("accepts a login", async () => {
    const sink = await startSmtpSink({ port: 0, print: () => undefined });
    const transport = createSmtpTransport(`smtp://user:password@127.0.0.1:${sink.port}`);

    try {
      await expect(transport.sendMail({ from: "sender@mail.test", to: "a@mail.test", subject: "s", text: "t" })).resolves.toBeDefined();
    } finally {
      transport.close();
      await sink.close();
    }
  });

  it("rejects a port in use", async () => {
    const sink = await startSmtpSink({ port: 0, print: () => undefined });

    try {
      await expect(startSmtpSink({ port: sink.port, print: () => undefined })).rejects.toThrow("EADDRINUSE");
    } finally {
      await sink.close();
    }
  });
});

describe("parseHeaders", () => {
  it("unfolds and decodes fields", () => {
    const headers = parseHeaders("To: a@mail.test,\r\n b@mail.test\r\nSubject: =?UTF-8?Q?Caf=C3=A9?=\r\n\r\nSubject: in the body\r\n");

    expect(headers.get("to")).toBe("a@mail.test, b@mail.test");
    expect(headers.get("subject")).toBe("Café");
  });

  it("keeps the first of repeated fields", () => {
    expect(parseHeaders("Subject: one\nSubject: two\n\nbody").get("subject")).toBe("one");
  });

  it("returns nothing for a missing field", () => {
    expect(parseHeaders("To: a@mail.test\r\n\r\n").get("subject")).toBeUndefined();
  });
});

describe("decodeEncodedWords", () => {
  it.each([
    ["Q encoding", "=?utf-8?q?Z=C3=BCrich_office?=", "Zürich office"],
    ["B encoding", "=?UTF-8?B?5p2x5Lqs?=", "東京"],
    ["a character split between words", "=?UTF-8?B?5p2x5A==?= =?UTF-8?B?uqw=?=", "東京"],
    ["text around a word", "Key for =?UTF-8?Q?Caf=C3=A9?= now", "Key for Café now"],
    ["ISO-8859-1", "=?ISO-8859-1?Q?Caf=E9?=", "Café"],
    ["plain text", "Plain subject", "Plain subject"],
  ])("decodes %s", (_case, encoded, decoded) => {
    expect(decodeEncodedWords(encoded)).toBe(decoded);
  });
});
