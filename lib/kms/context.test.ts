import { describe, expect, it } from "vitest";

import { ENCRYPTION_CONTEXT_KEYS, buildEncryptionContext } from "./context";

const ACCOUNT_UUID = "0b9e4c1e-5b0a-4c3e-9f57-3d2b6f0c8a11";

describe("buildEncryptionContext", () => {
  it("builds service and account_uuid", () => {
    const context = buildEncryptionContext("zep", ACCOUNT_UUID);

    expect(context).toEqual({ service: "zep", account_uuid: ACCOUNT_UUID });
  });

  it("serializes keys in a fixed order", () => {
    const context = buildEncryptionContext("zep", ACCOUNT_UUID);

    expect(JSON.stringify(context)).toBe(`{"service":"zep","account_uuid":"${ACCOUNT_UUID}"}`);
    expect(Object.keys(context)).toEqual([...ENCRYPTION_CONTEXT_KEYS]);
  });

  it("returns a frozen object", () => {
    const context = buildEncryptionContext("zep", ACCOUNT_UUID);

    expect(Object.isFrozen(context)).toBe(true);
    expect(() => {
      (context as { service: string }).service = "other";
    }).toThrow(TypeError);
  });

  it("builds equal contexts for the same tenant", () => {
    expect(buildEncryptionContext("zep", ACCOUNT_UUID)).toEqual(buildEncryptionContext("zep", ACCOUNT_UUID));
  });

  it("builds different contexts for different tenants", () => {
    const other = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";

    expect(buildEncryptionContext("zep", ACCOUNT_UUID)).not.toEqual(buildEncryptionContext("zep", other));
  });

  it("accepts a UUID without version bits", () => {
    expect(buildEncryptionContext("zep", "1234abcd-12ab-34cd-56ef-1234567890ab").account_uuid).toBe(
      "1234abcd-12ab-34cd-56ef-1234567890ab",
    );
  });

  it.each(["", " zep", "zep ", "zep byok", "zep\n", "-zep", 'zep"', "zep'", "zep$", "z".repeat(65), "zép"])(
    "rejects service %j",
    (service) => {
      expect(() => buildEncryptionContext(service, ACCOUNT_UUID)).toThrow(/Invalid service name/);
    },
  );

  it.each([
    "",
    ACCOUNT_UUID.toUpperCase(),
    `{${ACCOUNT_UUID}}`,
    ACCOUNT_UUID.replace(/-/g, ""),
    ` ${ACCOUNT_UUID}`,
    `${ACCOUNT_UUID}\n`,
    `${ACCOUNT_UUID}"`,
    ACCOUNT_UUID.slice(1),
    `urn:uuid:${ACCOUNT_UUID}`,
  ])("rejects account UUID %j", (accountUuid) => {
    expect(() => buildEncryptionContext("zep", accountUuid)).toThrow(/Invalid account UUID/);
  });
});
