import Link from "next/link";
import type { ReactNode } from "react";

import { SignOutButton } from "@/components/auth/sign-out-button";
import { requirePageAccess } from "@/lib/auth/session";

export default async function AccountLayout({ children }: { children: ReactNode }) {
  const access = await requirePageAccess("/account/encryption");
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-3 px-6 py-3">
          <div className="flex items-center gap-6">
            <span className="text-sm font-semibold text-slate-900">{access.account.name}</span>
            <nav aria-label="Account" className="flex gap-4 text-sm">
              <span className="text-slate-500">Account</span>
              <Link href="/account/encryption" aria-current="page" className="font-medium text-indigo-700">
                Encryption
              </Link>
            </nav>
          </div>
          <div className="flex items-center gap-3 text-sm text-slate-600">
            <span>
              {access.user.email} · <span className="capitalize">{access.role.toLowerCase()}</span>
            </span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-5xl px-6 py-8">{children}</main>
    </div>
  );
}
