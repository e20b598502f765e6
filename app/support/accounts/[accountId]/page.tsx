import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import {
  approveByokDisableAction,
  cancelByokDisableAction,
  rejectByokDisableAction,
  requestByokDisableAction,
  setByokAddOnAction,
} from "@/app/support/accounts/[accountId]/actions";
import { StatusCard } from "@/components/encryption/status-card";
import { AccessDenied } from "@/components/support/access-denied";
import { AddOnForm } from "@/components/support/add-on-form";
import { AuditEvents } from "@/components/support/audit-events";
import { DisableByokForm } from "@/components/support/disable-byok-form";
import { DisableRequests } from "@/components/support/disable-requests";
import { RequestDecision } from "@/components/support/request-decision";
import { RewrapJobList } from "@/components/rewrap/job-list";
import { Card } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { summarizeUnmoved } from "@/lib/rewrap";
import { AUDIT_EVENTS_SHOWN, loadSupportAccount } from "@/lib/support/accounts";
import { requireSupportPage } from "@/lib/support/page-access";

export const metadata: Metadata = { title: "Support · Account" };

export default async function SupportAccountPage({ params }: { params: Promise<{ accountId: string }> }) {
  const { accountId } = await params;
  const access = await requireSupportPage(`/support/accounts/${encodeURIComponent(accountId)}`, "support.account.view", accountId);
  if (!access.allowed) return <AccessDenied message={access.message} />;

  const config = env();
  const detail = await loadSupportAccount(db(), access.actor, accountId, config.DEK_CACHE_TTL_SECONDS * 1000);
  if (!detail) notFound();
  const { account, status } = detail;
  const serverNow = new Date();
  // Data keys a finished job could not move stay under the tenant's key; count them and their records.
  const unmoved = await Promise.all(
    detail.rewrapJobs
      .filter((job) => job.status === "COMPLETED" && job.failed > 0)
      .map(async (job) => ({ jobId: job.id, keyArn: job.sourceKeyArn, ...(await summarizeUnmoved(db(), accountId, job.sourceKeyArn)) })),
  );
  const pendingRequest = detail.disableRequests.find((request) => request.status === "PENDING");

  return (
    <div className="space-y-6">
      <div>
        <Link href="/support" className="text-sm text-indigo-700 hover:underline">
          ← Accounts
        </Link>
        <h1 className="mt-2 text-2xl font-semibold tracking-tight text-slate-900">{account.name}</h1>
        <p className="mt-1 flex flex-wrap items-center gap-2 text-sm text-slate-600">
          Account UUID <code className="font-mono text-xs text-slate-800">{account.id}</code>
          <CopyButton text={account.id} />
        </p>
      </div>

      <Card id="add-on" title="BYOK add-on" description="Accounts with the add-on can connect their own AWS KMS key on their Encryption page.">
        <AddOnForm accountId={account.id} byokAddOn={account.byokAddOn} action={setByokAddOnAction} />
      </Card>

      <StatusCard status={status} serverNow={serverNow} />

      <Card id="disable" title="Disable BYOK" description="New data goes to the platform key at once. A re-wrap job then moves the stored data keys to the platform key while the tenant key still works.">
        {!status || status.state === "DISABLED" ? (
          <p className="text-sm text-slate-600">BYOK is not enabled for this account, so there is nothing to disable.</p>
        ) : pendingRequest ? (
          <p className="text-sm text-slate-600">A request to disable BYOK is waiting for approval below.</p>
        ) : (
          <DisableByokForm
            accountId={account.id}
            accountName={account.name}
            requiresApproval={config.SUPPORT_DISABLE_REQUIRES_APPROVAL}
            action={requestByokDisableAction}
          />
        )}
      </Card>

      <Card id="disable-requests" title="Disable requests">
        <DisableRequests
          requests={detail.disableRequests}
          serverNow={serverNow}
          decision={(request) => (
            <RequestDecision
              accountId={account.id}
              requestId={request.id}
              isRequester={request.requestedById === access.actor.id}
              approveAction={approveByokDisableAction}
              rejectAction={rejectByokDisableAction}
              cancelAction={cancelByokDisableAction}
            />
          )}
        />
      </Card>

      <Card id="rewrap-jobs" title="Re-wrap jobs" description="Progress of moving this account's data keys from one KMS key to another.">
        <RewrapJobList jobs={detail.rewrapJobs} serverNow={serverNow} />
        {unmoved.map((summary) => (
          <p key={summary.jobId} data-testid="rewrap-unmoved" className="mt-3 rounded-lg border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900">
            {summary.dataKeys} data keys ({summary.records} records) could not be moved off {summary.keyArn}, because that key refused to unwrap them. These
            records stay readable only while the tenant&apos;s key works. If the tenant revokes it for good, they cannot be decrypted again, so ask
            the tenant to keep the key usable for as long as those records are needed.
          </p>
        ))}
      </Card>

      <Card
        id="audit"
        title="Audit log"
        description={`The latest ${AUDIT_EVENTS_SHOWN} events of this account, newest first.`}
        actions={
          <Link
            href={`/support/accounts/${account.id}/audit`}
            prefetch={false}
            className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50"
          >
            Open full audit log
          </Link>
        }
      >
        <AuditEvents events={detail.auditEvents} serverNow={serverNow} />
      </Card>
    </div>
  );
}
