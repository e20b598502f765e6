import Link from "next/link";

import type { KeyState } from "@/lib/db/generated/enums";

/** How long the "key is back" banner stays after access returns. */
const RESTORED_BANNER_MS = 24 * 60 * 60 * 1000;

export interface KeyBannerState {
  state: KeyState;
  suspendedAt: Date | null;
  restoredAt: Date | null;
  stateChangedAt: Date;
  degradedNoticeAfterMs: number;
}

/** Renders the in-app banner that warns owners and admins of key outages and reports recovery. */
export function KeyBanner({ banner, now }: { banner: KeyBannerState; now: Date }) {
  const link = (
    <Link href="/account/encryption" className="font-semibold underline">
      Open Encryption
    </Link>
  );
  if (banner.suspendedAt) {
    return (
      <Banner tone="red">
        Your encryption key has been unavailable too long, so this account&apos;s API access is suspended. It resumes by itself once the key works again. {link}
      </Banner>
    );
  }
  if (banner.state === "UNAVAILABLE") {
    return (
      <Banner tone="red">
        The platform cannot use your encryption key: new data is rejected, and reads stop when cached data keys expire. {link}
      </Banner>
    );
  }
  if (banner.state === "DEGRADED" && now.getTime() - banner.stateChangedAt.getTime() >= banner.degradedNoticeAfterMs) {
    return (
      <Banner tone="amber">
        AWS KMS has been unreachable for your key for a while. Data keeps flowing with cached keys while the platform retries. {link}
      </Banner>
    );
  }
  if (banner.state === "ACTIVE" && banner.restoredAt && now.getTime() - banner.restoredAt.getTime() < RESTORED_BANNER_MS) {
    return <Banner tone="green">Access to your encryption key is back, and writes and reads work again.</Banner>;
  }
  return null;
}

const TONES = {
  red: "border-red-200 bg-red-50 text-red-900",
  amber: "border-amber-200 bg-amber-50 text-amber-900",
  green: "border-emerald-200 bg-emerald-50 text-emerald-900",
};

function Banner({ tone, children }: { tone: keyof typeof TONES; children: React.ReactNode }) {
  return (
    <div role="status" data-testid="key-banner" className={`border-b py-3 text-sm ${TONES[tone]}`}>
      <div className="mx-auto max-w-5xl px-6">{children}</div>
    </div>
  );
}
