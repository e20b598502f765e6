"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";

export function NavLink({ href, children }: { href: string; children: ReactNode }) {
  const current = usePathname() === href;
  return (
    <Link href={href} aria-current={current ? "page" : undefined} className={current ? "font-medium text-indigo-700" : "text-slate-600 hover:text-slate-900"}>
      {children}
    </Link>
  );
}
