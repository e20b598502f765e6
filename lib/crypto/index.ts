/**
 * Envelope encryption of record fields: AES-256-GCM under a cached data key, bound to
 * the field's account, model, field name and record id. The sealed format is described
 * in field-cipher.ts. Key lookup, caching and KMS calls live elsewhere.
 */
export type { FieldLocation } from "./aad";
export { decodeJson, decodeString, encodeJson, encodeString } from "./codec";
export { CiphertextFormatError, CiphertextIntegrityError, FieldValueError, type CiphertextFormatReason } from "./errors";
export { openField, readSealedHeader, sealField, SEALED_OVERHEAD, type DataKey } from "./field-cipher";
