import { describe, expect, it } from "vitest";

import { IV_LENGTH, IvPool } from "./iv-pool";

function takeIv(pool: IvPool): string {
  const iv = Buffer.alloc(IV_LENGTH);
  pool.takeInto(iv, 0);
  return iv.toString("hex");
}

describe("IvPool", () => {
  it("yields 100k distinct IVs across refills", () => {
    const pool = new IvPool(16);
    const seen = new Set<string>();
    for (let index = 0; index < 100_000; index += 1) {
      seen.add(takeIv(pool));
    }

    expect(seen.size).toBe(100_000);
    expect(pool.fillCount).toBe(100_000 / 16);
  });

  it("fills lazily and refills only when used up", () => {
    const pool = new IvPool(4);
    expect(pool.fillCount).toBe(0);

    for (let index = 0; index < 4; index += 1) {
      takeIv(pool);
    }
    expect(pool.fillCount).toBe(1);

    takeIv(pool);
    expect(pool.fillCount).toBe(2);
  });

  it("writes exactly 12 bytes at the offset", () => {
    const pool = new IvPool(4);
    const target = Buffer.alloc(30, 0xaa);
    pool.takeInto(target, 9);

    expect(target.subarray(0, 9).every((byte) => byte === 0xaa)).toBe(true);
    expect(target.subarray(21).every((byte) => byte === 0xaa)).toBe(true);
    // 12 random bytes all equal to 0xaa would be a 2^-96 event.
    expect(target.subarray(9, 21).every((byte) => byte === 0xaa)).toBe(false);
  });

  it("discard forces a refill", () => {
    const pool = new IvPool(8);
    takeIv(pool);
    pool.discard();
    takeIv(pool);

    expect(pool.fillCount).toBe(2);
  });

  it("rejects a capacity below one", () => {
    expect(() => new IvPool(0)).toThrow(RangeError);
    expect(() => new IvPool(1.5)).toThrow(RangeError);
  });
});
