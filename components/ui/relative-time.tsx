"use client";

import { useEffect, useState } from "react";

import { formatAbsolute, formatRelative } from "@/components/ui/format-time";

/** Relative time that stays current while the page is open, with the absolute time beside it. */
export function RelativeTime({ iso, serverNow }: { iso: string; serverNow: string }) {
  const date = new Date(iso);
  const [now, setNow] = useState(() => new Date(serverNow));

  useEffect(() => {
    setNow(new Date());
    const timer = setInterval(() => setNow(new Date()), 15_000);
    return () => clearInterval(timer);
  }, []);

  return (
    <span>
      <time dateTime={iso} title={formatAbsolute(date)}>
        {formatRelative(date, now)}
      </time>
      <span className="text-slate-500"> · {formatAbsolute(date)}</span>
    </span>
  );
}
