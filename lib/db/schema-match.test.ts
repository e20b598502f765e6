import { readFileSync } from "node:fs";
import path from "node:path";

import { get_dmmf } from "@prisma/prisma-schema-wasm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

/**
 * Proves that the database built by prisma/migrations has exactly the shape that
 * schema.prisma describes: tables, columns and their types, nullability and defaults,
 * enums, primary keys, indexes and foreign keys. Prisma's own `migrate diff` needs the
 * native schema engine, so this test reads the schema through Prisma's WebAssembly
 * schema parser and the database through pg_catalog.
 */

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "enum" | "object";
  type: string;
  isList: boolean;
  isRequired: boolean;
  hasDefaultValue: boolean;
  default?: { name?: string } | string | number | boolean;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  isUpdatedAt: boolean;
}
interface DmmfModel { name: string; dbName: string | null; fields: DmmfField[] }
interface DmmfIndex { model: string; type: "id" | "unique" | "normal"; dbName?: string | null; fields: { name: string }[] }
interface Dmmf {
  datamodel: { models: DmmfModel[]; enums: { name: string; values: { name: string }[] }[]; indexes: DmmfIndex[] };
}

const schema = readFileSync(path.join(process.cwd(), "prisma", "schema.prisma"), "utf8");
const dmmf = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: [["schema.prisma", schema]] }))) as Dmmf;
const models = dmmf.datamodel.models;
const tableOf = (model: DmmfModel) => model.dbName ?? model.name;
const columnOf = (field: DmmfField) => field.dbName ?? field.name;
const modelByName = new Map(models.map((model) => [model.name, model]));

// Prisma evaluates these defaults in the client, so the column has no database default.
const CLIENT_SIDE_DEFAULTS = new Set(["uuid", "cuid", "nanoid", "ulid"]);

function expectedColumnType(field: DmmfField): string {
  if (field.kind === "enum") return `"${field.type}"`;
  const [native, args] = field.nativeType ?? [undefined, []];
  if (native === "Uuid") return "uuid";
  if (native === "VarChar") return `character varying(${args[0]})`;
  if (native === "Timestamptz") return `timestamp(${args[0] ?? 6}) with time zone`;
  const base: Record<string, string> = {
    String: "text",
    Boolean: "boolean",
    Int: "integer",
    BigInt: "bigint",
    Float: "double precision",
    DateTime: "timestamp(3) without time zone",
    Json: "jsonb",
    Bytes: "bytea",
  };
  const type = base[field.type];
  if (!type || native) throw new Error(`Extend the test: no mapping for ${field.type} @db.${native}`);
  return field.isList ? `${type}[]` : type;
}

function hasDatabaseDefault(field: DmmfField): boolean {
  if (!field.hasDefaultValue) return false;
  const fn = typeof field.default === "object" ? field.default.name : undefined;
  return !(fn && CLIENT_SIDE_DEFAULTS.has(fn));
}

let client: pg.Client;

beforeAll(async () => {
  client = new pg.Client({ connectionString: inject("databaseUrl") });
  await client.connect();
});

afterAll(async () => {
  await client.end();
});

describe("migrated database matches schema.prisma", () => {
  it("has one table per model and no others", async () => {
    const { rows } = await client.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`,
    );
    expect(rows.map((row) => row.tablename).sort()).toEqual(models.map(tableOf).sort());
  });

  it("has the enums with their values in order", async () => {
    const { rows } = await client.query<{ name: string; values: string[] }>(`
      SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS values
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
      JOIN pg_namespace n ON n.oid = t.typnamespace AND n.nspname = 'public'
      GROUP BY t.typname`);
    const expected = dmmf.datamodel.enums.map((item) => ({ name: item.name, values: item.values.map((value) => value.name) }));
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(rows.sort(byName)).toEqual(expected.sort(byName));
  });

  describe.each(models.map((model) => [model.name, model] as const))("model %s", (_name, model) => {
    it("has the columns with their types, nullability and defaults", async () => {
      const { rows } = await client.query<{ column: string; type: string; nullable: boolean; has_default: boolean }>(
        `SELECT a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
                NOT a.attnotnull AS nullable, a.atthasdef AS has_default
         FROM pg_attribute a
         WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attname`,
        [`"${tableOf(model)}"`],
      );
      const expected = model.fields
        .filter((field) => field.kind !== "object")
        .map((field) => ({
          column: columnOf(field),
          type: expectedColumnType(field),
          // Prisma creates scalar-list columns without NOT NULL.
          nullable: field.isList || !field.isRequired,
          has_default: hasDatabaseDefault(field),
        }))
        .sort((a, b) => a.column.localeCompare(b.column));
      expect(rows).toEqual(expected);
    });

    it("has the primary key, unique and plain indexes", async () => {
      const { rows } = await client.query<{ name: string; unique: boolean; primary: boolean; columns: string[] }>(
        `SELECT c.relname AS name, i.indisunique AS unique, i.indisprimary AS primary,
                array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(attnum, position)
                      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                      ORDER BY k.position)::text[] AS columns
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         WHERE i.indrelid = $1::regclass ORDER BY c.relname`,
        [`"${tableOf(model)}"`],
      );
      const table = tableOf(model);
      const fieldColumn = (name: string) => columnOf(model.fields.find((field) => field.name === name)!);
      const expected = dmmf.datamodel.indexes
        .filter((index) => index.model === model.name)
        .map((index) => {
          const columns = index.fields.map((field) => fieldColumn(field.name));
          const suffix = index.type === "unique" ? "key" : "idx";
          // Prisma's default names: <table>_pkey, <table>_<columns>_key and <table>_<columns>_idx.
          let name = index.dbName ?? `${table}_${columns.join("_")}_${suffix}`;
          if (!index.dbName && index.type === "id") name = `${table}_pkey`;
          return { name, unique: index.type !== "normal", primary: index.type === "id", columns };
        })
        .sort((a, b) => a.name.localeCompare(b.name));
      expect(rows).toEqual(expected);
    });

    it("has the foreign keys with their referential actions", async () => {
      const { rows } = await client.query<{ name: string; columns: string[]; target: string; target_columns: string[]; on_delete: string; on_update: string }>(
        `SELECT con.conname AS name,
                array(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, p)
                      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.p)::text[] AS columns,
                target.relname AS target,
                array(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, p)
                      JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.p)::text[] AS target_columns,
                con.confdeltype AS on_delete, con.confupdtype AS on_update
         FROM pg_constraint con JOIN pg_class target ON target.oid = con.confrelid
         WHERE con.contype = 'f' AND con.conrelid = $1::regclass ORDER BY con.conname`,
        [`"${tableOf(model)}"`],
      );
      const actionCode: Record<string, string> = { Cascade: "c", SetNull: "n", Restrict: "r", NoAction: "a", SetDefault: "d" };
      const expected = model.fields
        .filter((field) => field.kind === "object" && field.relationFromFields?.length)
        .map((field) => {
          const target = modelByName.get(field.type)!;
          const columns = field.relationFromFields!.map((name) => columnOf(model.fields.find((f) => f.name === name)!));
          const defaultOnDelete = field.isRequired ? "Restrict" : "SetNull";
          return {
            name: `${tableOf(model)}_${columns.join("_")}_fkey`,
            columns,
            target: tableOf(target),
            target_columns: field.relationToFields!.map((name) => columnOf(target.fields.find((f) => f.name === name)!)),
            on_delete: actionCode[field.relationOnDelete ?? defaultOnDelete]!,
            on_update: "c",
          };
        })
        .sort((a, b) => a.name.localeCompare(b.name));
      expect(rows).toEqual(expected);
    });
  });
});
