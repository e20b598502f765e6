import { describe, expect, it } from "vitest";

import { parseEnv } from "@/lib/config/env";

const MINIMAL = {
  DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/app",
  AUTH_SECRET: "0123456789abcdef0123456789abcdef",
  PLATFORM_KMS_KEY_ARN: "arn:aws:kms:us-west-2:467218391112:key/0b7c5a36-2f05-4d3c-9a57-8f6cdb3a1e11",
};

describe("parseEnv", () => {
  it("fills the documented defaults", () => {
    const env = parseEnv(MINIMAL);
    expect(env.SERVICE_NAME).toBe("zep");
    expect(env.SERVICE_REGION).toBe("us-west-2");
    expect(env.PLATFORM_PRINCIPAL_ARN).toBe("arn:aws:iam::467218391112:role/zep-byok");
    expect(env.KMS_TIMEOUT_MS).toBe(3_000);
    expect(env.KMS_MAX_ATTEMPTS).toBe(3);
    expect(env.AWS_ENDPOINT_URL_KMS).toBeUndefined();
    expect(env.DEK_CACHE_TTL_SECONDS).toBe(300);
    expect(env.DEK_CACHE_MAX_ENTRIES).toBe(10_000);
  });

  it("names every missing variable and how to fix it", () => {
    expect(() => parseEnv({})).toThrow(/DATABASE_URL: is missing[\s\S]*AUTH_SECRET: is missing/);
  });

  it("treats empty strings as missing", () => {
    expect(() => parseEnv({ ...MINIMAL, AUTH_SECRET: "" })).toThrow("AUTH_SECRET: is missing");
  });

  it.each([
    ["SERVICE_REGION", "us-west-2a", "must be an AWS region"],
    ["SERVICE_REGION", "mars-north-1", "must be an AWS region"],
    ["PLATFORM_PRINCIPAL_ARN", "arn:aws:iam::1234:role/x", "must be an IAM role ARN"],
    ["KMS_TIMEOUT_MS", "fast", "KMS_TIMEOUT_MS"],
    ["AWS_ENDPOINT_URL_KMS", "localhost:4599", "must be an http or https URL"],
    ["NEXTAUTH_URL", "ftp://example.com", "must be the absolute URL"],
    ["DATABASE_URL", "mysql://x", "must be a postgresql:// URL"],
    ["AUTH_SECRET", "short", "at least 32 characters"],
    ["PLATFORM_KMS_KEY_ARN", "alias/platform", "must be a KMS key ARN"],
    ["DEK_MAX_ENCRYPTIONS", "5000000000", "DEK_MAX_ENCRYPTIONS"],
  ])("rejects %s=%s", (name, value, message) => {
    expect(() => parseEnv({ ...MINIMAL, [name]: value })).toThrow(message);
  });

  it("shows the rejected value unless it may hold a secret", () => {
    expect(() => parseEnv({ ...MINIMAL, SERVICE_REGION: "us-west-2a" })).toThrow('(got "us-west-2a")');
    expect(() => parseEnv({ ...MINIMAL, DATABASE_URL: "mysql://user:hunter2@db" })).not.toThrow("hunter2");
  });

  it("requires the principal in the service region's partition", () => {
    expect(() => parseEnv({ ...MINIMAL, SERVICE_REGION: "cn-north-1" })).toThrow("must be in the aws-cn partition");
    expect(parseEnv({ ...MINIMAL, SERVICE_REGION: "cn-north-1", PLATFORM_PRINCIPAL_ARN: "arn:aws-cn:iam::467218391112:role/zep-byok" }).SERVICE_REGION).toBe("cn-north-1");
  });

  it("requires the OIDC variables together", () => {
    expect(() => parseEnv({ ...MINIMAL, OIDC_ISSUER: "https://id.example.com" })).toThrow("must be set together");
    const env = parseEnv({ ...MINIMAL, OIDC_ISSUER: "https://id.example.com", OIDC_CLIENT_ID: "dashboard", OIDC_CLIENT_SECRET: "s3cret" });
    expect(env.OIDC_CLIENT_ID).toBe("dashboard");
  });
});
