import { randomFillSync } from "node:crypto";
import { startupSnapshot } from "node:v8";

/** AES-GCM IV length in bytes (96 bits, the size GCM uses without hashing the IV). */
export const IV_LENGTH = 12;

const DEFAULT_CAPACITY = 1024;

/**
 * A buffer of CSPRNG output cut into 12-byte GCM IVs. One `randomFillSync` of the whole
 * buffer replaces a `randomBytes(12)` call per encryption, which costs about as much as
 * the AES-GCM call itself for small fields.
 *
 * Each slice is handed out exactly once: the read offset only moves forward, and the
 * buffer is overwritten with fresh random bytes before the offset wraps. IVs from
 * different fills are independent random values, so the collision bound is the one for
 * random 96-bit IVs (NIST SP 800-38D limits a key to 2^32 such encryptions).
 *
 * The pool is filled on first use rather than on construction, and the shared pool is
 * emptied before a V8 startup snapshot is written, so processes started from one
 * snapshot never share unused IVs.
 */
export class IvPool {
  /** IVs produced by one fill. */
  readonly capacity: number;
  private readonly bytes: Buffer;
  private offset: number;
  private fills = 0;

  constructor(capacity: number = DEFAULT_CAPACITY) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`IV pool capacity must be a positive integer, got ${capacity}.`);
    }
    this.capacity = capacity;
    // allocUnsafeSlow keeps the pool out of Node's shared small-buffer slab.
    this.bytes = Buffer.allocUnsafeSlow(capacity * IV_LENGTH);
    this.offset = this.bytes.length;
  }

  /** Number of times the pool has been filled from the CSPRNG. */
  get fillCount(): number {
    return this.fills;
  }

  /** Copies the next unused IV into `target` at `targetOffset`, refilling the pool first when it is used up. */
  takeInto(target: Uint8Array, targetOffset: number): void {
    if (this.offset === this.bytes.length) {
      randomFillSync(this.bytes);
      this.offset = 0;
      this.fills += 1;
    }
    this.bytes.copy(target, targetOffset, this.offset, this.offset + IV_LENGTH);
    this.offset += IV_LENGTH;
  }

  /** Drops every unused IV, so the next `takeInto` fills the pool again. */
  discard(): void {
    this.bytes.fill(0);
    this.offset = this.bytes.length;
  }
}

/** The per-process (per worker thread) pool that `sealField` draws from. */
export const sharedIvPool = new IvPool();

if (startupSnapshot.isBuildingSnapshot()) {
  startupSnapshot.addSerializeCallback(() => sharedIvPool.discard());
}
