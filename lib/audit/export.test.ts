import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTenant, startTestStack, type TestStack } from "@/tests/support/stack";

import { auditExportResponse, buildAuditExport, csvCell, parseExportRequest } from "./export";
import type { AuditFilters } from "./query";

/** Exports against real PostgreSQL: CSV quoting and formula neutralization, the JSON shape, and the row limit. */

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.close();
});

const NOW = new Date("2026-04-02T08:09:10.000Z");

/** Splits RFC 4180 CSV text into records of fields, honoring quoted commas, quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      record.push(field);
      field = "";
    } else if (char === "\r" && text[index + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      index += 1;
    } else field += char;
  }
  return records;
}

describe("csvCell", () => {
  it.each([
    ["plain", "plain"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["line\nbreak", '"line\nbreak"'],
    ["=HYPERLINK(\"http://x\")", '"\'=HYPERLINK(""http://x"")"'],
    ["+1", "'+1"],
    ["-2", "'-2"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tcmd", "'\tcmd"],
    ["a=b", "a=b"],
  ])("formats %j", (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it("leaves numbers, booleans and null unprefixed", () => {
    expect(csvCell(-5)).toBe("-5");
    expect(csvCell(true)).toBe("true");
    expect(csvCell(null)).toBe("");
  });
});

describe("buildAuditExport", () => {
  it("writes audit events as neutralized CSV", async () => {
    const tenant = await createTenant(stack.prisma);
    await stack.prisma.auditEvent.create({
      data: {
        accountId: tenant.accountId,
        actorType: "USER",
        actorEmail: "=cmd|' /C calc'!A0",
        action: "byok.key.save",
        outcome: "SUCCESS",
        before: { keyArn: null },
        after: { keyArn: "arn:aws:kms:us-west-2:111122223333:key/k, \"quoted\"" },
      },
    });

    const exported = await buildAuditExport(stack.prisma, { accountId: tenant.accountId, kind: "audit", format: "csv", filters: { kind: "audit" }, now: NOW });

    expect(exported.contentType).toBe("text/csv; charset=utf-8");
    expect(exported.filename).toBe(`audit-audit-${tenant.accountId}-20260402T080910Z.csv`);
    expect(exported.body.endsWith("\r\n")).toBe(true);
    const [header, row, ...rest] = parseCsv(exported.body);
    expect(rest).toEqual([]);
    expect(header).toEqual(["id", "created_at", "actor_type", "actor_email", "actor_user_id", "action", "outcome", "error_code", "key_arn", "before", "after", "details"]);
    expect(row?.[3]).toBe("'=cmd|' /C calc'!A0");
    expect(row?.[5]).toBe("byok.key.save");
    expect(row?.[9]).toBe('{"keyArn":null}');
    expect(JSON.parse(row?.[10] ?? "")).toEqual({ keyArn: 'arn:aws:kms:us-west-2:111122223333:key/k, "quoted"' });
    expect(row?.[11]).toBe("{}");
  });

  it("writes KMS calls as JSON with string ids", async () => {
    const tenant = await createTenant(stack.prisma);
    const call = await stack.prisma.kmsCall.create({
      data: {
        accountId: tenant.accountId,
        keyArn: "arn:aws:kms:us-west-2:111122223333:key/0b7c5a36-2f05-4d3c-9a57-8f6cdb3a1e11",
        operation: "GenerateDataKey",
        encryptionContext: { service: "zep", account_uuid: tenant.accountId },
        requestId: "req-1",
        ok: false,
        errorCode: "KEY_DISABLED",
        cause: "TEST_CONNECTION",
        latencyMs: 12,
        instance: "web-1",
      },
    });
    const filters: AuditFilters = { kind: "kms", cause: "TEST_CONNECTION", cursor: "1" };

    const exported = await buildAuditExport(stack.prisma, { accountId: tenant.accountId, kind: "kms", format: "json", filters, now: NOW });

    expect(exported.contentType).toBe("application/json; charset=utf-8");
    expect(exported.filename.endsWith(".json")).toBe(true);
    const body = JSON.parse(exported.body);
    expect(body).toMatchObject({
      kind: "kms",
      accountId: tenant.accountId,
      exportedAt: NOW.toISOString(),
      filters: { kind: "kms", cause: "TEST_CONNECTION" },
      truncated: false,
      rowCount: 1,
    });
    expect(body.filters).not.toHaveProperty("cursor");
    expect(body.rows).toEqual([
      {
        id: call.id.toString(),
        createdAt: call.createdAt.toISOString(),
        operation: "GenerateDataKey",
        keyArn: call.keyArn,
        cause: "TEST_CONNECTION",
        ok: false,
        errorCode: "KEY_DISABLED",
        requestId: "req-1",
        latencyMs: 12,
        instance: "web-1",
        encryptionContext: { service: "zep", account_uuid: tenant.accountId },
      },
    ]);
  });

  it("keeps the newest rows and marks truncation", async () => {
    const tenant = await createTenant(stack.prisma);
    const ids: bigint[] = [];
    for (let index = 0; index < 5; index += 1) {
      ids.push((await stack.prisma.auditEvent.create({ data: { accountId: tenant.accountId, actorType: "SYSTEM", action: `test.row${index}`, outcome: "SUCCESS" } })).id);
    }

    const truncated = await buildAuditExport(stack.prisma, { accountId: tenant.accountId, kind: "audit", format: "json", filters: { kind: "audit" }, maxRows: 3 });
    const exact = await buildAuditExport(stack.prisma, { accountId: tenant.accountId, kind: "audit", format: "csv", filters: { kind: "audit" }, maxRows: 5 });

    const body = JSON.parse(truncated.body);
    expect(truncated.truncated).toBe(true);
    expect(body.truncated).toBe(true);
    expect(body.maxRows).toBe(3);
    expect(body.rows.map((row: { id: string }) => row.id)).toEqual(ids.slice(2).reverse().map(String));
    expect(exact.truncated).toBe(false);
    expect(exact.rowCount).toBe(5);
    expect(parseCsv(exact.body)).toHaveLength(6);
  });

  it("exports only the named account's rows", async () => {
    const tenantA = await createTenant(stack.prisma);
    const tenantB = await createTenant(stack.prisma);
    await stack.prisma.auditEvent.create({ data: { accountId: tenantB.accountId, actorType: "SYSTEM", action: "test.other", outcome: "SUCCESS" } });

    const exported = await buildAuditExport(stack.prisma, { accountId: tenantA.accountId, kind: "audit", format: "json", filters: { kind: "audit" } });

    expect(JSON.parse(exported.body).rows).toEqual([]);
  });
});

describe("parseExportRequest", () => {
  it("defaults to CSV", () => {
    expect(parseExportRequest(new URLSearchParams("kind=audit&actor=SUPPORT"))).toEqual({ ok: true, format: "csv", filters: { kind: "audit", actor: "SUPPORT" } });
  });

  it("reads JSON and the KMS filters", () => {
    const parsed = parseExportRequest(new URLSearchParams("format=json&cause=REWRAP&from=2026-03-01&to=2026-03-02"));

    expect(parsed).toEqual({ ok: true, format: "json", filters: { kind: "kms", cause: "REWRAP", from: "2026-03-01", to: "2026-03-02" } });
  });

  it("lists a bad format and bad filters together", () => {
    const parsed = parseExportRequest(new URLSearchParams("format=xlsx&cause=LUNCH"));

    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems[0]).toBe("format: Use csv or json.");
    expect(parsed.problems[1]).toMatch(/^cause:/);
  });
});

describe("auditExportResponse", () => {
  it("sends the file as an uncached attachment", async () => {
    const response = auditExportResponse({ body: "id\r\n", contentType: "text/csv; charset=utf-8", filename: "audit-kms-a-20260402T080910Z.csv", rowCount: 0, truncated: false });

    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="audit-kms-a-20260402T080910Z.csv"');
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("x-export-row-count")).toBe("0");
    expect(response.headers.get("x-export-truncated")).toBe("false");
    expect(await response.text()).toBe("id\r\n");
  });
});
