import { readFileSync } from "node:fs";
import path from "node:path";

import { get_dmmf } from "@prisma/prisma-schema-wasm";
import { describe, expect, it } from "vitest";

import { ENCRYPTED_FIELDS, RELATIONS } from "@/lib/tenant-data/fields";

interface Field { name: string; kind: string; type: string; documentation?: string; relationFromFields?: string[] }
interface Model { name: string; fields: Field[] }

const schema = readFileSync(path.join(process.cwd(), "prisma", "schema.prisma"), "utf8");
const models = (JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: [["schema.prisma", schema]] }))) as { datamodel: { models: Model[] } }).datamodel.models;

function annotatedFields(): Record<string, Record<string, string>> {
  const found: Record<string, Record<string, string>> = {};
  for (const model of models) {
    for (const field of model.fields) {
      const match = field.documentation?.match(/@encrypted (\w+)/);
      if (!match) continue;
      found[model.name] ??= {};
      found[model.name]![field.name] = match[1]!;
    }
  }
  return found;
}

describe("encrypted field list", () => {
  it("matches the @encrypted annotations of schema.prisma", () => {
    expect(ENCRYPTED_FIELDS).toEqual(annotatedFields());
  });

  it("stores every encrypted field as Bytes", () => {
    for (const [modelName, fields] of Object.entries(ENCRYPTED_FIELDS)) {
      const model = models.find((candidate) => candidate.name === modelName)!;
      for (const fieldName of Object.keys(fields)) {
        expect(model.fields.find((field) => field.name === fieldName)?.type, `${modelName}.${fieldName}`).toBe("Bytes");
      }
    }
  });

  it("gives every encrypted model the columns the ciphertext binds", () => {
    for (const modelName of Object.keys(ENCRYPTED_FIELDS)) {
      const names = models.find((candidate) => candidate.name === modelName)!.fields.map((field) => field.name);
      expect(names, modelName).toEqual(expect.arrayContaining(["id", "accountId", "dataKeyId"]));
    }
  });

  it("lists every relation between encrypted models", () => {
    for (const modelName of Object.keys(ENCRYPTED_FIELDS)) {
      const model = models.find((candidate) => candidate.name === modelName)!;
      const expected = Object.fromEntries(
        model.fields.filter((field) => field.kind === "object" && field.type in ENCRYPTED_FIELDS).map((field) => [field.name, field.type]),
      );
      expect(RELATIONS[modelName as keyof typeof RELATIONS], modelName).toEqual(expected);
    }
  });
});
