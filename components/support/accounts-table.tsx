import Link from "next/link";

import { StateBadge } from "@/components/encryption/state-badge";
import { RelativeTime } from "@/components/ui/relative-time";
import type { AccountRow } from "@/lib/support/accounts";

export function AccountsTable({ rows, serverNow }: { rows: AccountRow[]; serverNow: Date }) {
  const now = serverNow.toISOString();
  if (rows.length === 0) return <p className="py-6 text-center text-sm text-slate-600">No account matches this search.</p>;

  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <thead className="whitespace-nowrap text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th className="py-2 pr-4 font-medium">Account</th>
            <th className="py-2 pr-4 font-medium">Add-on</th>
            <th className="py-2 pr-4 font-medium">BYOK state</th>
            <th className="py-2 pr-4 font-medium">Key ARN</th>
            <th className="py-2 pr-4 font-medium">Last validated</th>
            <th className="py-2 font-medium">Suspended</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((row) => (
            <tr key={row.id} className="align-top">
              <td className="py-2 pr-4">
                <Link href={`/support/accounts/${row.id}`} className="font-medium text-indigo-700 hover:underline">
                  {row.name}
                </Link>
                <code className="block whitespace-nowrap font-mono text-xs text-slate-500">{row.id}</code>
              </td>
              <td className="py-2 pr-4">{row.byokAddOn ? "Yes" : "No"}</td>
              <td className="whitespace-nowrap py-2 pr-4">
                <StateBadge state={row.state ?? "NONE"} />
              </td>
              <td className="max-w-xs py-2 pr-4">
                {row.keyArn ? <code className="break-all font-mono text-xs text-slate-800">{row.keyArn}</code> : <span className="text-slate-400">—</span>}
              </td>
              <td className="py-2 pr-4 text-xs">{row.lastValidatedAt ? <RelativeTime iso={row.lastValidatedAt.toISOString()} serverNow={now} /> : <span className="text-slate-400">—</span>}</td>
              <td className="py-2 text-xs">
                {row.suspendedAt ? (
                  <span className="text-red-700">
                    <RelativeTime iso={row.suspendedAt.toISOString()} serverNow={now} />
                  </span>
                ) : (
                  <span className="text-slate-400">No</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
