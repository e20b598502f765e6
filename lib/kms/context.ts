/**
 * The KMS encryption context sent with every GenerateDataKey, Decrypt and ReEncrypt call
 * on a tenant key. KMS binds the context to the ciphertext and compares it byte for byte,
 * so Decrypt fails with InvalidCiphertextException when one key or value differs in
 * spelling or case. Every caller and the key-policy condition keys therefore take the
 * context and its key names from this module. Pure, so that the browser can import it.
 */

export type EncryptionContext = Readonly<{ service: string; account_uuid: string }>;

/** Keys of the encryption context in the order they are built, as spelled in key-policy conditions. */
export const ENCRYPTION_CONTEXT_KEYS = ["service", "account_uuid"] as const satisfies readonly (keyof EncryptionContext)[];

/** Service names: ASCII letters, digits, dots, underscores and hyphens, starting with a letter or digit. */
const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Canonical lowercase UUID. Version and variant are not checked, so any PostgreSQL uuid value passes. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Builds the frozen encryption context `{ service, account_uuid }` for one tenant.
 * Throws when `service` is not a name of up to 64 characters from [A-Za-z0-9._-], or
 * when `accountUuid` is not a canonical lowercase UUID. An uppercase UUID is rejected,
 * not lowercased, because it would produce a context that no stored ciphertext has.
 */
export function buildEncryptionContext(service: string, accountUuid: string): EncryptionContext {
  if (!SERVICE_NAME.test(service)) {
    throw new Error(
      `Invalid service name ${JSON.stringify(service)} for the encryption context: expected 1 to 64 characters from A-Z, a-z, 0-9, ".", "_" and "-", such as "zep".`,
    );
  }
  if (!CANONICAL_UUID.test(accountUuid)) {
    throw new Error(
      `Invalid account UUID ${JSON.stringify(accountUuid)} for the encryption context: expected a lowercase UUID such as 0b9e4c1e-5b0a-4c3e-9f57-3d2b6f0c8a11.`,
    );
  }
  return Object.freeze({ service, account_uuid: accountUuid });
}
