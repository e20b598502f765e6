import type { ReactNode } from "react";

import { NavLink } from "@/components/ui/nav-link";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { KeyBanner } from "@/components/encryption/key-banner";
import { canManageKey } from "@/lib/auth/authorize";
import { requirePageAccess } from "@/lib/auth/session";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";

export default async function AccountLayout({ children }: { children: ReactNode }) {
  const access = await requirePageAccess("/account/encryption");
  // Owners and admins can act on a key outage, so they get the banner.
  const keyState = canManageKey(access.role)
    ? await db().encryptionConfig.findUnique({
        where: { accountId: access.account.id },
        select: { state: true, suspendedAt: true, restoredAt: true, stateChangedAt: true },
      })
    : null;
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-3 px-6 py-3">
          <div className="flex items-center gap-6">
            <span className="text-sm font-semibold text-slate-900">{access.account.name}</span>
            <nav aria-label="Account" className="flex gap-4 text-sm">
              <NavLink href="/account/encryption">Encryption</NavLink>
              <NavLink href="/account/api-keys">API keys</NavLink>
              <NavLink href="/account/audit">Audit</NavLink>
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
      {keyState ? <KeyBanner banner={{ ...keyState, degradedNoticeAfterMs: env().DEGRADED_NOTIFY_AFTER_MINUTES * 60_000 }} now={new Date()} /> : null}
      <main className="mx-auto max-w-5xl px-6 py-8">{children}</main>
    </div>
  );
}
