import { CopyButton } from "@/components/ui/copy-button";
import { formatAbsolute } from "@/components/ui/format-time";
import type { KmsCall } from "@/lib/db/generated/client";

import { KMS_CAUSE_TEXT } from "./kms-causes";

/** Table of the KMS calls made with the account's key, newest first. Each request ID is also the requestID of the call's CloudTrail event. */
export function KmsCallsTable({ calls }: { calls: KmsCall[] }) {
  if (calls.length === 0) return <p className="text-sm text-slate-600">No KMS calls match these filters.</p>;

  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" aria-label="KMS calls">
        <thead className="text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th className="py-1 pr-3 font-medium">Time (UTC)</th>
            <th className="py-1 pr-3 font-medium">Operation</th>
            <th className="py-1 pr-3 font-medium">Cause</th>
            <th className="py-1 pr-3 font-medium">Outcome</th>
            <th className="py-1 pr-3 font-medium">Request ID</th>
            <th className="py-1 pr-3 font-medium">Latency</th>
            <th className="py-1 pr-3 font-medium">Instance</th>
            <th className="py-1 font-medium">Key ARN and encryption context</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {calls.map((call) => (
            <tr key={call.id.toString()} className="align-top">
              <td className="py-1.5 pr-3 text-xs">{formatAbsolute(call.createdAt)}</td>
              <td className="py-1.5 pr-3 font-mono text-xs">{call.operation}</td>
              <td className="py-1.5 pr-3 text-xs">
                {KMS_CAUSE_TEXT[call.cause].label}
                <code className="block font-mono text-slate-500">{call.cause}</code>
              </td>
              <td className={`py-1.5 pr-3 text-xs ${call.ok ? "text-emerald-700" : "text-red-700"}`}>{call.ok ? "OK" : `Failed: ${call.errorCode ?? "unknown"}`}</td>
              <td className="py-1.5 pr-3 text-xs">
                {call.requestId ? (
                  <div className="flex flex-col items-start gap-1">
                    <code className="whitespace-nowrap font-mono" data-testid="request-id">
                      {call.requestId}
                    </code>
                    <CopyButton text={call.requestId} />
                  </div>
                ) : (
                  <span className="text-slate-500">none (no response from KMS)</span>
                )}
              </td>
              <td className="whitespace-nowrap py-1.5 pr-3 text-xs">{call.latencyMs} ms</td>
              <td className="py-1.5 pr-3 font-mono text-xs">{call.instance}</td>
              <td className="min-w-56 py-1.5 text-xs">
                <code className="block break-all font-mono">{call.keyArn}</code>
                <code className="mt-1 block break-all font-mono text-slate-500">{JSON.stringify(call.encryptionContext)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
