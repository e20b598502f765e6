import type { AuditFilters } from "@/lib/audit/query";

/** Builds query parameters that keep the viewer's filters, and `account` for support users reading another account. */
export function auditSearchParams(filters: Partial<AuditFilters>, accountParam: string | undefined): URLSearchParams {
  const params = new URLSearchParams();
  if (accountParam) params.set("account", accountParam);
  for (const [key, value] of Object.entries(filters)) {
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  return params;
}

export function auditPageHref(filters: Partial<AuditFilters>, accountParam: string | undefined): string {
  return `/account/audit?${auditSearchParams(filters, accountParam).toString()}`;
}

export function auditExportHref(filters: AuditFilters, format: "csv" | "json", accountParam: string | undefined): string {
  const { cursor: _cursor, ...rest } = filters;
  const params = auditSearchParams(rest, accountParam);
  params.set("format", format);
  return `/account/audit/export?${params.toString()}`;
}
