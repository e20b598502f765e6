import type { ReactNode } from "react";

import { CAUSE_LABELS, TRIGGER_LABELS } from "@/components/encryption/check-labels";
import { HealthTimeline } from "@/components/encryption/health-timeline";
import { RotationStatusText } from "@/components/encryption/rotation-status";
import { StateBadge } from "@/components/encryption/state-badge";
import { TestConnectionButton } from "@/components/encryption/test-connection-button";
import { Card } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { RelativeTime } from "@/components/ui/relative-time";
import type { EncryptionStatus } from "@/lib/byok/status";
import type { GlobalRole } from "@/lib/db/generated/enums";
import type { FormResult } from "@/lib/byok/schema";

const STATE_MEANING = {
  ACTIVE: "New data is encrypted under data keys wrapped by your key.",
  DEGRADED: "AWS KMS could not be reached at the last check. The platform keeps retrying.",
  UNAVAILABLE: "Your key refused the platform at the last check. New writes fail until access returns.",
  DISABLED: "BYOK is off. New data is encrypted under the platform's key.",
} as const;

interface StatusCardProps {
  status: EncryptionStatus | null;
  serverNow: Date;
  testAction?: (state: FormResult, formData: FormData) => Promise<FormResult>;
}

export function StatusCard({ status, serverNow, testAction }: StatusCardProps) {
  const now = serverNow.toISOString();
  if (!status) {
    return (
      <Card id="status" title="Status" actions={<StateBadge state="NONE" />}>
        <p className="text-sm text-slate-600">
          No key is connected. Your data is encrypted at rest under the platform&apos;s own AWS KMS key until an owner or admin connects
          a key of yours below.
        </p>
      </Card>
    );
  }

  return (
    <Card id="status" title="Status" description={STATE_MEANING[status.state]} actions={<StateBadge state={status.state} />}>
      <dl className="grid grid-cols-1 gap-x-6 gap-y-4 text-sm sm:grid-cols-2">
        <Fact label="Key ARN" wide>
          <span className="flex items-start gap-2">
            <code data-testid="status-key-arn" className="break-all font-mono text-xs text-slate-800">
              {status.keyArn}
            </code>
            <CopyButton text={status.keyArn} />
          </span>
        </Fact>
        <Fact label="Region">{status.keyRegion}</Fact>
        <Fact label="AWS account">{status.keyAwsAccountId}</Fact>
        <Fact label="Key type">{status.multiRegion ? "Multi-region key" : "Single-region key"}</Fact>
        <Fact label="State since">
          <RelativeTime iso={status.stateChangedAt.toISOString()} serverNow={now} />
        </Fact>
        <Fact label="Last validated">
          <span data-testid="last-validated">
            <RelativeTime iso={status.lastValidatedAt.toISOString()} serverNow={now} />
          </span>
        </Fact>
        <Fact label="Last successful use">
          <span data-testid="last-key-use">
            {status.lastUse ? (
              <>
                <RelativeTime iso={status.lastUse.at.toISOString()} serverNow={now} />
                <span className="block text-slate-500">
                  {status.lastUse.operation}, {CAUSE_LABELS[status.lastUse.cause]}
                </span>
              </>
            ) : (
              "Never"
            )}
          </span>
        </Fact>
        <Fact label="Enabled by">
          {status.enabledBy ? `${status.enabledBy.name} (${status.enabledBy.email})` : "A user who no longer exists"}
          <span className="block text-slate-500">
            <RelativeTime iso={status.enabledAt.toISOString()} serverNow={now} />
          </span>
        </Fact>
        <Fact label="Automatic rotation" wide>
          <RotationStatusText rotation={status.rotation} serverNow={now} />
        </Fact>
        {status.disabled ? (
          <Fact label="Disabled" wide>
            <span data-testid="disabled-by">
              {isDisabledBySupport(status.disabled.by) ? "Disabled by platform support" : `Disabled by ${status.disabled.by?.name}`}
              {status.disabled.at ? (
                <>
                  {" "}
                  <RelativeTime iso={status.disabled.at.toISOString()} serverNow={now} />
                </>
              ) : null}
              {status.disabled.reason ? `: ${status.disabled.reason}` : null}
            </span>
          </Fact>
        ) : null}
      </dl>

      <HealthNotes status={status} now={now} />

      {status.lastError ? (
        <div className="mt-5 rounded-lg border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900">
          <p className="font-medium">Last check failed: {status.lastError.code}</p>
          {status.lastError.message ? <p className="mt-1">{status.lastError.message}</p> : null}
          {status.lastError.at ? (
            <p className="mt-1 text-xs">
              <RelativeTime iso={status.lastError.at.toISOString()} serverNow={now} />
            </p>
          ) : null}
        </div>
      ) : null}

      {testAction ? (
        <div className="mt-5 border-t border-slate-100 pt-5">
          <TestConnectionButton action={testAction} />
        </div>
      ) : null}

      {status.checkHistory.checks.length > 0 ? (
        <div className="mt-5 border-t border-slate-100 pt-5">
          <HealthTimeline history={status.checkHistory} serverNow={now} />
        </div>
      ) : null}

      {status.recentChecks.length > 0 ? (
        <div className="mt-5 border-t border-slate-100 pt-5">
          <h3 className="text-sm font-medium text-slate-900">Recent checks</h3>
          <table className="mt-2 w-full text-left text-sm">
            <thead className="text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="py-1 pr-4 font-medium">When</th>
                <th className="py-1 pr-4 font-medium">Trigger</th>
                <th className="py-1 pr-4 font-medium">Result</th>
                <th className="py-1 font-medium">Latency</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {status.recentChecks.map((check) => (
                <tr key={check.checkedAt.toISOString() + check.trigger}>
                  <td className="py-1.5 pr-4">
                    <RelativeTime iso={check.checkedAt.toISOString()} serverNow={now} />
                  </td>
                  <td className="py-1.5 pr-4">{TRIGGER_LABELS[check.trigger] ?? check.trigger}</td>
                  <td className={`py-1.5 pr-4 ${check.ok ? "text-emerald-700" : "text-red-700"}`}>{check.ok ? "Passed" : `Failed: ${check.errorCode}`}</td>
                  <td className="py-1.5 tabular-nums">{check.latencyMs} ms</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Card>
  );
}

type Disabler = { name: string; globalRole?: GlobalRole | null } | null;

/**
 * Support staff are named as "platform support", not by their own name. A disabler whose
 * user was deleted counts as support too, because only the support console disables BYOK.
 */
function isDisabledBySupport(by: Disabler): boolean {
  return by === null || by.globalRole === "SUPPORT";
}

function Fact({ label, wide = false, children }: { label: string; wide?: boolean; children: ReactNode }) {
  return (
    <div className={wide ? "sm:col-span-2" : undefined}>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-1 text-slate-900">{children}</dd>
    </div>
  );
}

/** Explains what the key state means for the account's data right now, with the times that bound it. */
function HealthNotes({ status, now }: { status: EncryptionStatus; now: string }) {
  const { health } = status;
  return (
    <div className="mt-5 space-y-2 text-sm" data-testid="health-notes">
      {health.suspendedAt ? (
        <p className="rounded-lg border border-red-200 bg-red-50 p-3 text-red-900">
          API access of this account is suspended since <RelativeTime iso={health.suspendedAt.toISOString()} serverNow={now} />, because the key stayed
          unavailable. It resumes by itself at the first successful check.
        </p>
      ) : null}
      {status.state === "UNAVAILABLE" && health.unavailableSince ? (
        <p className="rounded-lg border border-red-200 bg-red-50 p-3 text-red-900">
          New writes are rejected since <RelativeTime iso={health.unavailableSince.toISOString()} serverNow={now} />. Reads keep working while
          data keys are cached, until{" "}
          {health.cachedKeysExpireAt ? <RelativeTime iso={health.cachedKeysExpireAt.toISOString()} serverNow={now} /> : "the cache expires"} at the
          latest, and then fail until the platform can use the key again.
        </p>
      ) : null}
      {status.state === "DEGRADED" ? (
        <p className="rounded-lg border border-amber-200 bg-amber-50 p-3 text-amber-900">
          AWS KMS could not be reached at the last check. Writes and reads continue with cached data keys, and the platform retries.
        </p>
      ) : null}
      {health.nextCheckAt && status.state !== "DISABLED" ? (
        <p className="text-xs text-slate-500">
          Next automatic check <RelativeTime iso={health.nextCheckAt.toISOString()} serverNow={now} />.
        </p>
      ) : null}
    </div>
  );
}
