import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { AuditLog } from "@/components/audit/audit-log";
import { AuditRefusal } from "@/components/audit/audit-refusal";
import { authorizeOwnAuditRead } from "@/lib/audit/access";
import { loadAuditView } from "@/lib/audit/view";
import { sessionUserId } from "@/lib/auth/session";
import { db } from "@/lib/db/client";

export const metadata: Metadata = { title: "Audit" };

type SearchParams = Record<string, string | string[] | undefined>;

const BASE_PATH = "/account/audit";

export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const claimedAccountId = [params.account].flat()[0] || undefined;

  const userId = await sessionUserId();
  if (!userId) redirect(`/sign-in?callbackUrl=${encodeURIComponent(BASE_PATH)}`);
  const access = await authorizeOwnAuditRead(db(), { userId, action: "audit.read", claimedAccountId });
  if (!access.allowed) return <AuditRefusal message={access.message} />;
  const { reader } = access;

  const view = await loadAuditView(db(), reader.accountId, params);

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Audit</h1>
        <p className="mt-1 max-w-3xl text-sm text-slate-600">
          Every KMS call the platform made with {reader.accountName}&apos;s key, and every change to its key and settings. Match a KMS call&apos;s request
          ID with the <code className="font-mono text-xs">requestID</code> of the event in your CloudTrail. Times are UTC.
        </p>
      </div>
      <AuditLog basePath={BASE_PATH} view={view} now={new Date()} />
    </div>
  );
}
