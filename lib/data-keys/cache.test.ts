import { describe, expect, it } from "vitest";

import { DataKeyCache } from "@/lib/data-keys/cache";

function key(byte: number): Buffer {
  return Buffer.alloc(32, byte);
}

describe("DataKeyCache", () => {
  it("keeps accounts apart even for the same serial", async () => {
    const cache = new DataKeyCache({ ttlMs: 1_000, maxEntries: 10 });
    cache.put("account-a", 1, key(1));
    cache.put("account-b", 1, key(2));

    expect((await cache.getOrLoad("account-a", 1, () => Promise.reject(new Error("not cached"))))[0]).toBe(1);
    expect((await cache.getOrLoad("account-b", 1, () => Promise.reject(new Error("not cached"))))[0]).toBe(2);
  });

  it("makes one load for concurrent misses", async () => {
    const cache = new DataKeyCache({ ttlMs: 1_000, maxEntries: 10 });
    let loads = 0;
    const load = async () => {
      loads += 1;
      await Promise.resolve();
      return key(7);
    };

    const keys = await Promise.all(Array.from({ length: 20 }, () => cache.getOrLoad("account", 3, load)));

    expect(loads).toBe(1);
    expect(new Set(keys).size).toBe(1);
  });

  it("does not cache a failed load", async () => {
    const cache = new DataKeyCache({ ttlMs: 1_000, maxEntries: 10 });

    await expect(cache.getOrLoad("account", 1, () => Promise.reject(new Error("KMS said no")))).rejects.toThrow("KMS said no");

    expect(await cache.getOrLoad("account", 1, async () => key(4))).toEqual(key(4));
  });

  it("zeroes and drops an expired key", () => {
    let now = 0;
    const cache = new DataKeyCache({ ttlMs: 100, maxEntries: 10, now: () => now });
    const stored = key(9);
    cache.put("account", 1, stored);

    now = 100;

    expect(cache.has("account", 1)).toBe(false);
    expect(stored.every((byte) => byte === 0)).toBe(true);
  });

  it("zeroes the least recently used key when full", async () => {
    const cache = new DataKeyCache({ ttlMs: 1_000, maxEntries: 2 });
    const first = key(1);
    const second = key(2);
    cache.put("account", 1, first);
    cache.put("account", 2, second);
    await cache.getOrLoad("account", 1, () => Promise.reject(new Error("not cached")));

    cache.put("account", 3, key(3));

    expect(cache.size).toBe(2);
    expect(cache.has("account", 1)).toBe(true);
    expect(cache.has("account", 2)).toBe(false);
    expect(second.every((byte) => byte === 0)).toBe(true);
    expect(first[0]).toBe(1);
  });

  it("zeroes every key of an evicted account", () => {
    const cache = new DataKeyCache({ ttlMs: 1_000, maxEntries: 10 });
    const evicted = key(5);
    const kept = key(6);
    cache.put("account-a", 1, evicted);
    cache.put("account-b", 1, kept);

    cache.evictAccount("account-a");

    expect(evicted.every((byte) => byte === 0)).toBe(true);
    expect(cache.has("account-b", 1)).toBe(true);
  });

  it("reports when a cached key expires", () => {
    const cache = new DataKeyCache({ ttlMs: 500, maxEntries: 10, now: () => 1_000 });
    cache.put("account", 1, key(1));

    expect(cache.expiresAt("account", 1)).toBe(1_500);
    expect(cache.expiresAt("account", 2)).toBeUndefined();
  });
});
