import "server-only";

import type { AuditEvent, KmsCall, PrismaClient } from "@/lib/db/generated/client";

import { listAuditEvents, listKmsCalls, parseAuditFilters, type AuditFilters, type AuditPage } from "./query";

/** One page of the log as the Audit pages show it: KMS calls or audit events, depending on the kind. */
export type AuditRows = { kind: "kms"; page: AuditPage<KmsCall> } | { kind: "audit"; page: AuditPage<AuditEvent> };

export interface AuditView {
  /** Filters applied to `rows`. When the query had invalid filters, only the kind is kept. */
  filters: AuditFilters;
  /** Problems with the query's filters, one `field: message` line each; empty when all were valid. */
  problems: string[];
  rows: AuditRows;
}

/** Loads the page of an account's log that the query parameters select. */
export async function loadAuditView(prisma: PrismaClient, accountId: string, params: Record<string, string | string[] | undefined>): Promise<AuditView> {
  const parsed = parseAuditFilters(params);
  const kind = [params.kind].flat()[0] === "audit" ? "audit" : "kms";
  const filters: AuditFilters = parsed.ok ? parsed.filters : { kind };
  const problems = parsed.ok ? [] : parsed.problems;

  const rows: AuditRows =
    filters.kind === "kms"
      ? { kind: "kms", page: await listKmsCalls(prisma, accountId, filters) }
      : { kind: "audit", page: await listAuditEvents(prisma, accountId, filters) };
  return { filters, problems, rows };
}
