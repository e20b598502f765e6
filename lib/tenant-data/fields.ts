/**
 * Tenant data fields that contain lib/crypto ciphertext, by model, with the kind of value
 * each contains in plaintext. schema.prisma marks the same fields `/// @encrypted <kind>`,
 * and fields.test.ts fails when the two disagree.
 */
export const ENCRYPTED_FIELDS = {
  MemorySession: { metadata: "json" },
  Message: { content: "string", metadata: "json" },
  Fact: { content: "string", metadata: "json" },
} as const satisfies Record<string, Record<string, "string" | "json">>;

export type EncryptedModel = keyof typeof ENCRYPTED_FIELDS;

/** Relations between encrypted models, so nested results (include, select) are decrypted too. */
export const RELATIONS: Record<EncryptedModel, Record<string, EncryptedModel>> = {
  MemorySession: { messages: "Message", facts: "Fact" },
  Message: { session: "MemorySession" },
  Fact: { session: "MemorySession" },
};

export function isEncryptedModel(model: string): model is EncryptedModel {
  return model in ENCRYPTED_FIELDS;
}

export function encryptedFieldsOf(model: EncryptedModel): [string, "string" | "json"][] {
  return Object.entries(ENCRYPTED_FIELDS[model]);
}
