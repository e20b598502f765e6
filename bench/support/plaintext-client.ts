/**
 * The plaintext baseline of the API benchmark: a Prisma Client extension with the same
 * shape as withTenantEncryption (lib/tenant-data/extension.ts) that stores the UTF-8 or
 * JSON bytes of each encrypted field unencrypted in the same Bytes columns, and decodes
 * them in results. It keeps the same steps the encrypting extension takes per query:
 * a record id generated before insert, `dataKeyId` set on write, `id` and `accountId`
 * added to a `select` and removed from the result, encodeString/encodeJson and
 * decodeString/decodeJson per field. It leaves out exactly what encryption adds: the data
 * key lookup (write lease, cache) and sealField/openField.
 *
 * Only create and read operations are handled, because the API's repository functions use
 * no others, and relations in results are not decoded. Benchmark use only: nothing here
 * is encrypted.
 */
import { randomUUID } from "node:crypto";

import { decodeJson, decodeString, encodeJson, encodeString } from "@/lib/crypto";
import type { PrismaClient } from "@/lib/db/generated/client";
import { encryptedFieldsOf, type EncryptedModel } from "@/lib/tenant-data/fields";

type Row = Record<string, unknown>;
type Args = Record<string, unknown> & { data?: Row; select?: Row };

/** Creates the baseline client. `dataKeyIdOf` returns an account's placeholder data key id, which Message and Fact rows require. */
export function withPlaintextFields(prisma: PrismaClient, dataKeyIdOf: (accountId: string) => string) {
  const handle = (model: EncryptedModel) =>
    async function ({ operation, args, query }: { operation: string; args: unknown; query: (args: unknown) => Promise<unknown> }) {
      const input = (args ?? {}) as Args;
      if (operation !== "create" && !operation.startsWith("find") && operation !== "count") {
        throw new Error(`The plaintext baseline handles create, find* and count only, not ${model}.${operation}.`);
      }

      let finalArgs: Args = input;
      if (operation === "create") finalArgs = { ...input, data: encodeNewRecord(model, input.data ?? {}) };
      const added = addIdentity(finalArgs);
      const result = await query(finalArgs);
      if (Array.isArray(result)) {
        for (const row of result) decodeRow(model, row as Row, added);
      } else if (result && typeof result === "object") {
        decodeRow(model, result as Row, added);
      }
      return result;
    };

  function encodeNewRecord(model: EncryptedModel, data: Row): Row {
    const record: Row = { ...data, id: typeof data.id === "string" ? data.id : randomUUID() };
    let anyField = false;
    for (const [name, kind] of encryptedFieldsOf(model)) {
      const value = record[name];
      if (value === undefined || value === null) continue;
      record[name] = kind === "json" ? encodeJson(value) : encodeString(value as string);
      anyField = true;
    }
    if (anyField || model !== "MemorySession") record.dataKeyId = dataKeyIdOf(record.accountId as string);
    return record;
  }

  return prisma.$extends({
    name: "plaintext-fields-baseline",
    query: {
      memorySession: { $allOperations: handle("MemorySession") },
      message: { $allOperations: handle("Message") },
      fact: { $allOperations: handle("Fact") },
    },
  });
}

function addIdentity(args: Args): string[] {
  if (!args.select || typeof args.select !== "object") return [];
  const select = { ...args.select };
  const added: string[] = [];
  for (const name of ["id", "accountId"]) {
    if (!select[name]) {
      select[name] = true;
      added.push(name);
    }
  }
  args.select = select;
  return added;
}

function decodeRow(model: EncryptedModel, row: Row, added: string[]): void {
  for (const [name, kind] of encryptedFieldsOf(model)) {
    const bytes = row[name];
    if (bytes instanceof Uint8Array) row[name] = kind === "json" ? decodeJson(bytes) : decodeString(bytes);
  }
  for (const name of added) delete row[name];
}
