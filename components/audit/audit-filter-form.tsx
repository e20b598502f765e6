import { ACTOR_TYPES, AUDIT_OUTCOMES, KMS_CAUSES, KMS_OPERATIONS, type AuditFilters } from "@/lib/audit/query";

import { KMS_CAUSE_TEXT } from "./kms-causes";

const FIELD = "mt-1 block w-full rounded-md border-0 px-2 py-1.5 text-sm text-slate-900 ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600";
const LABEL = "block text-xs font-medium text-slate-700";

function Select({ name, label, value, options }: { name: string; label: string; value: string | undefined; options: readonly { value: string; label: string }[] }) {
  return (
    <label className={LABEL}>
      {label}
      <select name={name} defaultValue={value ?? ""} className={FIELD}>
        <option value="">Any</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}

const plain = (values: readonly string[]) => values.map((value) => ({ value, label: value }));

const CAUSE_OPTIONS = KMS_CAUSES.map((cause) => ({ value: cause, label: KMS_CAUSE_TEXT[cause].label }));

/**
 * Filter form of an Audit page at `basePath`. It submits by GET, so each filtered view has
 * a URL that can be shared and exported.
 */
export function AuditFilterForm({ basePath, filters }: { basePath: string; filters: AuditFilters }) {
  const isKms = filters.kind === "kms";

  return (
    <form method="get" action={basePath} aria-label="Filters" className="grid grid-cols-2 items-end gap-3 sm:grid-cols-4 lg:grid-cols-7">
      <input type="hidden" name="kind" value={filters.kind} />
      <label className={LABEL}>
        From (UTC)
        <input type="date" name="from" defaultValue={filters.from} className={FIELD} />
      </label>
      <label className={LABEL}>
        To (UTC)
        <input type="date" name="to" defaultValue={filters.to} className={FIELD} />
      </label>
      {isKms ? (
        <>
          <Select name="operation" label="Operation" value={filters.operation} options={plain(KMS_OPERATIONS)} />
          <Select name="cause" label="Cause" value={filters.cause} options={CAUSE_OPTIONS} />
          <Select
            name="outcome"
            label="Outcome"
            value={filters.outcome}
            options={[
              { value: "ok", label: "OK" },
              { value: "failed", label: "Failed" },
            ]}
          />
        </>
      ) : (
        <>
          <label className={LABEL}>
            Action
            <input name="action" defaultValue={filters.action} placeholder="byok.key.*" className={`${FIELD} font-mono`} />
          </label>
          <Select name="outcome" label="Outcome" value={filters.outcome} options={plain(AUDIT_OUTCOMES)} />
          <Select name="actor" label="Actor" value={filters.actor} options={plain(ACTOR_TYPES)} />
        </>
      )}
      <button type="submit" className="rounded-md bg-indigo-600 px-3.5 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500">
        Apply filters
      </button>
    </form>
  );
}
