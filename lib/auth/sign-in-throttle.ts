/**
 * Limits failed password sign-ins per email: after MAX_FAILURES failures within WINDOW_MS,
 * further attempts for that email are rejected without checking the password until the
 * window has passed. A success clears the count.
 * NOTE: the counts live in this process's memory, so each app instance counts on its own.
 */

export const MAX_FAILURES = 10;
export const WINDOW_MS = 15 * 60 * 1000;
const MAX_TRACKED_EMAILS = 10_000;

interface Failures {
  count: number;
  windowStart: number;
}

const failuresByEmail = new Map<string, Failures>();

export function isSignInBlocked(email: string, now = Date.now()): boolean {
  const entry = failuresByEmail.get(email);
  if (!entry) return false;
  if (now - entry.windowStart >= WINDOW_MS) {
    failuresByEmail.delete(email);
    return false;
  }
  return entry.count >= MAX_FAILURES;
}

export function recordSignInFailure(email: string, now = Date.now()): void {
  const entry = failuresByEmail.get(email);
  if (entry && now - entry.windowStart < WINDOW_MS) {
    entry.count += 1;
    return;
  }
  // Drop the oldest entry first, so a flood of random emails cannot grow the map without bound.
  if (failuresByEmail.size >= MAX_TRACKED_EMAILS) {
    const oldest = failuresByEmail.keys().next().value;
    if (oldest !== undefined) failuresByEmail.delete(oldest);
  }
  failuresByEmail.set(email, { count: 1, windowStart: now });
}

export function clearSignInFailures(email: string): void {
  failuresByEmail.delete(email);
}
