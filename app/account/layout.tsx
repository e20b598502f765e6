import type { ReactNode } from "react";

import { NavLink } from "@/components/ui/nav-link";
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
              <NavLink href="/account/encryption">Encryption</NavLink>
              <NavLink href="/account/api-keys">API keys</NavLink>
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
