import { randomUUID } from "node:crypto";

import {
  decodeJson,
  decodeString,
  encodeJson,
  encodeString,
  openField,
  readSealedHeader,
  sealField,
  type FieldLocation,
} from "@/lib/crypto";
import type { DataKeyService } from "@/lib/data-keys/service";
import type { PrismaClient } from "@/lib/db/generated/client";
import { AppError } from "@/lib/errors";
import { encryptedFieldsOf, isEncryptedModel, RELATIONS, type EncryptedModel } from "@/lib/tenant-data/fields";

/**
 * A Prisma Client extension that encrypts the fields listed in fields.ts on every write
 * and decrypts them in every result, so application code reads and writes plaintext
 * values. All encrypted fields of a record share one data key, whose id the record keeps
 * in `dataKeyId`. Record ids are generated here when missing, because each ciphertext is
 * bound to its account, model, field and record id.
 *
 * Operations that cannot be encrypted safely here (createMany, updateMany, upsert,
 * nested writes of encrypted models) are rejected when they touch an encrypted field, so
 * no code path can store plaintext in one. A failed decryption fails the whole query:
 * results never contain ciphertext or an empty value in place of plaintext.
 */

type Row = Record<string, unknown>;
type Args = Record<string, unknown> & { data?: Row; select?: Row; include?: Row; where?: Row };

const WRITE_OPERATIONS_WITHOUT_SUPPORT = new Set(["createMany", "createManyAndReturn", "updateMany", "updateManyAndReturn", "upsert"]);

export class EncryptedWriteError extends AppError {
  constructor(message: string) {
    super("ENCRYPTED_WRITE_UNSUPPORTED", message);
    this.name = "EncryptedWriteError";
  }
}

export function withTenantEncryption(prisma: PrismaClient, dataKeys: DataKeyService) {
  const handle = (model: EncryptedModel) =>
    async function ({ operation, args, query }: { operation: string; args: unknown; query: (args: unknown) => Promise<unknown> }) {
      const input = (args ?? {}) as Args;
      if (WRITE_OPERATIONS_WITHOUT_SUPPORT.has(operation)) rejectEncryptedFields(model, operation, input.data ?? input.create);

      let finalArgs: Args = input;
      if (operation === "create") finalArgs = { ...input, data: await sealNewRecord(model, input.data ?? {}) };
      if (operation === "update") finalArgs = { ...input, data: await sealUpdate(model, input) };

      const added = ensureSelected(model, finalArgs);
      const result = await query(finalArgs);
      await openResult(model, result, added);
      return result;
    };

  async function sealNewRecord(model: EncryptedModel, data: Row): Promise<Row> {
    rejectNestedEncryptedWrites(model, data);
    const accountId = requireString(data.accountId, `${model}.create needs accountId in data, as a plain id`);
    const record: Row = { ...data, id: typeof data.id === "string" ? data.id : randomUUID() };
    await sealFields(model, accountId, record, record);
    return record;
  }

  async function sealUpdate(model: EncryptedModel, args: Args): Promise<Row> {
    const data = args.data ?? {};
    rejectNestedEncryptedWrites(model, data);
    const fields = encryptedFieldsOf(model);
    if (!fields.some(([name]) => name in data)) return data;

    // Every encrypted field of a record stays under one data key, so the fields this update
    // leaves alone are re-encrypted under the new key with the ones it changes.
    const delegate = delegateOf(prisma, model);
    const select = Object.fromEntries([["id", true], ["accountId", true], ...fields.map(([name]) => [name, true])]);
    const current = (await delegate.findUniqueOrThrow({ where: args.where, select })) as Row;
    await openRow(model, current);
    const merged: Row = { ...current, ...data };
    const sealed: Row = { ...data };
    await sealFields(model, current.accountId as string, merged, sealed);
    return sealed;
  }

  async function sealFields(model: EncryptedModel, accountId: string, source: Row, target: Row): Promise<void> {
    const present = encryptedFieldsOf(model).filter(([name]) => source[name] !== undefined && source[name] !== null);
    for (const [name] of encryptedFieldsOf(model)) {
      if (source[name] instanceof Uint8Array) {
        throw new EncryptedWriteError(`${model}.${name} is encrypted by the data layer: pass the plaintext value, not bytes.`);
      }
      if (source[name] === null) target[name] = null;
    }
    if (present.length === 0) return;

    const writeKey = await dataKeys.keyForWrite(accountId, present.length);
    // From here to the end of the loop nothing awaits, so the key bytes stay valid.
    for (const [name, kind] of present) {
      const plaintext = kind === "json" ? encodeJson(source[name]) : encodeString(requireString(source[name], `${model}.${name} must be a string`));
      target[name] = sealField(writeKey, plaintext, { accountId, model, field: name, recordId: source.id as string });
    }
    target.dataKeyId = writeKey.dataKeyId;
    delete target.dataKey;
  }

  async function openResult(model: EncryptedModel, result: unknown, added: Added): Promise<void> {
    if (Array.isArray(result)) {
      for (const row of result) await openNested(model, row as Row, added);
    } else if (result && typeof result === "object") {
      await openNested(model, result as Row, added);
    }
  }

  async function openNested(model: EncryptedModel, row: Row, added: Added): Promise<void> {
    await openRow(model, row);
    for (const [relation, target] of Object.entries(RELATIONS[model])) {
      if (row[relation] !== undefined && row[relation] !== null) await openResult(target, row[relation], added.nested[relation] ?? emptyAdded());
    }
    for (const name of added.fields) delete row[name];
  }

  async function openRow(model: EncryptedModel, row: Row): Promise<void> {
    const sealedFields = encryptedFieldsOf(model).filter(([name]) => row[name] instanceof Uint8Array);
    if (sealedFields.length === 0) return;
    const accountId = row.accountId as string;
    const recordId = row.id as string;

    for (const [name, kind] of sealedFields) {
      const sealed = row[name] as Uint8Array;
      const { serial } = readSealedHeader(sealed);
      const key = await dataKeys.keyForRead(accountId, serial);
      const location: FieldLocation = { accountId, model, field: name, recordId };
      const plaintext = openField({ serial, key }, sealed, location);
      row[name] = kind === "json" ? decodeJson(plaintext) : decodeString(plaintext);
      plaintext.fill(0);
    }
  }

  return prisma.$extends({
    name: "tenant-encryption",
    query: {
      memorySession: { $allOperations: handle("MemorySession") },
      message: { $allOperations: handle("Message") },
      fact: { $allOperations: handle("Fact") },
    },
  });
}

export type TenantDataClient = ReturnType<typeof withTenantEncryption>;

interface Added {
  fields: string[];
  nested: Record<string, Added>;
}

function emptyAdded(): Added {
  return { fields: [], nested: {} };
}

// Decryption needs each record's id and account id. A `select` that leaves them out gets
// them added here, and they are removed from the result after decryption.
function ensureSelected(model: EncryptedModel, args: Args): Added {
  const added = emptyAdded();
  if (args.select && typeof args.select === "object") {
    const select = { ...(args.select as Row) };
    for (const name of ["id", "accountId"]) {
      if (!select[name]) {
        select[name] = true;
        added.fields.push(name);
      }
    }
    args.select = select;
    addNested(model, select, added);
  }
  if (args.include && typeof args.include === "object") {
    const include = { ...(args.include as Row) };
    args.include = include;
    addNested(model, include, added);
  }
  return added;
}

function addNested(model: EncryptedModel, tree: Row, added: Added): void {
  for (const [relation, target] of Object.entries(RELATIONS[model])) {
    const value = tree[relation];
    if (value && typeof value === "object") {
      const nestedArgs = { ...(value as Args) };
      tree[relation] = nestedArgs;
      added.nested[relation] = ensureSelected(target, nestedArgs);
    }
  }
}

function rejectEncryptedFields(model: EncryptedModel, operation: string, data: unknown): void {
  const rows = Array.isArray(data) ? data : [data];
  for (const row of rows) {
    if (!row || typeof row !== "object") continue;
    for (const [name] of encryptedFieldsOf(model)) {
      if (name in row) throw new EncryptedWriteError(`${model}.${operation} cannot write the encrypted field ${name}; use create or update one record at a time.`);
    }
  }
}

function rejectNestedEncryptedWrites(model: EncryptedModel, data: Row): void {
  for (const [relation, target] of Object.entries(RELATIONS[model])) {
    const nested = data[relation];
    if (nested && typeof nested === "object" && !("connect" in nested && Object.keys(nested).length === 1)) {
      throw new EncryptedWriteError(`${model} cannot write ${target} records through the nested relation ${relation}; create them one by one.`);
    }
  }
}

function requireString(value: unknown, message: string): string {
  if (typeof value !== "string") throw new EncryptedWriteError(message);
  return value;
}

function delegateOf(prisma: PrismaClient, model: EncryptedModel) {
  const name = (model.charAt(0).toLowerCase() + model.slice(1)) as "memorySession" | "message" | "fact";
  return prisma[name] as unknown as { findUniqueOrThrow(args: unknown): Promise<unknown> };
}

export { isEncryptedModel };
