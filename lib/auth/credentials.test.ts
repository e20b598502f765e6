import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { authorizeCredentials } from "@/lib/auth/credentials";
import { createPrismaClient } from "@/lib/db/create-client";
import { createTenant, startTestStack, type TestStack } from "@/tests/support/stack";

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.close();
});

async function ownerEmail() {
  const tenant = await createTenant(stack.prisma);
  const owner = await stack.prisma.user.findUniqueOrThrow({ where: { id: tenant.userIds.OWNER } });
  return owner.email;
}

describe("authorizeCredentials", () => {
  it("signs in with the right password, ignoring email case", async () => {
    const email = await ownerEmail();

    const user = await authorizeCredentials(stack.prisma, { email: `  ${email.toUpperCase()} `, password: "test-password" });

    expect(user?.email).toBe(email);
  });

  it("rejects a wrong password and records it", async () => {
    const email = await ownerEmail();

    expect(await authorizeCredentials(stack.prisma, { email, password: "wrong" })).toBeNull();

    const audit = await stack.prisma.auditEvent.findFirstOrThrow({ where: { actorEmail: email }, orderBy: { id: "desc" } });
    expect(audit.errorCode).toBe("INVALID_CREDENTIALS");
  });

  it.each([
    ["a NUL byte in the email", { email: "owner@acme.example\u0000", password: "x" }],
    ["an email that is not one", { email: "owner", password: "x" }],
    ["an empty password", { email: "owner@acme.example", password: "" }],
    ["a password over 1024 characters", { email: "owner@acme.example", password: "x".repeat(1025) }],
    ["no credentials", undefined],
  ])("rejects %s without a database error", async (_name, credentials) => {
    await expect(authorizeCredentials(stack.prisma, credentials)).resolves.toBeNull();
  });

  it("hides a failing database behind a code", async () => {
    const unreachable = createPrismaClient("postgresql://postgres@127.0.0.1:9/none", 1);

    await expect(authorizeCredentials(unreachable, { email: "owner@acme.example", password: "x" })).rejects.toThrow(/^SIGN_IN_FAILED$/);

    await unreachable.$disconnect();
  });
});
