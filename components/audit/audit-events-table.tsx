import { formatAbsolute } from "@/components/ui/format-time";
import type { AuditEvent } from "@/lib/db/generated/client";

const OUTCOME_STYLES: Record<AuditEvent["outcome"], string> = { SUCCESS: "text-emerald-700", FAILURE: "text-red-700", DENIED: "text-amber-700" };

function actorLabel(event: AuditEvent): string {
  if (event.actorType === "SUPPORT") return event.actorEmail ? `platform support (${event.actorEmail})` : "platform support";
  if (event.actorType === "SYSTEM") return "system";
  return event.actorEmail ?? event.actorUserId ?? "unknown user";
}

function compactJson(value: AuditEvent["before"]): string | null {
  return value === null ? null : JSON.stringify(value);
}

// Most events store `{}` as details, which is not worth a line.
function detailsJson(value: AuditEvent["details"]): string | null {
  const isEmptyObject = typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
  return isEmptyObject ? null : compactJson(value);
}

/** Settings changes and refused attempts on the account, newest first. */
export function AuditEventsTable({ events }: { events: AuditEvent[] }) {
  if (events.length === 0) return <p className="text-sm text-slate-600">No audit events match these filters.</p>;

  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" aria-label="Audit events">
        <thead className="text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th className="py-1 pr-3 font-medium">Time (UTC)</th>
            <th className="py-1 pr-3 font-medium">Actor</th>
            <th className="py-1 pr-3 font-medium">Action</th>
            <th className="py-1 pr-3 font-medium">Outcome</th>
            <th className="py-1 font-medium">Key ARN, change and details</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {events.map((event) => {
            const before = compactJson(event.before);
            const after = compactJson(event.after);
            const details = detailsJson(event.details);
            return (
              <tr key={event.id.toString()} className="align-top">
                <td className="whitespace-nowrap py-1.5 pr-3 text-xs">{formatAbsolute(event.createdAt)}</td>
                <td className="py-1.5 pr-3 text-xs">{actorLabel(event)}</td>
                <td className="py-1.5 pr-3 font-mono text-xs">{event.action}</td>
                <td className={`py-1.5 pr-3 text-xs ${OUTCOME_STYLES[event.outcome]}`}>
                  {event.outcome}
                  {event.errorCode ? `: ${event.errorCode}` : ""}
                </td>
                <td className="py-1.5 text-xs">
                  {event.keyArn ? <code className="block break-all font-mono">{event.keyArn}</code> : null}
                  {before !== null ? <code className="mt-1 block break-all font-mono text-slate-500">before: {before}</code> : null}
                  {after !== null ? <code className="mt-1 block break-all font-mono text-slate-500">after: {after}</code> : null}
                  {details !== null ? <code className="mt-1 block break-all font-mono text-slate-500">details: {details}</code> : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
