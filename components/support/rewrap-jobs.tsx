import { RelativeTime } from "@/components/ui/relative-time";
import type { SupportAccountDetail } from "@/lib/support/accounts";

/** Re-wrap jobs of an account with their progress: data keys moved and failed out of the total. */
export function RewrapJobs({ jobs, serverNow }: { jobs: SupportAccountDetail["rewrapJobs"]; serverNow: Date }) {
  const now = serverNow.toISOString();
  if (jobs.length === 0) return <p className="text-sm text-slate-600">No re-wrap job has run for this account.</p>;

  return (
    <ul className="divide-y divide-slate-100">
      {jobs.map((job) => {
        const done = job.moved + job.failed;
        const percent = job.total > 0 ? Math.min(100, Math.round((done / job.total) * 100)) : 0;
        return (
          <li key={job.id} className="space-y-2 py-3 text-sm first:pt-0 last:pb-0" data-testid="rewrap-job">
            <div className="flex flex-wrap items-center justify-between gap-2">
              <span className="font-medium text-slate-900">{job.status.toLowerCase()}</span>
              <span className="text-xs text-slate-500">
                Queued <RelativeTime iso={job.createdAt.toISOString()} serverNow={now} />
                {job.requestedBy ? ` by ${job.requestedBy}` : ""}
              </span>
            </div>
            <div
              role="progressbar"
              aria-label="Re-wrap progress"
              aria-valuemin={0}
              aria-valuemax={job.total}
              aria-valuenow={done}
              className="h-2 overflow-hidden rounded-full bg-slate-100"
            >
              <div className={`h-full ${job.failed > 0 ? "bg-amber-500" : "bg-indigo-600"}`} style={{ width: `${percent}%` }} />
            </div>
            <p className="text-xs text-slate-600 tabular-nums">
              {job.moved} moved, {job.failed} failed, {job.total} total
            </p>
            <p className="break-all font-mono text-xs text-slate-500">
              {job.sourceKeyArn} → {job.targetKeyArn}
            </p>
            {job.lastError ? <p className="text-xs text-red-700">Last error: {job.lastError}</p> : null}
          </li>
        );
      })}
    </ul>
  );
}
