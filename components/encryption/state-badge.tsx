import type { KeyState } from "@/lib/db/generated/enums";

const STYLES: Record<KeyState | "NONE", { label: string; className: string }> = {
  ACTIVE: { label: "Active", className: "bg-emerald-50 text-emerald-800 ring-emerald-600/20" },
  DEGRADED: { label: "Degraded", className: "bg-amber-50 text-amber-800 ring-amber-600/20" },
  UNAVAILABLE: { label: "Key unavailable", className: "bg-red-50 text-red-800 ring-red-600/20" },
  DISABLED: { label: "Disabled", className: "bg-slate-100 text-slate-700 ring-slate-500/20" },
  NONE: { label: "Not connected", className: "bg-slate-100 text-slate-700 ring-slate-500/20" },
};

export function StateBadge({ state }: { state: KeyState | "NONE" }) {
  const style = STYLES[state];
  return (
    <span data-testid="byok-state" className={`inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 ring-inset ${style.className}`}>
      {style.label}
    </span>
  );
}
