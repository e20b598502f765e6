import { describe, expect, it } from "vitest";

import { applyCheck, type HealthSettings, type KeyHealthRecord } from "@/lib/health/transitions";
import { keyFailure } from "@/lib/kms/failures";

const SETTINGS: HealthSettings = { intervalMs: 60_000, retryBaseMs: 5_000, suspendAfterMs: 3_600_000, degradedNotifyAfterMs: 900_000 };
const NOW = new Date("2026-12-04T12:00:00Z");
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

function record(overrides: Partial<KeyHealthRecord> = {}): KeyHealthRecord {
  return { state: "ACTIVE", stateChangedAt: minutesAgo(60), consecutiveFailures: 0, unavailableSince: null, suspendedAt: null, ...overrides };
}

const refused = { ok: false as const, failure: keyFailure("KEY_DISABLED", "GenerateDataKey"), message: "disabled" };
const unreachable = { ok: false as const, failure: keyFailure("KMS_TIMEOUT", "GenerateDataKey"), message: "timed out" };

describe("applyCheck", () => {
  it("keeps a healthy key active without notifications", () => {
    const result = applyCheck(record(), { ok: true }, NOW, SETTINGS);

    expect(result.state).toBe("ACTIVE");
    expect(result.notifications).toEqual([]);
    expect(result.update.stateChangedAt).toEqual(minutesAgo(60));
    expect(result.update.nextHealthCheckAt).toEqual(new Date(NOW.getTime() + 60_000));
  });

  it("makes a refusing key unavailable and says so once", () => {
    const first = applyCheck(record(), refused, NOW, SETTINGS);
    const second = applyCheck(record({ state: "UNAVAILABLE", stateChangedAt: NOW, unavailableSince: NOW, consecutiveFailures: 1 }), refused, NOW, SETTINGS);

    expect(first.state).toBe("UNAVAILABLE");
    expect(first.notifications).toEqual(["KEY_UNAVAILABLE"]);
    expect(first.update.unavailableSince).toEqual(NOW);
    expect(first.update.lastErrorCode).toBe("KEY_DISABLED");
    expect(second.notifications).toEqual([]);
    expect(second.update.consecutiveFailures).toBe(2);
  });

  it("suspends the account after the configured time unavailable", () => {
    const result = applyCheck(record({ state: "UNAVAILABLE", unavailableSince: minutesAgo(61) }), refused, NOW, SETTINGS);

    expect(result.update.suspendedAt).toEqual(NOW);
    expect(result.notifications).toEqual(["ACCOUNT_SUSPENDED"]);
  });

  it("treats an unreachable KMS as degraded, with backoff", () => {
    const first = applyCheck(record(), unreachable, NOW, SETTINGS);
    const third = applyCheck(record({ state: "DEGRADED", stateChangedAt: NOW, consecutiveFailures: 2 }), unreachable, NOW, SETTINGS);
    const late = applyCheck(record({ state: "DEGRADED", stateChangedAt: NOW, consecutiveFailures: 10 }), unreachable, NOW, SETTINGS);

    expect(first.state).toBe("DEGRADED");
    expect(first.notifications).toEqual([]);
    expect(first.update.nextHealthCheckAt).toEqual(new Date(NOW.getTime() + 5_000));
    expect(third.update.nextHealthCheckAt).toEqual(new Date(NOW.getTime() + 20_000));
    expect(late.update.nextHealthCheckAt).toEqual(new Date(NOW.getTime() + 60_000));
  });

  it("tells the admins when the key stays degraded too long", () => {
    const result = applyCheck(record({ state: "DEGRADED", stateChangedAt: minutesAgo(16), consecutiveFailures: 5 }), unreachable, NOW, SETTINGS);

    expect(result.notifications).toEqual(["KEY_DEGRADED"]);
  });

  it("does not lift an unavailable key because KMS is unreachable", () => {
    const result = applyCheck(record({ state: "UNAVAILABLE", unavailableSince: minutesAgo(5) }), unreachable, NOW, SETTINGS);

    expect(result.state).toBe("UNAVAILABLE");
    expect(result.update.unavailableSince).toEqual(minutesAgo(5));
  });

  it("restores an unavailable or suspended key on the first pass", () => {
    const result = applyCheck(record({ state: "UNAVAILABLE", unavailableSince: minutesAgo(90), suspendedAt: minutesAgo(30), consecutiveFailures: 9 }), { ok: true }, NOW, SETTINGS);

    expect(result.state).toBe("ACTIVE");
    expect(result.notifications).toEqual(["KEY_RESTORED"]);
    expect(result.update).toMatchObject({ suspendedAt: null, unavailableSince: null, consecutiveFailures: 0, restoredAt: NOW, lastErrorCode: null });
  });

  it("leaves BYOK that support disabled alone", () => {
    const result = applyCheck(record({ state: "DISABLED" }), refused, NOW, SETTINGS);

    expect(result.state).toBe("DISABLED");
    expect(result.update.nextHealthCheckAt).toBeNull();
    expect(result.notifications).toEqual([]);
  });
});
