import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";

import { AuditLog } from "@/components/audit/audit-log";
import { AccessDenied } from "@/components/support/access-denied";
import { authorizeSupportAuditRead, recordSupportAuditRead } from "@/lib/audit/access";
import { withoutCursor } from "@/lib/audit/query";
import { loadAuditView } from "@/lib/audit/view";
import { sessionUserId } from "@/lib/auth/session";
import { db } from "@/lib/db/client";

export const metadata: Metadata = { title: "Support · Audit log" };

type SearchParams = Record<string, string | string[] | undefined>;

export default async function SupportAuditPage({ params, searchParams }: { params: Promise<{ accountId: string }>; searchParams: Promise<SearchParams> }) {
  const { accountId } = await params;
  const query = await searchParams;

  const userId = await sessionUserId();
  if (!userId) redirect(`/sign-in?callbackUrl=${encodeURIComponent(`/support/accounts/${encodeURIComponent(accountId)}/audit`)}`);
  const access = await authorizeSupportAuditRead(db(), { userId, action: "audit.read", accountId });
  if (!access.allowed) {
    if (access.reason === "not-found") notFound();
    return <AccessDenied message={access.message} />;
  }
  const { reader } = access;

  const view = await loadAuditView(db(), reader.accountId, query);
  await recordSupportAuditRead(db(), reader, { action: "audit.read", details: { filters: withoutCursor(view.filters), cursor: view.filters.cursor ?? null } });

  const accountPath = `/support/accounts/${reader.accountId}`;
  return (
    <div className="space-y-6">
      <div>
        <Link href={accountPath} className="text-sm text-indigo-700 hover:underline">
          ← {reader.accountName}
        </Link>
        <h1 className="mt-2 text-2xl font-semibold tracking-tight text-slate-900">Audit log of {reader.accountName}</h1>
        <p className="mt-1 max-w-3xl text-sm text-slate-600">
          The KMS calls the platform made with this account&apos;s key, and the changes to its key and settings, as the tenant sees them on their Audit
          page. Times are UTC.
        </p>
        <p className="mt-2 max-w-3xl rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
          You are reading this account as platform support ({reader.viewer.email}). Each page you open and each export is recorded in the account&apos;s
          audit log, which the tenant can read.
        </p>
      </div>
      <AuditLog basePath={`${accountPath}/audit`} view={view} now={new Date()} />
    </div>
  );
}
