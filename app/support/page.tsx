import type { Metadata } from "next";

import { AccessDenied } from "@/components/support/access-denied";
import { AccountSearch } from "@/components/support/account-search";
import { AccountsTable } from "@/components/support/accounts-table";
import { Pagination } from "@/components/support/pagination";
import { Card } from "@/components/ui/card";
import { db } from "@/lib/db/client";
import { ACCOUNTS_PAGE_SIZE, searchAccounts } from "@/lib/support/accounts";
import { requireSupportPage } from "@/lib/support/page-access";

export const metadata: Metadata = { title: "Support · Accounts" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export default async function SupportAccountsPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const query = firstValue(params.q) ?? "";
  const page = Number.parseInt(firstValue(params.page) ?? "1", 10);
  const returnPath = query ? `/support?q=${encodeURIComponent(query)}` : "/support";

  const access = await requireSupportPage(returnPath, "support.accounts.list");
  if (!access.allowed) return <AccessDenied message={access.message} />;

  const result = await searchAccounts(db(), access.actor, { query, page: Number.isFinite(page) ? page : 1 });
  const first = (result.page - 1) * ACCOUNTS_PAGE_SIZE + 1;

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Accounts</h1>
        <p className="mt-1 text-sm text-slate-600">Signed in as {access.actor.email}. Open an account to grant the BYOK add-on, disable BYOK or read its audit log.</p>
      </div>
      <Card
        id="accounts"
        title="Accounts"
        description={
          result.total === 0
            ? "No accounts"
            : `${result.total} ${result.total === 1 ? "account" : "accounts"}${result.rows.length > 0 ? `, showing ${first}–${first + result.rows.length - 1}` : ""}`
        }
      >
        <div className="space-y-5">
          <AccountSearch query={result.query} />
          <AccountsTable rows={result.rows} serverNow={new Date()} />
          <Pagination query={result.query} page={result.page} pageCount={result.pageCount} />
        </div>
      </Card>
    </div>
  );
}
