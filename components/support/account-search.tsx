/** Search box of the account list. It submits with GET, so a search is a URL that can be shared and reloaded. */
export function AccountSearch({ query }: { query: string }) {
  return (
    <form method="get" action="/support" role="search" className="flex flex-wrap items-end gap-3">
      <div className="min-w-72 flex-1">
        <label htmlFor="q" className="block text-sm font-medium text-slate-900">
          Search accounts
        </label>
        <input
          id="q"
          name="q"
          type="search"
          defaultValue={query}
          aria-describedby="q-help"
          spellCheck={false}
          autoComplete="off"
          className="mt-1 block w-full rounded-md border-0 px-3 py-2 text-sm text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 placeholder:text-slate-400 focus:ring-2 focus:ring-inset focus:ring-indigo-600"
          placeholder="Name, account UUID or key ARN"
        />
        <p id="q-help" className="mt-1 text-xs text-slate-500">
          Matches part of a name (any case), an exact account UUID, or all or part of a key ARN.
        </p>
      </div>
      <button type="submit" className="mb-5 rounded-md bg-indigo-600 px-3.5 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500">
        Search
      </button>
    </form>
  );
}
