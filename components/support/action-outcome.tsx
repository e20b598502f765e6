import type { SupportFormResult } from "@/lib/support/schema";

/** Shows a support action's result that belongs to no field: a confirmation or a refusal. */
export function ActionOutcome({ state }: { state: SupportFormResult }) {
  if (state.status === "success") {
    return (
      <p role="status" className="rounded-lg border border-emerald-200 bg-emerald-50 p-3 text-sm text-emerald-900">
        {state.message}
      </p>
    );
  }
  if (state.status === "error" && state.formError) {
    return (
      <p role="alert" className="rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-900">
        {state.formError.message}
      </p>
    );
  }
  return null;
}
