import Link from "next/link";
import type { ReactNode } from "react";

import { SignOutButton } from "@/components/auth/sign-out-button";

// Each support page authorizes its viewer itself; the layout shows no data.
export default function SupportLayout({ children }: { children: ReactNode }) {
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-3 px-6 py-3">
          <div className="flex items-center gap-6">
            <Link href="/support" className="text-sm font-semibold text-slate-900">
              Platform support
            </Link>
            <nav aria-label="Support" className="flex gap-4 text-sm">
              <Link href="/support" className="text-slate-600 hover:text-slate-900">
                Accounts
              </Link>
            </nav>
          </div>
          <SignOutButton />
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-6 py-8">{children}</main>
    </div>
  );
}
