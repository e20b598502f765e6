import { AppError } from "../errors";

/**
 * Errors raised by field encryption. Messages name lengths, versions, key serials and the
 * field's location (account id, model, field, record id), never plaintext or key bytes.
 * Every one shows the browser the same generic text.
 */

const USER_MESSAGE = "This record could not be read. Try again later or contact support.";

export type CiphertextFormatReason = "too-short" | "unknown-version" | "serial-mismatch";

/**
 * A sealed value that cannot be opened before any cryptography runs: shorter than the
 * 33-byte minimum, an unknown format version, or a header key serial other than the
 * serial of the data key passed in. The last case usually means the caller resolved
 * the wrong key; `readSealedHeader` returns the serial to look up.
 */
export class CiphertextFormatError extends AppError {
  readonly reason: CiphertextFormatReason;

  constructor(reason: CiphertextFormatReason, internalMessage: string) {
    super("CIPHERTEXT_FORMAT", USER_MESSAGE, internalMessage);
    this.name = "CiphertextFormatError";
    this.reason = reason;
  }
}

/**
 * A sealed value whose GCM tag did not verify. The value was altered, was copied from
 * another account, model, field or record, or the data key is wrong. Treat it as a
 * possible attack and alert on it. No plaintext is returned.
 */
export class CiphertextIntegrityError extends AppError {
  constructor(internalMessage: string) {
    super("CIPHERTEXT_INTEGRITY", USER_MESSAGE, internalMessage);
    this.name = "CiphertextIntegrityError";
  }
}

/**
 * A field value that the codecs cannot convert: bytes that are not valid UTF-8 or JSON,
 * a value that JSON cannot represent, or JSON with a prototype-polluting key. The
 * message never quotes the value.
 */
export class FieldValueError extends AppError {
  constructor(internalMessage: string) {
    super("FIELD_VALUE_INVALID", USER_MESSAGE, internalMessage);
    this.name = "FieldValueError";
  }
}
