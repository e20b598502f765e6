import { NextResponse, type NextRequest } from "next/server";

import { authorizeSupportAuditRead, recordSupportAuditRead } from "@/lib/audit/access";
import { auditExportResponse, buildAuditExport, parseExportRequest } from "@/lib/audit/export";
import { withoutCursor } from "@/lib/audit/query";
import { sessionUserId } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { log } from "@/lib/log";

export const dynamic = "force-dynamic";

/**
 * Downloads the filtered audit log of any account for platform support, as CSV or JSON.
 * The export is recorded in that account's log before the file is sent.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ accountId: string }> }) {
  const { accountId } = await params;
  const userId = await sessionUserId();
  if (!userId) {
    log.info("audit.export.denied", { targetAccountId: accountId, reason: "NOT_SIGNED_IN" });
    return NextResponse.json({ error: "NOT_SIGNED_IN", message: "Your session has ended. Sign in again." }, { status: 401 });
  }
  const access = await authorizeSupportAuditRead(db(), { userId, action: "audit.export", accountId });
  if (!access.allowed) {
    log.info("audit.export.denied", { userId, targetAccountId: accountId, reason: access.reason });
    const status = access.reason === "not-found" ? 404 : 403;
    return NextResponse.json({ error: access.reason === "not-found" ? "ACCOUNT_NOT_FOUND" : "ACCESS_DENIED", message: access.message }, { status });
  }

  const { reader } = access;
  const parsed = parseExportRequest(request.nextUrl.searchParams);
  if (!parsed.ok) {
    log.info("audit.export.invalid", { userId, accountId: reader.accountId, problems: parsed.problems });
    return NextResponse.json({ error: "INVALID_FILTERS", message: "The export request has invalid parameters. Fix them and export again.", problems: parsed.problems }, { status: 400 });
  }

  const { filters, format } = parsed;
  const exported = await buildAuditExport(db(), { accountId: reader.accountId, kind: filters.kind, format, filters });
  await recordSupportAuditRead(db(), reader, {
    action: "audit.export",
    details: { format, filters: withoutCursor(filters), rowCount: exported.rowCount, truncated: exported.truncated },
  });
  log.info("audit.export", { accountId: reader.accountId, userId, kind: filters.kind, format, rows: exported.rowCount, truncated: exported.truncated });
  return auditExportResponse(exported);
}
