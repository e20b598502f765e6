import { TRIGGER_LABELS } from "@/components/encryption/check-labels";
import { formatAbsolute, formatRelative } from "@/components/ui/format-time";
import { RelativeTime } from "@/components/ui/relative-time";
import type { EncryptionStatus, KeyCheckSummary } from "@/lib/byok/status";

/**
 * Draws the key's recent checks as a strip of bars, oldest on the left, one bar per check
 * whatever the time between checks. Failed bars are red and taller, so they stand out
 * without color too. Each bar's tooltip gives the time, trigger, result and latency. The
 * sentence above the strip is its text alternative.
 */
export function HealthTimeline({ history, serverNow }: { history: EncryptionStatus["checkHistory"]; serverNow: string }) {
  const { checks, passed } = history;
  const oldest = checks[0];
  const newest = checks.at(-1);
  if (!oldest || !newest) return null;

  const lastFailure = checks.findLast((check) => !check.ok);
  const now = new Date(serverNow);

  return (
    <section aria-labelledby="health-history-title">
      <h3 id="health-history-title" className="text-sm font-medium text-slate-900">
        Health history
      </h3>
      <p id="health-history-summary" data-testid="health-history-summary" className="mt-1 text-sm text-slate-600">
        {passed} of {checks.length} {checks.length === 1 ? "check" : "checks"} passed since{" "}
        <RelativeTime iso={oldest.checkedAt.toISOString()} serverNow={serverNow} />.
        {lastFailure ? (
          <>
            {" "}
            Latest failure: {lastFailure.errorCode ?? "unknown error"},{" "}
            <RelativeTime iso={lastFailure.checkedAt.toISOString()} serverNow={serverNow} />.
          </>
        ) : null}
      </p>

      <div role="img" aria-labelledby="health-history-summary" data-testid="health-timeline" className="mt-3 flex h-7 items-end gap-0.5">
        {checks.map((check) => (
          <span
            key={`${check.checkedAt.toISOString()}-${check.trigger}`}
            title={describeCheck(check)}
            data-ok={check.ok}
            className={`max-w-3 min-w-0.5 flex-1 rounded-sm ${check.ok ? "h-5 bg-emerald-500" : "h-7 bg-red-600"}`}
          />
        ))}
      </div>
      <div className="mt-1 flex justify-between gap-4 text-xs text-slate-500" aria-hidden="true">
        <span>{formatRelative(oldest.checkedAt, now)}</span>
        <span>{formatRelative(newest.checkedAt, now)}</span>
      </div>

      <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600" aria-label="Legend">
        <li className="flex items-center gap-1.5">
          <span className="inline-block h-3 w-2 rounded-sm bg-emerald-500" aria-hidden="true" />
          Passed
        </li>
        <li className="flex items-center gap-1.5">
          <span className="inline-block h-4 w-2 rounded-sm bg-red-600" aria-hidden="true" />
          Failed
        </li>
        <li>One bar per check, oldest on the left. Point at a bar for its details.</li>
      </ul>
    </section>
  );
}

function describeCheck(check: KeyCheckSummary): string {
  const result = check.ok ? "passed" : `failed: ${check.errorCode ?? "unknown error"}`;
  return `${formatAbsolute(check.checkedAt)} · ${TRIGGER_LABELS[check.trigger] ?? check.trigger} · ${result} · ${check.latencyMs} ms`;
}
