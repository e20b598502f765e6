import { Card } from "@/components/ui/card";
import type { KeyUsageRow } from "@/lib/rewrap/summary";

interface KeyUsageCardProps {
  rows: KeyUsageRow[];
  /** The account's key while BYOK is on. */
  currentKeyArn?: string;
  /** The key a running key change moves data keys to. */
  changingToArn?: string;
}

/** Shows how many data keys and encrypted records each KMS key wraps: the tenant's keys and the platform's key. */
export function KeyUsageCard({ rows, currentKeyArn, changingToArn }: KeyUsageCardProps) {
  const shown = rows.length > 0 ? rows : [{ kmsKeyArn: "", source: "PLATFORM" as const, dataKeys: 0, records: 0 }];
  return (
    <Card
      id="key-usage"
      title="Encrypted data"
      description="Records keep the data key they were written with. Each data key is wrapped by one KMS key, and records are readable while that key works. Re-wraps move data keys between KMS keys without touching records."
    >
      <table className="w-full text-left text-sm">
        <thead className="text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th className="py-1 pr-4 font-medium">Wrapped by</th>
            <th className="py-1 pr-4 font-medium">Data keys</th>
            <th className="py-1 font-medium">Records</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {shown.map((row) => {
            const role = roleOf(row, currentKeyArn, changingToArn);
            return (
              <tr key={`${row.source}:${row.kmsKeyArn}`} data-testid={role.testId}>
                <td className="py-2 pr-4 text-slate-900">
                  <span className="font-medium">{role.label}</span>
                  {row.source === "TENANT" ? <span className="block break-all font-mono text-xs text-slate-500">{row.kmsKeyArn}</span> : null}
                </td>
                <td className="py-2 pr-4 tabular-nums">{row.dataKeys.toLocaleString("en-US")}</td>
                <td className="py-2 tabular-nums">{row.records.toLocaleString("en-US")}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </Card>
  );
}

function roleOf(row: KeyUsageRow, currentKeyArn?: string, changingToArn?: string): { label: string; testId: string } {
  if (row.source === "PLATFORM") return { label: "Platform key", testId: "usage-platform" };
  if (row.kmsKeyArn === currentKeyArn) return { label: "Your key", testId: "usage-tenant" };
  if (row.kmsKeyArn === changingToArn) return { label: "Your new key (key change in progress)", testId: "usage-changing-to" };
  return { label: "Another of your keys", testId: "usage-other-tenant-key" };
}
