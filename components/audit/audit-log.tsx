import Link from "next/link";

import { Card } from "@/components/ui/card";
import { EXPORT_MAX_ROWS } from "@/lib/audit/export";
import type { AuditFilters, AuditKind } from "@/lib/audit/query";
import type { AuditView } from "@/lib/audit/view";

import { AuditEventsTable } from "./audit-events-table";
import { AuditFilterForm } from "./audit-filter-form";
import { KmsCallsTable } from "./kms-calls-table";
import { KmsCauseGuide } from "./kms-causes";
import { auditExportHref, auditPageHref } from "./links";

const TABS: { kind: AuditKind; label: string }[] = [
  { kind: "kms", label: "KMS calls" },
  { kind: "audit", label: "Settings and access" },
];

const LINK = "rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50";
const DAY_MS = 24 * 3600 * 1000;

/** Formats the UTC day `daysAgo` days before `now` as the filters' `YYYY-MM-DD`. */
function utcDay(now: Date, daysAgo: number): string {
  return new Date(now.getTime() - daysAgo * DAY_MS).toISOString().slice(0, 10);
}

/** Date ranges one click away, each keeping the other filters. */
function quickRanges(now: Date): { label: string; from: string; to: string }[] {
  return [
    { label: "Today", from: utcDay(now, 0), to: utcDay(now, 0) },
    { label: "Yesterday", from: utcDay(now, 1), to: utcDay(now, 1) },
    { label: "Last 7 days", from: utcDay(now, 6), to: utcDay(now, 0) },
  ];
}

/**
 * Body of an Audit page at `basePath`: the kind tabs, filters, export links, one page of
 * rows with links to older pages and, for KMS calls, what each cause means. The page
 * above it authorizes the viewer and loads `view`. Links to other views of the log are
 * not prefetched, because a support user's every view of the log is recorded in it.
 */
export function AuditLog({ basePath, view, now }: { basePath: string; view: AuditView; now: Date }) {
  const { filters, problems, rows } = view;
  const { cursor, ...filtersWithoutCursor } = filters;
  const ranges = quickRanges(now);
  const isRangeActive = (range: { from: string; to: string }): boolean => filters.from === range.from && filters.to === range.to;

  return (
    <div className="space-y-6">
      <nav aria-label="Audit log" className="flex gap-2">
        {TABS.map((tab) => (
          <Link
            key={tab.kind}
            prefetch={false}
            href={auditPageHref(basePath, { kind: tab.kind })}
            aria-current={tab.kind === filters.kind ? "page" : undefined}
            className={tab.kind === filters.kind ? "rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white" : LINK}
          >
            {tab.label}
          </Link>
        ))}
      </nav>

      <Card
        id="audit-log"
        title={TABS.find((tab) => tab.kind === filters.kind)?.label ?? "KMS calls"}
        description={`Newest first, ${rows.page.rows.length} shown on this page. Exports hold the whole filtered set, up to ${EXPORT_MAX_ROWS.toLocaleString("en")} rows.`}
        actions={
          <div className="flex gap-2">
            <a href={auditExportHref(basePath, filters, "csv")} className={LINK} download>
              Export CSV
            </a>
            <a href={auditExportHref(basePath, filters, "json")} className={LINK} download>
              Export JSON
            </a>
          </div>
        }
      >
        <div className="space-y-4">
          <nav aria-label="Date ranges" className="flex flex-wrap items-center gap-2 text-sm">
            <span className="text-xs font-medium text-slate-700">Dates (UTC):</span>
            {ranges.map((range) => (
              <Link
                key={range.label}
                prefetch={false}
                href={auditPageHref(basePath, { ...filtersWithoutCursor, from: range.from, to: range.to })}
                aria-current={isRangeActive(range) ? "true" : undefined}
                className={isRangeActive(range) ? "rounded-md bg-slate-800 px-2.5 py-1 text-xs font-medium text-white" : "rounded-md px-2.5 py-1 text-xs text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50"}
              >
                {range.label}
              </Link>
            ))}
          </nav>
          <AuditFilterForm basePath={basePath} filters={filters} />
          {problems.length === 0 ? null : (
            <div role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-800">
              <p className="font-medium">Some filters are invalid, so none are applied:</p>
              <ul className="mt-1 list-inside list-disc">
                {problems.map((problem) => (
                  <li key={problem}>{problem}</li>
                ))}
              </ul>
            </div>
          )}
          {rows.kind === "kms" ? <KmsCallsTable calls={rows.page.rows} /> : <AuditEventsTable events={rows.page.rows} />}
          <Pages basePath={basePath} filters={filtersWithoutCursor} cursor={cursor} nextCursor={rows.page.nextCursor} />
        </div>
      </Card>

      {rows.kind === "kms" ? (
        <Card
          id="kms-causes"
          title="Why the platform calls KMS"
          description="Each KMS call above has one of these causes. Match a call with your CloudTrail event by its request ID, which is the event's requestID."
        >
          <KmsCauseGuide />
        </Card>
      ) : null}
    </div>
  );
}

function Pages({ basePath, filters, cursor, nextCursor }: { basePath: string; filters: Omit<AuditFilters, "cursor">; cursor?: string; nextCursor: string | null }) {
  if (!cursor && !nextCursor) return null;
  return (
    <nav aria-label="Pages" className="flex gap-2">
      {cursor ? (
        <Link href={auditPageHref(basePath, filters)} prefetch={false} className={LINK}>
          Newest
        </Link>
      ) : null}
      {nextCursor ? (
        <Link href={auditPageHref(basePath, { ...filters, cursor: nextCursor })} prefetch={false} className={LINK}>
          Older
        </Link>
      ) : null}
    </nav>
  );
}
