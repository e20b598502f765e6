/** Explanation shown in place of the log to a user who may not read it. */
export function AuditRefusal({ message }: { message: string }) {
  return (
    <div role="alert" className="max-w-lg rounded-xl border border-amber-200 bg-white p-6 text-sm text-slate-700 shadow-sm">
      <h1 className="text-xl font-semibold text-slate-900">You cannot read this audit log</h1>
      <p className="mt-2">{message}</p>
      <p className="mt-2">Account owners and admins can read the audit log. Ask one of them for an export, or to change your role. This attempt is recorded.</p>
    </div>
  );
}
