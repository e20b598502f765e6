import Link from "next/link";

/** Page links of the account list; each keeps the search query. */
export function Pagination({ query, page, pageCount }: { query: string; page: number; pageCount: number }) {
  if (pageCount <= 1) return null;
  const href = (target: number) => {
    const params = new URLSearchParams();
    if (query) params.set("q", query);
    params.set("page", String(target));
    return `/support?${params.toString()}`;
  };

  return (
    <nav aria-label="Pages" className="flex flex-wrap items-center gap-1 text-sm">
      {page > 1 ? (
        <Link href={href(page - 1)} className="rounded-md px-2.5 py-1 text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50">
          Previous
        </Link>
      ) : null}
      {Array.from({ length: pageCount }, (_, index) => index + 1).map((target) => (
        <Link
          key={target}
          href={href(target)}
          aria-current={target === page ? "page" : undefined}
          aria-label={`Page ${target}`}
          className={target === page ? "rounded-md bg-indigo-600 px-2.5 py-1 font-semibold text-white" : "rounded-md px-2.5 py-1 text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50"}
        >
          {target}
        </Link>
      ))}
      {page < pageCount ? (
        <Link href={href(page + 1)} className="rounded-md px-2.5 py-1 text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50">
          Next
        </Link>
      ) : null}
    </nav>
  );
}
