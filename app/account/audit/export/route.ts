import { NextResponse, type NextRequest } from "next/server";
import { z } from "zod";

import { buildAuditExport } from "@/lib/audit/export";
import { authorizeAuditRead, parseAuditFilters } from "@/lib/audit/query";
import { sessionUserId } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { log } from "@/lib/log";

export const dynamic = "force-dynamic";

const formatSchema = z.enum(["csv", "json"]).default("csv");

/** Downloads the filtered audit log as CSV or JSON, authorized like the audit page. */
export async function GET(request: NextRequest) {
  const params = request.nextUrl.searchParams;
  const userId = await sessionUserId();
  if (!userId) return NextResponse.json({ error: "NOT_SIGNED_IN", message: "Your session has ended. Sign in again." }, { status: 401 });
  const access = await authorizeAuditRead(db(), { userId, action: "audit.export", requestedAccountId: params.get("account") || undefined });
  if (!access.allowed) {
    log.info("audit.export.denied", { userId });
    return NextResponse.json({ error: "ACCESS_DENIED", message: access.message }, { status: 403 });
  }

  const format = formatSchema.safeParse(params.get("format") || undefined);
  const parsed = parseAuditFilters(params);
  if (!format.success || !parsed.ok) {
    const problems = [...(format.success ? [] : ["format: Use csv or json."]), ...(parsed.ok ? [] : parsed.problems)];
    log.info("audit.export.invalid", { userId, accountId: access.reader.accountId, problems });
    return NextResponse.json({ error: "INVALID_FILTERS", message: "The export request has invalid parameters. Fix them and export again.", problems }, { status: 400 });
  }

  const { accountId } = access.reader;
  const exported = await buildAuditExport(db(), { accountId, kind: parsed.filters.kind, format: format.data, filters: parsed.filters });
  log.info("audit.export", { accountId, userId, kind: parsed.filters.kind, format: format.data, rows: exported.rowCount, truncated: exported.truncated });

  return new NextResponse(exported.body, {
    headers: {
      "content-type": exported.contentType,
      "content-disposition": `attachment; filename="${exported.filename}"`,
      "cache-control": "no-store",
      "x-export-row-count": String(exported.rowCount),
      "x-export-truncated": String(exported.truncated),
    },
  });
}
