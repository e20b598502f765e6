import type { ReactNode } from "react";

import { RelativeTime } from "@/components/ui/relative-time";
import type { RewrapJobKind, RewrapJobStatus } from "@/lib/db/generated/client";
import type { RewrapJobView } from "@/lib/rewrap/summary";

export const KIND_LABELS: Record<RewrapJobKind, string> = {
  ROTATION: "Re-wrap onto the newest key material",
  KEY_CHANGE: "Key change",
  FROM_PLATFORM: "Protect data written before activation",
  TO_PLATFORM: "Move to the platform key",
};

const STATUS_STYLES: Record<RewrapJobStatus, string> = {
  PENDING: "bg-slate-100 text-slate-700",
  RUNNING: "bg-indigo-50 text-indigo-700",
  COMPLETED: "bg-emerald-50 text-emerald-700",
  FAILED: "bg-red-50 text-red-700",
  CANCELLED: "bg-slate-100 text-slate-600",
};

/** Re-wrap jobs with their progress: data keys moved and failed out of the total. `actions` adds controls to a job. */
export function RewrapJobList({ jobs, serverNow, actions }: { jobs: RewrapJobView[]; serverNow: Date; actions?: (job: RewrapJobView) => ReactNode }) {
  const now = serverNow.toISOString();
  if (jobs.length === 0) return <p className="text-sm text-slate-600">No re-wrap job has run for this account.</p>;

  return (
    <ul className="divide-y divide-slate-100">
      {jobs.map((job) => {
        const done = job.moved + job.failed;
        const percent = job.total > 0 ? Math.min(100, Math.round((done / job.total) * 100)) : job.status === "COMPLETED" ? 100 : 0;
        return (
          <li key={job.id} className="space-y-2 py-3 text-sm first:pt-0 last:pb-0" data-testid="rewrap-job">
            <div className="flex flex-wrap items-center justify-between gap-2">
              <span className="flex items-center gap-2">
                <span className="font-medium text-slate-900">{KIND_LABELS[job.kind]}</span>
                <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${STATUS_STYLES[job.status]}`}>{job.status.toLowerCase()}</span>
              </span>
              <span className="text-xs text-slate-500">
                Queued <RelativeTime iso={job.createdAt.toISOString()} serverNow={now} />
                {job.requestedBy ? ` by ${job.requestedBy}` : ""}
              </span>
            </div>
            <div
              role="progressbar"
              aria-label={`${KIND_LABELS[job.kind]} progress`}
              aria-valuemin={0}
              aria-valuemax={job.total}
              aria-valuenow={done}
              className="h-2 overflow-hidden rounded-full bg-slate-100"
            >
              <div className={`h-full ${job.failed > 0 ? "bg-amber-500" : "bg-indigo-600"}`} style={{ width: `${percent}%` }} />
            </div>
            <div className="flex flex-wrap items-center justify-between gap-2">
              <p className="text-xs text-slate-600 tabular-nums">
                {job.status === "PENDING" ? "Waiting for a worker to start it." : `${job.moved} moved, ${job.failed} failed, ${job.total} total`}
              </p>
              {actions?.(job)}
            </div>
            <p className="break-all font-mono text-xs text-slate-500">
              {job.sourceKeyArn === job.targetKeyArn ? job.sourceKeyArn : `${job.sourceKeyArn} → ${job.targetKeyArn}`}
            </p>
            {job.lastError ? <p className="text-xs text-red-700">{job.status === "CANCELLED" ? job.lastError : `Last error: ${job.lastError}`}</p> : null}
          </li>
        );
      })}
    </ul>
  );
}
