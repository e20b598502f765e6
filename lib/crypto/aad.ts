/**
 * Additional authenticated data (AAD) for a sealed field: the 5 header bytes of the
 * sealed value, then account id, model, field and record id, each as a uint16
 * big-endian byte length followed by its UTF-8 bytes. The length prefixes make the
 * encoding injective, so no two locations share an AAD.
 */

/** Location of a field value. Every part is authenticated, and none is stored in the sealed value. */
export interface FieldLocation {
  accountId: string;
  /** Prisma model name, such as "Memory". */
  model: string;
  /** Prisma field name, such as "content". */
  field: string;
  /** Primary key of the record, known before insert (a UUID or cuid, not an autoincrement id). */
  recordId: string;
}

/** Length of the sealed-value header (version byte and uint32 key serial) that opens the AAD. */
export const HEADER_LENGTH = 5;

const MAX_PART_BYTES = 0xffff;
const LENGTH_PREFIX_BYTES = 2;
// UTF-8 needs at most 3 bytes per UTF-16 code unit (a surrogate pair takes 4 bytes for 2 units).
const MAX_UTF8_BYTES_PER_UNIT = 3;

// Unicode-mode regexps treat a well-formed surrogate pair as one code point, so this
// matches only unpaired surrogates. UTF-8 encodes every one of them as U+FFFD, which
// would give different ids the same AAD.
const LONE_SURROGATE = /\p{Cs}/u;

// Encoded account id, model and field, looked up by account id, then model, then field, so
// a call encodes only the record id. Nested maps avoid building a composite key string per
// call. The whole cache is cleared when it reaches the entry limit, and a miss costs one
// re-encoding.
const PREFIX_CACHE_MAX_ENTRIES = 4096;
const prefixCache = new Map<string, Map<string, Map<string, Buffer>>>();
let prefixCacheEntries = 0;

// Reused for every AAD that fits, because `setAAD` consumes its argument before returning.
const SCRATCH_BYTES = 4096;
const scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);

/** Returns the UTF-8 length of a location part, or throws unless it is a non-empty, well-formed string. */
function checkPart(name: keyof FieldLocation, value: unknown): number {
  if (typeof value !== "string") {
    throw new TypeError(`Field location ${name} must be a string, got ${typeof value}.`);
  }
  if (value.length === 0) {
    throw new RangeError(`Field location ${name} must not be empty.`);
  }
  const byteLength = Buffer.byteLength(value, "utf8");
  checkEncodedPart(name, value, byteLength);
  return byteLength;
}

function checkEncodedPart(name: keyof FieldLocation, value: string, byteLength: number): void {
  if (byteLength > MAX_PART_BYTES) {
    throw new RangeError(`Field location ${name} is ${byteLength} bytes in UTF-8; the maximum is ${MAX_PART_BYTES}.`);
  }
  // Only a string with non-ASCII characters can contain a surrogate.
  if (byteLength !== value.length && LONE_SURROGATE.test(value)) {
    throw new RangeError(`Field location ${name} contains an unpaired UTF-16 surrogate.`);
  }
}

function encodePrefix(location: FieldLocation): Buffer {
  const parts = [location.accountId, location.model, location.field];
  const lengths = [
    checkPart("accountId", location.accountId),
    checkPart("model", location.model),
    checkPart("field", location.field),
  ];
  const prefix = Buffer.allocUnsafeSlow(lengths.reduce((sum, length) => sum + LENGTH_PREFIX_BYTES + length, 0));
  let position = 0;
  parts.forEach((part, index) => {
    const length = lengths[index] ?? 0;
    prefix.writeUInt16BE(length, position);
    prefix.write(part, position + LENGTH_PREFIX_BYTES, "utf8");
    position += LENGTH_PREFIX_BYTES + length;
  });
  return prefix;
}

function prefixFor(location: FieldLocation): Buffer {
  const { accountId, model, field } = location;
  let byModel = prefixCache.get(accountId);
  let byField = byModel?.get(model);
  const cached = byField?.get(field);
  if (cached !== undefined) {
    return cached;
  }

  // Only valid strings get here as keys, because encodePrefix throws on anything else.
  const prefix = encodePrefix(location);
  if (prefixCacheEntries >= PREFIX_CACHE_MAX_ENTRIES) {
    prefixCache.clear();
    prefixCacheEntries = 0;
    byModel = undefined;
    byField = undefined;
  }
  if (byModel === undefined) {
    byModel = new Map();
    prefixCache.set(accountId, byModel);
  }
  if (byField === undefined) {
    byField = new Map();
    byModel.set(model, byField);
  }
  byField.set(field, prefix);
  prefixCacheEntries += 1;
  return prefix;
}

/**
 * Builds the AAD for a sealed value whose first 5 bytes are `header`. The result is a
 * view into a shared scratch buffer that the next call overwrites, so pass it straight
 * to `setAAD` and keep no reference. Throws TypeError or RangeError for an invalid location.
 */
export function aadView(header: Uint8Array, location: FieldLocation): Buffer {
  const prefix = prefixFor(location);
  const recordId = location.recordId;
  if (typeof recordId !== "string") {
    throw new TypeError(`Field location recordId must be a string, got ${typeof recordId}; convert numeric ids with String(id).`);
  }
  if (recordId.length === 0) {
    throw new RangeError("Field location recordId must not be empty.");
  }
  // UTF-8 is never shorter than the UTF-16 length, so this rejects too-long ids before sizing a buffer.
  if (recordId.length > MAX_PART_BYTES) {
    throw new RangeError(`Field location recordId is over ${MAX_PART_BYTES} bytes in UTF-8.`);
  }

  const recordIdOffset = HEADER_LENGTH + prefix.length + LENGTH_PREFIX_BYTES;
  const maxLength = recordIdOffset + MAX_UTF8_BYTES_PER_UNIT * recordId.length;
  const target = maxLength <= SCRATCH_BYTES ? scratch : Buffer.allocUnsafe(maxLength);

  for (let index = 0; index < HEADER_LENGTH; index += 1) {
    target[index] = header[index] ?? 0;
  }
  prefix.copy(target, HEADER_LENGTH);
  const recordIdBytes = target.write(recordId, recordIdOffset, "utf8");
  checkEncodedPart("recordId", recordId, recordIdBytes);
  target.writeUInt16BE(recordIdBytes, recordIdOffset - LENGTH_PREFIX_BYTES);
  return target.subarray(0, recordIdOffset + recordIdBytes);
}

/** Returns the AAD as a new buffer; for tests and diagnostics, since `aadView` is faster. */
export function encodeAad(header: Uint8Array, location: FieldLocation): Buffer {
  return Buffer.from(aadView(header, location));
}
