import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { SignOutButton } from "@/components/auth/sign-out-button";
import { sessionUserId } from "@/lib/auth/session";

export const metadata: Metadata = { title: "No account" };

export default async function NoAccountPage() {
  if (!(await sessionUserId())) redirect("/sign-in");
  return (
    <main className="flex min-h-screen items-center justify-center px-6">
      <div className="max-w-md rounded-xl border border-slate-200 bg-white p-8 text-sm text-slate-700 shadow-sm">
        <h1 className="text-xl font-semibold text-slate-900">Your user belongs to no account</h1>
        <p className="mt-2">
          The Encryption page belongs to an account. Ask an owner of your account to add you as a member, then sign in again.
        </p>
        <div className="mt-6">
          <SignOutButton />
        </div>
      </div>
    </main>
  );
}
