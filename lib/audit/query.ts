import "server-only";

import { z } from "zod";

import type { AuditEvent, KmsCall, KmsCallCause, Prisma, PrismaClient } from "@/lib/db/generated/client";
import type { KmsOperation } from "@/lib/kms/failures";

/**
 * Read access to an account's audit log: the KMS calls made with its key and its audit
 * events. Every query is scoped to one account id, which comes from the caller's
 * authorization (access.ts), never from the request alone. Rows are returned newest
 * first by id, and a page continues below the id of the previous page's last row.
 */

export const AUDIT_PAGE_SIZE = 50;

export const AUDIT_KINDS = ["kms", "audit"] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export const KMS_OPERATIONS = ["GenerateDataKey", "Decrypt", "Encrypt", "ReEncrypt", "GetKeyRotationStatus"] as const satisfies readonly KmsOperation[];
export const KMS_CAUSES = ["VALIDATION", "TEST_CONNECTION", "HEALTH_CHECK", "DATA_KEY_CREATE", "DECRYPT_CACHE_MISS", "REWRAP"] as const satisfies readonly KmsCallCause[];

// Fails to compile when lib/kms or the schema gains an operation or cause that the filters do not offer.
type Unlisted = Exclude<KmsOperation, (typeof KMS_OPERATIONS)[number]> | Exclude<KmsCallCause, (typeof KMS_CAUSES)[number]>;
const everyValueListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyValueListed;
export const KMS_OUTCOMES = ["ok", "failed"] as const;
export const AUDIT_OUTCOMES = ["SUCCESS", "FAILURE", "DENIED"] as const;
export const ACTOR_TYPES = ["USER", "SUPPORT", "SYSTEM"] as const;

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date such as 2026-01-31.").refine((value) => !Number.isNaN(Date.parse(value)), "Not a calendar date.");
const emptyToUndefined = (value: unknown) => (value === "" ? undefined : value);

/** Filters shared by the page and the export. A filter that does not apply to the selected kind is ignored. */
export const auditFilterSchema = z.object({
  kind: z.preprocess(emptyToUndefined, z.enum(AUDIT_KINDS).default("kms")),
  /** First UTC day included. */
  from: z.preprocess(emptyToUndefined, isoDay.optional()),
  /** Last UTC day included. */
  to: z.preprocess(emptyToUndefined, isoDay.optional()),
  operation: z.preprocess(emptyToUndefined, z.enum(KMS_OPERATIONS).optional()),
  cause: z.preprocess(emptyToUndefined, z.enum(KMS_CAUSES).optional()),
  /** Exact action, or a prefix when it ends with `.*` (`byok.key.*`). */
  action: z.preprocess(emptyToUndefined, z.string().trim().max(100).regex(/^[a-z0-9_.]+(\.\*)?$/i, "Use a dotted action such as byok.key.save or byok.key.*.").optional()),
  outcome: z.preprocess(emptyToUndefined, z.enum([...KMS_OUTCOMES, ...AUDIT_OUTCOMES]).optional()),
  actor: z.preprocess(emptyToUndefined, z.enum(ACTOR_TYPES).optional()),
  /** Id of the last row already shown. The next page starts below it. */
  cursor: z.preprocess(emptyToUndefined, z.string().regex(/^\d{1,19}$/, "Not a row id.").optional()),
});
export type AuditFilters = z.infer<typeof auditFilterSchema>;

export type ParsedAuditFilters = { ok: true; filters: AuditFilters } | { ok: false; problems: string[] };

/** Parses query parameters. A repeated parameter counts with its first value. */
export function parseAuditFilters(params: Record<string, string | string[] | undefined> | URLSearchParams): ParsedAuditFilters {
  const flat: Record<string, string> = {};
  if (params instanceof URLSearchParams) {
    for (const key of params.keys()) flat[key] ??= params.get(key) ?? "";
  } else {
    for (const [key, value] of Object.entries(params)) {
      const first = Array.isArray(value) ? value[0] : value;
      if (first !== undefined) flat[key] = first;
    }
  }
  const parsed = auditFilterSchema.safeParse(flat);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`) };
  if (parsed.data.from && parsed.data.to && parsed.data.from > parsed.data.to) return { ok: false, problems: ["from: The start date is after the end date."] };
  return { ok: true, filters: parsed.data };
}

/** Returns the filters without the page cursor, which select the whole filtered set as exports and support read records store it. */
export function withoutCursor(filters: AuditFilters): Omit<AuditFilters, "cursor"> {
  const { cursor: _cursor, ...rest } = filters;
  return rest;
}

const DAY_MS = 24 * 3600 * 1000;

function createdAtRange(filters: AuditFilters): { gte?: Date; lt?: Date } | undefined {
  if (!filters.from && !filters.to) return undefined;
  return {
    gte: filters.from ? new Date(`${filters.from}T00:00:00.000Z`) : undefined,
    lt: filters.to ? new Date(new Date(`${filters.to}T00:00:00.000Z`).getTime() + DAY_MS) : undefined,
  };
}

function idBelow(cursor: string | undefined): { lt: bigint } | undefined {
  return cursor ? { lt: BigInt(cursor) } : undefined;
}

export function kmsCallWhere(accountId: string, filters: AuditFilters): Prisma.KmsCallWhereInput {
  const where: Prisma.KmsCallWhereInput = { accountId, createdAt: createdAtRange(filters), id: idBelow(filters.cursor) };
  if (filters.operation) where.operation = filters.operation;
  if (filters.cause) where.cause = filters.cause;
  if (filters.outcome === "ok") where.ok = true;
  if (filters.outcome === "failed") where.ok = false;
  return where;
}

export function auditEventWhere(accountId: string, filters: AuditFilters): Prisma.AuditEventWhereInput {
  const where: Prisma.AuditEventWhereInput = { accountId, createdAt: createdAtRange(filters), id: idBelow(filters.cursor) };
  if (filters.action) where.action = filters.action.endsWith(".*") ? { startsWith: filters.action.slice(0, -1) } : filters.action;
  if (filters.outcome === "SUCCESS" || filters.outcome === "FAILURE" || filters.outcome === "DENIED") where.outcome = filters.outcome;
  if (filters.actor) where.actorType = filters.actor;
  return where;
}

export interface AuditPage<Row> {
  rows: Row[];
  /** Cursor of the next (older) page, or null on the last page. */
  nextCursor: string | null;
}

function toPage<Row extends { id: bigint }>(rows: Row[], limit: number): AuditPage<Row> {
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  const last = page.at(-1);
  return { rows: page, nextCursor: hasMore && last ? last.id.toString() : null };
}

export async function listKmsCalls(prisma: PrismaClient, accountId: string, filters: AuditFilters, limit = AUDIT_PAGE_SIZE): Promise<AuditPage<KmsCall>> {
  const rows = await prisma.kmsCall.findMany({ where: kmsCallWhere(accountId, filters), orderBy: { id: "desc" }, take: limit + 1 });
  return toPage(rows, limit);
}

export async function listAuditEvents(prisma: PrismaClient, accountId: string, filters: AuditFilters, limit = AUDIT_PAGE_SIZE): Promise<AuditPage<AuditEvent>> {
  const rows = await prisma.auditEvent.findMany({ where: auditEventWhere(accountId, filters), orderBy: { id: "desc" }, take: limit + 1 });
  return toPage(rows, limit);
}
