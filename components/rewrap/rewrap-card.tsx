import { AutoRefresh, CancelRewrapForm, ProtectOlderDataForm, RewrapNowForm, RewrapScheduleForm } from "@/components/rewrap/controls";
import { RewrapJobList } from "@/components/rewrap/job-list";
import { Card } from "@/components/ui/card";
import { formatAbsolute } from "@/components/ui/format-time";
import type { FormResult } from "@/lib/byok/schema";
import type { RewrapJobView } from "@/lib/rewrap/summary";

type FormAction = (state: FormResult, formData: FormData) => Promise<FormResult>;

interface RewrapCardProps {
  keyArn: string;
  jobs: RewrapJobView[];
  intervalDays: number | null;
  nextRewrapAt: Date | null;
  serverNow: Date;
  /** Data keys still under the platform key: data written before activation. */
  olderDataKeys: number;
  /** Present for owners and admins only. */
  actions?: { requestRewrap: FormAction; protectOlderData: FormAction; setSchedule: FormAction; cancel: FormAction };
}

const ACTIVE = new Set(["PENDING", "RUNNING"]);

/**
 * Re-wraps of the account's data keys: what they are for, the permission they need,
 * start one now or on a schedule, and the progress of recent jobs. The page refreshes
 * itself while a job runs.
 */
export function RewrapCard({ keyArn, jobs, intervalDays, nextRewrapAt, olderDataKeys, serverNow, actions }: RewrapCardProps) {
  const running = jobs.some((job) => ACTIVE.has(job.status));
  const keyChangeRunning = jobs.some((job) => job.kind === "KEY_CHANGE" && ACTIVE.has(job.status));
  return (
    <Card
      id="rewrap"
      title="Re-wrap"
      description={
        <>
          When AWS KMS rotates your key, records stay readable with no action. A re-wrap also moves every stored data key onto the newest key
          material with one <code className="font-mono text-xs">kms:ReEncrypt</code> per data key, so its cost grows with data keys, not records.
          Your key policy must allow <code className="font-mono text-xs">kms:ReEncryptFrom</code> and{" "}
          <code className="font-mono text-xs">kms:ReEncryptTo</code> for the platform role (tick that option under Key policy).
        </>
      }
    >
      <div className="space-y-6">
        <AutoRefresh active={running} />
        {actions ? (
          <div className="flex flex-wrap items-start gap-x-10 gap-y-4">
            <div className="space-y-1">
              <RewrapNowForm action={actions.requestRewrap} disabled={keyChangeRunning} />
              <p className="max-w-xs text-xs text-slate-500">
                {keyChangeRunning ? "A key change is running; it re-wraps every data key anyway." : <>Re-wraps the data keys under <span className="break-all font-mono">{keyArn}</span>.</>}
              </p>
            </div>
            {olderDataKeys > 0 ? (
              <div className="space-y-1">
                <ProtectOlderDataForm action={actions.protectOlderData} disabled={running} />
                <p className="max-w-xs text-xs text-slate-500">
                  {olderDataKeys.toLocaleString("en-US")} data key{olderDataKeys === 1 ? " of data written before activation is" : "s of data written before activation are"}{" "}
                  still under the platform&apos;s key. Moving {olderDataKeys === 1 ? "it" : "them"} needs kms:ReEncryptTo on your key.
                </p>
              </div>
            ) : null}
            <div className="space-y-1">
              <RewrapScheduleForm action={actions.setSchedule} intervalDays={intervalDays} />
              <p className="text-xs text-slate-500" data-testid="next-rewrap">
                {nextRewrapAt ? `Next scheduled re-wrap: ${formatAbsolute(nextRewrapAt)}.` : "No re-wrap is scheduled."}
              </p>
            </div>
          </div>
        ) : (
          <p className="text-sm text-slate-600" data-testid="next-rewrap">
            {nextRewrapAt ? `Next scheduled re-wrap: ${formatAbsolute(nextRewrapAt)}.` : "No re-wrap is scheduled."}
          </p>
        )}
        <div>
          <h3 className="mb-2 text-sm font-semibold text-slate-900">Recent jobs</h3>
          <RewrapJobList
            jobs={jobs}
            serverNow={serverNow}
            actions={(job) =>
              actions && ACTIVE.has(job.status) && job.kind !== "TO_PLATFORM" ? (
                <CancelRewrapForm action={actions.cancel} jobId={job.id} confirmation={cancelConfirmation(job)} />
              ) : null
            }
          />
        </div>
      </div>
    </Card>
  );
}

function cancelConfirmation(job: RewrapJobView): string {
  if (job.kind === "KEY_CHANGE") {
    return `Cancel the key change? The account keeps ${job.sourceKeyArn}. Data keys already moved stay under ${job.targetKeyArn}, so keep both keys usable.`;
  }
  return "Cancel this re-wrap? Data keys already re-wrapped stay re-wrapped; the rest stay as they are.";
}
