import type { AuditFilters } from "@/lib/audit/query";
import type { ExportFormat } from "@/lib/audit/export";

/**
 * Links of an Audit page. `basePath` is the page's path: `/account/audit` for a tenant's
 * own log, `/support/accounts/<id>/audit` for platform support. Its export route is
 * `<basePath>/export`.
 */

/** Builds query parameters that keep the viewer's filters. */
export function auditSearchParams(filters: Partial<AuditFilters>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value !== undefined && value !== "") params.set(key, String(value));
  }
  return params;
}

export function auditPageHref(basePath: string, filters: Partial<AuditFilters>): string {
  return `${basePath}?${auditSearchParams(filters).toString()}`;
}

/** Links the export of the whole filtered set, whatever page the viewer is on. */
export function auditExportHref(basePath: string, filters: AuditFilters, format: ExportFormat): string {
  const { cursor: _cursor, ...rest } = filters;
  const params = auditSearchParams(rest);
  params.set("format", format);
  return `${basePath}/export?${params.toString()}`;
}
