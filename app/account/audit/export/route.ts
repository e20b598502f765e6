import { NextResponse, type NextRequest } from "next/server";

import { authorizeOwnAuditRead } from "@/lib/audit/access";
import { auditExportResponse, buildAuditExport, parseExportRequest } from "@/lib/audit/export";
import { sessionUserId } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { log } from "@/lib/log";

export const dynamic = "force-dynamic";

/** Downloads the filtered audit log of the caller's own account as CSV or JSON, authorized like the Audit page. */
export async function GET(request: NextRequest) {
  const params = request.nextUrl.searchParams;
  const userId = await sessionUserId();
  if (!userId) return NextResponse.json({ error: "NOT_SIGNED_IN", message: "Your session has ended. Sign in again." }, { status: 401 });
  const access = await authorizeOwnAuditRead(db(), { userId, action: "audit.export", claimedAccountId: params.get("account") || undefined });
  if (!access.allowed) {
    log.info("audit.export.denied", { userId });
    return NextResponse.json({ error: "ACCESS_DENIED", message: access.message }, { status: 403 });
  }

  const { accountId } = access.reader;
  const parsed = parseExportRequest(params);
  if (!parsed.ok) {
    log.info("audit.export.invalid", { userId, accountId, problems: parsed.problems });
    return NextResponse.json({ error: "INVALID_FILTERS", message: "The export request has invalid parameters. Fix them and export again.", problems: parsed.problems }, { status: 400 });
  }

  const exported = await buildAuditExport(db(), { accountId, kind: parsed.filters.kind, format: parsed.format, filters: parsed.filters });
  log.info("audit.export", { accountId, userId, kind: parsed.filters.kind, format: parsed.format, rows: exported.rowCount, truncated: exported.truncated });
  return auditExportResponse(exported);
}
