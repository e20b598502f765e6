/**
 * In-memory cache of plaintext data keys, bounded in time (TTL) and in entries (LRU).
 * Entries are keyed by account id and data key serial, so two accounts that share one
 * KMS key never share an entry. Concurrent misses for one entry share one load. An entry
 * that leaves the cache (expiry, eviction, clear) has its key bytes overwritten with
 * zeros, which is why key buffers are never handed out of the cache for longer than a
 * synchronous encrypt or decrypt call.
 */

export interface DataKeyCacheOptions {
  ttlMs: number;
  maxEntries: number;
  /** Clock in milliseconds; tests pass their own. */
  now?: () => number;
}

interface Entry {
  key: Buffer;
  expiresAt: number;
}

export class DataKeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Buffer>>();
  private readonly now: () => number;

  constructor(private readonly options: DataKeyCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Returns the cached key, or runs `load` once for all concurrent callers and caches its result. */
  async getOrLoad(accountId: string, serial: number, load: () => Promise<Buffer>): Promise<Buffer> {
    const id = cacheId(accountId, serial);
    const cached = this.get(id);
    if (cached) return cached;

    const pending = this.loading.get(id);
    if (pending) return pending;

    const promise = load()
      .then((key) => {
        this.set(id, key);
        return key;
      })
      .finally(() => this.loading.delete(id));
    this.loading.set(id, promise);
    return promise;
  }

  /** Stores a key that the caller already has, such as one GenerateDataKey just returned. */
  put(accountId: string, serial: number, key: Buffer): void {
    this.set(cacheId(accountId, serial), key);
  }

  has(accountId: string, serial: number): boolean {
    return this.get(cacheId(accountId, serial)) !== undefined;
  }

  /** Time at which the entry expires, in milliseconds since the epoch, or undefined when not cached. */
  expiresAt(accountId: string, serial: number): number | undefined {
    const entry = this.entries.get(cacheId(accountId, serial));
    return entry && entry.expiresAt > this.now() ? entry.expiresAt : undefined;
  }

  /** Drops every entry of an account, zeroing its keys. */
  evictAccount(accountId: string): void {
    const prefix = `${accountId}/`;
    for (const [id, entry] of this.entries) {
      if (id.startsWith(prefix)) this.remove(id, entry);
    }
  }

  clear(): void {
    for (const [id, entry] of this.entries) this.remove(id, entry);
  }

  private get(id: string): Buffer | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.remove(id, entry);
      return undefined;
    }
    // Map keeps insertion order: re-inserting marks the entry as most recently used.
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry.key;
  }

  private set(id: string, key: Buffer): void {
    const previous = this.entries.get(id);
    if (previous && previous.key !== key) this.remove(id, previous);
    this.entries.set(id, { key, expiresAt: this.now() + this.options.ttlMs });
    while (this.entries.size > this.options.maxEntries) {
      const [oldestId, oldest] = this.entries.entries().next().value as [string, Entry];
      this.remove(oldestId, oldest);
    }
  }

  private remove(id: string, entry: Entry): void {
    this.entries.delete(id);
    entry.key.fill(0);
  }
}

function cacheId(accountId: string, serial: number): string {
  return `${accountId}/${serial}`;
}
