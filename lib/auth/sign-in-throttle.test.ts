import { describe, expect, it } from "vitest";

import { clearSignInFailures, isSignInBlocked, MAX_FAILURES, recordSignInFailure, WINDOW_MS } from "@/lib/auth/sign-in-throttle";

describe("sign-in throttle", () => {
  it("blocks an email after too many failures", () => {
    const email = "blocked@example.com";
    for (let attempt = 1; attempt < MAX_FAILURES; attempt++) recordSignInFailure(email, 1_000);
    expect(isSignInBlocked(email, 1_000)).toBe(false);

    recordSignInFailure(email, 1_000);

    expect(isSignInBlocked(email, 1_000)).toBe(true);
    expect(isSignInBlocked("other@example.com", 1_000)).toBe(false);
  });

  it("lifts the block when the window has passed", () => {
    const email = "window@example.com";
    for (let attempt = 0; attempt < MAX_FAILURES; attempt++) recordSignInFailure(email, 0);

    expect(isSignInBlocked(email, WINDOW_MS - 1)).toBe(true);
    expect(isSignInBlocked(email, WINDOW_MS)).toBe(false);
  });

  it("forgets failures after a successful sign-in", () => {
    const email = "cleared@example.com";
    for (let attempt = 0; attempt < MAX_FAILURES; attempt++) recordSignInFailure(email, 0);

    clearSignInFailures(email);

    expect(isSignInBlocked(email, 0)).toBe(false);
  });
});
