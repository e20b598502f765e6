/** Shows a signed-in user without the SUPPORT role that the page is denied, in place of its data. */
export function AccessDenied({ message }: { message: string }) {
  return (
    <div role="alert" className="mx-auto max-w-lg rounded-xl border border-red-200 bg-white p-8 text-sm text-slate-700 shadow-sm">
      <p className="text-xs font-semibold uppercase tracking-wide text-red-700">403 Forbidden</p>
      <h1 className="mt-1 text-xl font-semibold text-slate-900">Access denied</h1>
      <p className="mt-2">{message}</p>
      <p className="mt-2">The attempt is recorded in the platform&apos;s audit log. If you need access, ask a platform administrator.</p>
    </div>
  );
}
