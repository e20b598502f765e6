import type { RewrapJobView } from "@/lib/rewrap/summary";

/**
 * Shows a key change under way: what is left, and that the old key must stay usable until
 * it finishes. For a change that stopped before the switch, it shows why.
 */
export function KeyChangeBanner({ job }: { job: RewrapJobView }) {
  const left = Math.max(0, job.total - job.moved - job.failed);
  if (job.status === "FAILED") {
    return (
      <section role="alert" data-testid="key-change-banner" className="rounded-xl border border-red-200 bg-red-50 p-4 text-sm text-red-900">
        <h2 className="font-semibold">The key change stopped before the switch</h2>
        <p className="mt-1">
          The account still uses <span className="break-all font-mono text-xs">{job.sourceKeyArn}</span>. {job.moved} of {job.total} data keys moved to{" "}
          <span className="break-all font-mono text-xs">{job.targetKeyArn}</span>
          {job.failed > 0 ? `, ${job.failed} could not be moved` : ""}.
        </p>
        {job.lastError ? <p className="mt-1">{job.lastError}</p> : null}
        <p className="mt-1">Keep both keys usable. After fixing the cause, save the new key again below: data keys already moved are skipped.</p>
      </section>
    );
  }
  return (
    <section role="status" data-testid="key-change-banner" className="rounded-xl border border-amber-200 bg-amber-50 p-4 text-sm text-amber-900">
      <h2 className="font-semibold">Key change in progress</h2>
      <p className="mt-1">
        Moving data keys from <span className="break-all font-mono text-xs">{job.sourceKeyArn}</span> to{" "}
        <span className="break-all font-mono text-xs">{job.targetKeyArn}</span>
        {job.status === "PENDING" ? ": waiting for a worker to start." : `: ${job.moved} of ${job.total} moved, ${left} left${job.failed > 0 ? `, ${job.failed} failed` : ""}.`}
      </p>
      <p className="mt-1">
        Keep the old key enabled and its policy unchanged until this finishes. New records use the old key until then, and the account switches to the new key
        when no data key is left under the old one.
      </p>
    </section>
  );
}
