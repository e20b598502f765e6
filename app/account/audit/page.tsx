import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { redirect } from "next/navigation";

import { AuditEventsTable } from "@/components/audit/audit-events-table";
import { AuditFilterForm } from "@/components/audit/audit-filter-form";
import { AuditRefusal } from "@/components/audit/audit-refusal";
import { KmsCallsTable } from "@/components/audit/kms-calls-table";
import { auditExportHref, auditPageHref } from "@/components/audit/links";
import { Card } from "@/components/ui/card";
import { EXPORT_MAX_ROWS } from "@/lib/audit/export";
import { authorizeAuditRead, listAuditEvents, listKmsCalls, parseAuditFilters, type AuditFilters, type AuditKind } from "@/lib/audit/query";
import { sessionUserId } from "@/lib/auth/session";
import { db } from "@/lib/db/client";

export const metadata: Metadata = { title: "Audit" };

type SearchParams = Record<string, string | string[] | undefined>;

const TABS: { kind: AuditKind; label: string }[] = [
  { kind: "kms", label: "KMS calls" },
  { kind: "audit", label: "Settings and access" },
];

const LINK = "rounded-md px-3 py-1.5 text-sm font-medium ring-1 ring-inset ring-slate-300 hover:bg-slate-50";

export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const accountParam = typeof params.account === "string" && params.account !== "" ? params.account : undefined;

  const userId = await sessionUserId();
  if (!userId) redirect(`/sign-in?callbackUrl=${encodeURIComponent("/account/audit")}`);
  const access = await authorizeAuditRead(db(), { userId, action: "audit.read", requestedAccountId: accountParam });
  if (!access.allowed) return <AuditRefusal message={access.message} />;
  const { reader } = access;

  const parsed = parseAuditFilters(params);
  const filters: AuditFilters = parsed.ok ? parsed.filters : { kind: params.kind === "audit" ? "audit" : "kms" };
  let table: ReactNode;
  let page: { rows: unknown[]; nextCursor: string | null };
  if (filters.kind === "kms") {
    const calls = await listKmsCalls(db(), reader.accountId, filters);
    table = <KmsCallsTable calls={calls.rows} />;
    page = calls;
  } else {
    const events = await listAuditEvents(db(), reader.accountId, filters);
    table = <AuditEventsTable events={events.rows} />;
    page = events;
  }
  const { cursor: _cursor, ...filtersWithoutCursor } = filters;

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Audit</h1>
        <p className="mt-1 max-w-3xl text-sm text-slate-600">
          Every KMS call the platform made with {reader.accountName}&apos;s key, and every change to its key and settings. Match a KMS call&apos;s request
          ID with the <code className="font-mono text-xs">requestID</code> of the event in your CloudTrail. Times are UTC.
        </p>
        {reader.viewer.kind === "support" ? (
          <p className="mt-2 text-sm text-amber-800">You are reading this account as platform support ({reader.viewer.email}).</p>
        ) : null}
      </div>

      <nav aria-label="Audit log" className="flex gap-2">
        {TABS.map((tab) => (
          <Link
            key={tab.kind}
            href={auditPageHref({ kind: tab.kind }, accountParam)}
            aria-current={tab.kind === filters.kind ? "page" : undefined}
            className={tab.kind === filters.kind ? "rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white" : `${LINK} text-slate-700`}
          >
            {tab.label}
          </Link>
        ))}
      </nav>

      <Card
        id="audit-log"
        title={TABS.find((tab) => tab.kind === filters.kind)?.label ?? "KMS calls"}
        description={`Newest first, ${page.rows.length} shown on this page. Exports hold the whole filtered set, up to ${EXPORT_MAX_ROWS.toLocaleString("en")} rows.`}
        actions={
          <div className="flex gap-2">
            <a href={auditExportHref(filters, "csv", accountParam)} className={`${LINK} text-slate-700`} download>
              Export CSV
            </a>
            <a href={auditExportHref(filters, "json", accountParam)} className={`${LINK} text-slate-700`} download>
              Export JSON
            </a>
          </div>
        }
      >
        <div className="space-y-4">
          <AuditFilterForm filters={filters} accountParam={accountParam} />
          {parsed.ok ? null : (
            <div role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-800">
              <p className="font-medium">Some filters are invalid, so none are applied:</p>
              <ul className="mt-1 list-inside list-disc">
                {parsed.problems.map((problem) => (
                  <li key={problem}>{problem}</li>
                ))}
              </ul>
            </div>
          )}
          {table}
          <nav aria-label="Pages" className="flex gap-2">
            {filters.cursor ? (
              <Link href={auditPageHref(filtersWithoutCursor, accountParam)} className={`${LINK} text-slate-700`}>
                Newest
              </Link>
            ) : null}
            {page.nextCursor ? (
              <Link href={auditPageHref({ ...filtersWithoutCursor, cursor: page.nextCursor }, accountParam)} className={`${LINK} text-slate-700`}>
                Older
              </Link>
            ) : null}
          </nav>
        </div>
      </Card>
    </div>
  );
}
