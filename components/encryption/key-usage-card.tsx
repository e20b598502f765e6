import { Card } from "@/components/ui/card";
import type { KeyUsage } from "@/lib/byok/status";

/** Shows how many data keys and encrypted records sit under the tenant's key and under the platform's key. */
export function KeyUsageCard({ usage }: { usage: KeyUsage }) {
  const rows = [
    { label: "Your KMS key", testId: "usage-tenant", ...usage.TENANT },
    { label: "Platform key", testId: "usage-platform", ...usage.PLATFORM },
  ];
  return (
    <Card
      id="key-usage"
      title="Encrypted data"
      description="Records keep the data key they were written with. Records written before BYOK was active stay under the platform key and remain readable."
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
          {rows.map((row) => (
            <tr key={row.label} data-testid={row.testId}>
              <td className="py-2 pr-4 text-slate-900">{row.label}</td>
              <td className="py-2 pr-4 tabular-nums">{row.dataKeys.toLocaleString("en-US")}</td>
              <td className="py-2 tabular-nums">{row.records.toLocaleString("en-US")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}
