import "server-only";

import { z } from "zod";

import type { AuditEvent, KmsCall, PrismaClient } from "@/lib/db/generated/client";

import { listAuditEvents, listKmsCalls, parseAuditFilters, withoutCursor, type AuditFilters, type AuditKind } from "./query";

/**
 * Exports of an account's audit log as CSV (RFC 4180, CRLF line ends) or JSON. The export
 * reads the same filtered set as the page, newest first, and stops at `maxRows`.
 * CSV cells that a spreadsheet would run as a formula get a leading `'`.
 */

export const EXPORT_MAX_ROWS = 50_000;
const EXPORT_BATCH = 1_000;

export const EXPORT_FORMATS = ["csv", "json"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const exportFormatSchema = z.enum(EXPORT_FORMATS).default("csv");

export type ParsedExportRequest = { ok: true; format: ExportFormat; filters: AuditFilters } | { ok: false; problems: string[] };

/** Parses an export URL's query: `format` (csv by default) and the page's filters. The cursor is ignored by buildAuditExport. */
export function parseExportRequest(params: URLSearchParams): ParsedExportRequest {
  const format = exportFormatSchema.safeParse(params.get("format") || undefined);
  const parsed = parseAuditFilters(params);
  if (format.success && parsed.ok) return { ok: true, format: format.data, filters: parsed.filters };
  return { ok: false, problems: [...(format.success ? [] : ["format: Use csv or json."]), ...(parsed.ok ? [] : parsed.problems)] };
}

type Cell = string | number | boolean | null;

interface Column<Row> {
  header: string;
  value: (row: Row) => Cell;
}

const json = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

const KMS_COLUMNS: Column<KmsCall>[] = [
  { header: "id", value: (row) => row.id.toString() },
  { header: "created_at", value: (row) => row.createdAt.toISOString() },
  { header: "operation", value: (row) => row.operation },
  { header: "key_arn", value: (row) => row.keyArn },
  { header: "cause", value: (row) => row.cause },
  { header: "ok", value: (row) => row.ok },
  { header: "error_code", value: (row) => row.errorCode },
  { header: "request_id", value: (row) => row.requestId },
  { header: "latency_ms", value: (row) => row.latencyMs },
  { header: "instance", value: (row) => row.instance },
  { header: "encryption_context", value: (row) => json(row.encryptionContext) },
];

const AUDIT_COLUMNS: Column<AuditEvent>[] = [
  { header: "id", value: (row) => row.id.toString() },
  { header: "created_at", value: (row) => row.createdAt.toISOString() },
  { header: "actor_type", value: (row) => row.actorType },
  { header: "actor_email", value: (row) => row.actorEmail },
  { header: "actor_user_id", value: (row) => row.actorUserId },
  { header: "action", value: (row) => row.action },
  { header: "outcome", value: (row) => row.outcome },
  { header: "error_code", value: (row) => row.errorCode },
  { header: "key_arn", value: (row) => row.keyArn },
  { header: "before", value: (row) => json(row.before) },
  { header: "after", value: (row) => json(row.after) },
  { header: "details", value: (row) => json(row.details) },
];

// Leading characters that make spreadsheets such as Excel and LibreOffice evaluate a cell as a formula.
// Tab and CR are included because some CSV readers strip them before looking at the next character.
const FORMULA_START = /^[=+\-@\t\r]/;

/** Formats one CSV field: formula neutralization first, then RFC 4180 quoting when the text has a comma, quote, CR or LF. */
export function csvCell(value: Cell): string {
  if (value === null) return "";
  let text = String(value);
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvLine(cells: Cell[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

function kmsCallJson(row: KmsCall) {
  return {
    id: row.id.toString(),
    createdAt: row.createdAt.toISOString(),
    operation: row.operation,
    keyArn: row.keyArn,
    cause: row.cause,
    ok: row.ok,
    errorCode: row.errorCode,
    requestId: row.requestId,
    latencyMs: row.latencyMs,
    instance: row.instance,
    encryptionContext: row.encryptionContext,
  };
}

function auditEventJson(row: AuditEvent) {
  return {
    id: row.id.toString(),
    createdAt: row.createdAt.toISOString(),
    actorType: row.actorType,
    actorEmail: row.actorEmail,
    actorUserId: row.actorUserId,
    action: row.action,
    outcome: row.outcome,
    errorCode: row.errorCode,
    keyArn: row.keyArn,
    before: row.before,
    after: row.after,
    details: row.details,
  };
}

/** Reads up to `maxRows` filtered rows, newest first, in batches. `truncated` is true when more rows matched. */
async function collectRows<Row extends { id: bigint }>(
  list: (filters: AuditFilters, limit: number) => Promise<{ rows: Row[]; nextCursor: string | null }>,
  filters: AuditFilters,
  maxRows: number,
): Promise<{ rows: Row[]; truncated: boolean }> {
  const rows: Row[] = [];
  // An export covers the whole filtered set, whatever page the viewer was on.
  let cursor: string | undefined = undefined;
  while (rows.length < maxRows) {
    const page = await list({ ...filters, cursor }, Math.min(EXPORT_BATCH, maxRows - rows.length));
    rows.push(...page.rows);
    if (!page.nextCursor) return { rows, truncated: false };
    cursor = page.nextCursor;
  }
  return { rows, truncated: true };
}

export interface AuditExport {
  body: string;
  contentType: string;
  filename: string;
  rowCount: number;
  /** True when more rows matched than the export holds. The export then contains the newest `maxRows`. */
  truncated: boolean;
}

export interface AuditExportRequest {
  accountId: string;
  kind: AuditKind;
  format: ExportFormat;
  filters: AuditFilters;
  maxRows?: number;
  now?: Date;
}

/** Builds the export of one account's filtered KMS calls or audit events. */
export async function buildAuditExport(prisma: PrismaClient, request: AuditExportRequest): Promise<AuditExport> {
  const { accountId, kind, format, filters, maxRows = EXPORT_MAX_ROWS, now = new Date() } = request;
  const stamp = now.toISOString().slice(0, 19).replaceAll(/[-:]/g, "");
  const filename = `audit-${kind}-${accountId}-${stamp}Z.${format}`;

  const collected =
    kind === "kms"
      ? await collectRows((f, limit) => listKmsCalls(prisma, accountId, f, limit), filters, maxRows)
      : await collectRows((f, limit) => listAuditEvents(prisma, accountId, f, limit), filters, maxRows);
  const { truncated } = collected;
  const rowCount = collected.rows.length;

  if (format === "json") {
    const rows = kind === "kms" ? (collected.rows as KmsCall[]).map(kmsCallJson) : (collected.rows as AuditEvent[]).map(auditEventJson);
    const body = JSON.stringify({ kind, accountId, exportedAt: now.toISOString(), filters: withoutCursor(filters), maxRows, truncated, rowCount, rows }, null, 2);
    return { body, contentType: "application/json; charset=utf-8", filename, rowCount, truncated };
  }

  const columns = (kind === "kms" ? KMS_COLUMNS : AUDIT_COLUMNS) as Column<KmsCall | AuditEvent>[];
  let body = csvLine(columns.map((column) => column.header));
  for (const row of collected.rows) body += csvLine(columns.map((column) => column.value(row)));
  return { body, contentType: "text/csv; charset=utf-8", filename, rowCount, truncated };
}

/** Builds the download response of an export. `no-store` keeps the log out of shared and browser caches. */
export function auditExportResponse(exported: AuditExport): Response {
  return new Response(exported.body, {
    headers: {
      "content-type": exported.contentType,
      "content-disposition": `attachment; filename="${exported.filename}"`,
      "cache-control": "no-store",
      "x-export-row-count": String(exported.rowCount),
      "x-export-truncated": String(exported.truncated),
    },
  });
}
