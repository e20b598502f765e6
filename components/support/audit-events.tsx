import { RelativeTime } from "@/components/ui/relative-time";
import type { SupportAccountDetail } from "@/lib/support/accounts";

const OUTCOME_STYLES: Record<string, string> = { SUCCESS: "text-emerald-700", FAILURE: "text-red-700", DENIED: "text-amber-700" };

/** Lists the account's latest audit events, newest first. */
export function AuditEvents({ events, serverNow }: { events: SupportAccountDetail["auditEvents"]; serverNow: Date }) {
  const now = serverNow.toISOString();
  if (events.length === 0) return <p className="text-sm text-slate-600">No audit events yet.</p>;

  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <thead className="text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th className="py-1 pr-4 font-medium">When</th>
            <th className="py-1 pr-4 font-medium">Action</th>
            <th className="py-1 pr-4 font-medium">Actor</th>
            <th className="py-1 font-medium">Outcome</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {events.map((event) => (
            <tr key={event.id} className="align-top">
              <td className="py-1.5 pr-4 text-xs">
                <RelativeTime iso={event.createdAt.toISOString()} serverNow={now} />
              </td>
              <td className="py-1.5 pr-4 font-mono text-xs">{event.action}</td>
              <td className="py-1.5 pr-4 text-xs">
                {event.actorEmail ?? "—"} <span className="text-slate-500">({event.actorType.toLowerCase()})</span>
              </td>
              <td className={`py-1.5 text-xs ${OUTCOME_STYLES[event.outcome] ?? ""}`}>
                {event.outcome.toLowerCase()}
                {event.errorCode ? `: ${event.errorCode}` : ""}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
