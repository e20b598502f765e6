import type { ReactNode } from "react";

import { RelativeTime } from "@/components/ui/relative-time";
import type { SupportAccountDetail } from "@/lib/support/accounts";

const STATUS_STYLES: Record<string, string> = {
  PENDING: "bg-amber-50 text-amber-800 ring-amber-600/20",
  EXECUTED: "bg-slate-100 text-slate-700 ring-slate-500/20",
  REJECTED: "bg-slate-50 text-slate-600 ring-slate-400/20",
  CANCELLED: "bg-slate-50 text-slate-600 ring-slate-400/20",
};

/** Disable requests of an account, newest first; `decision` renders the buttons of a pending one. */
export function DisableRequests({
  requests,
  serverNow,
  decision,
}: {
  requests: SupportAccountDetail["disableRequests"];
  serverNow: Date;
  decision: (request: SupportAccountDetail["disableRequests"][number]) => ReactNode;
}) {
  const now = serverNow.toISOString();
  if (requests.length === 0) return <p className="text-sm text-slate-600">No support user has asked to disable BYOK for this account.</p>;

  return (
    <ul className="divide-y divide-slate-100">
      {requests.map((request) => (
        <li key={request.id} className="space-y-2 py-3 first:pt-0 last:pb-0" data-testid="disable-request">
          <div className="flex flex-wrap items-center gap-2 text-sm">
            <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ring-inset ${STATUS_STYLES[request.status] ?? ""}`}>{request.status.toLowerCase()}</span>
            <span className="text-slate-700">
              Requested by {request.requestedBy} <RelativeTime iso={request.createdAt.toISOString()} serverNow={now} />
            </span>
          </div>
          <p className="text-sm text-slate-900">Reason: {request.reason}</p>
          {request.decidedBy && request.decidedAt ? (
            <p className="text-xs text-slate-500">
              {request.status === "CANCELLED" ? "Cancelled" : "Decided"} by {request.decidedBy} <RelativeTime iso={request.decidedAt.toISOString()} serverNow={now} />
            </p>
          ) : null}
          {request.status === "PENDING" ? decision(request) : null}
        </li>
      ))}
    </ul>
  );
}
