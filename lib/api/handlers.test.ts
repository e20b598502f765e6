import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createApiKey, revokeApiKey } from "@/lib/api/manage-keys";
import {
  handleCreateFact,
  handleCreateMessage,
  handleCreateSession,
  handleGetFact,
  handleGetSession,
  handleListMessages,
  handleListSessions,
  type ApiDeps,
} from "@/lib/api/handlers";
import { createTenant, startTestStack, type TestStack } from "@/tests/support/stack";

/** The tenant data API end to end below HTTP: real PostgreSQL, the local KMS, real API keys. */

let stack: TestStack;
let deps: ApiDeps;

beforeAll(async () => {
  stack = await startTestStack();
  deps = { prisma: stack.prisma, tenantDb: stack.tenantData().client };
});

afterAll(async () => {
  await stack.close();
});

function request(path: string, token: string | null, body?: unknown): Request {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  return new Request(`http://127.0.0.1${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers,
    body: encodeBody(body),
  });
}

async function apiTenant() {
  const tenant = await createTenant(stack.prisma);
  const { token } = await createApiKey(stack.prisma, await tenant.access("ADMIN"), "test");
  return { tenant, token };
}

describe("tenant data API", () => {
  it("creates and reads sessions, messages and facts", async () => {
    const { token } = await apiTenant();

    const sessionResponse = await handleCreateSession(deps, request("/api/v1/sessions", token, { externalId: "chat-1", metadata: { channel: "web" } }));
    expect(sessionResponse.status).toBe(201);
    const session = (await sessionResponse.json()).data;
    expect(session).toMatchObject({ externalId: "chat-1", metadata: { channel: "web" } });

    const messageResponse = await handleCreateMessage(deps, request(`/api/v1/sessions/${session.id}/messages`, token, { role: "user", content: "Hi there" }), session.id);
    expect(messageResponse.status).toBe(201);
    expect((await messageResponse.json()).data).toMatchObject({ role: "user", content: "Hi there", sessionId: session.id });

    const factResponse = await handleCreateFact(deps, request("/api/v1/facts", token, { content: "Likes tea", sessionId: session.id, metadata: { confidence: 0.9 } }));
    expect(factResponse.status).toBe(201);
    const fact = (await factResponse.json()).data;

    const messages = await (await handleListMessages(deps, request(`/api/v1/sessions/${session.id}/messages`, token), session.id)).json();
    expect(messages.data.map((message: { content: string }) => message.content)).toEqual(["Hi there"]);
    expect(messages.nextCursor).toBeNull();
    expect((await (await handleGetFact(deps, request(`/api/v1/facts/${fact.id}`, token), fact.id)).json()).data.content).toBe("Likes tea");
    expect((await (await handleGetSession(deps, request(`/api/v1/sessions/${session.id}`, token), session.id)).json()).data.id).toBe(session.id);
  });

  it("pages through lists with a cursor", async () => {
    const { token } = await apiTenant();
    for (let index = 0; index < 5; index++) await handleCreateSession(deps, request("/api/v1/sessions", token, { externalId: `s${index}` }));

    const first = await (await handleListSessions(deps, request("/api/v1/sessions?limit=3", token))).json();
    const second = await (await handleListSessions(deps, request(`/api/v1/sessions?limit=3&cursor=${first.nextCursor}`, token))).json();

    expect(first.data).toHaveLength(3);
    expect(second.data).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
    const ids = [...first.data, ...second.data].map((session: { id: string }) => session.id);
    expect(new Set(ids).size).toBe(5);
  });

  it("keeps each account's records to itself", async () => {
    const owner = await apiTenant();
    const stranger = await apiTenant();
    const session = (await (await handleCreateSession(deps, request("/api/v1/sessions", owner.token, {}))).json()).data;

    const read = await handleGetSession(deps, request(`/api/v1/sessions/${session.id}`, stranger.token), session.id);
    const write = await handleCreateMessage(deps, request(`/api/v1/sessions/${session.id}/messages`, stranger.token, { role: "user", content: "x" }), session.id);

    expect(read.status).toBe(404);
    expect(write.status).toBe(404);
    expect(await stack.prisma.message.count({ where: { sessionId: session.id } })).toBe(0);
  });

  it.each([
    ["no Authorization header", null],
    ["a malformed token", "not-a-token"],
    ["an unknown key", `byok_000000000000_${"A".repeat(43)}`],
  ])("rejects %s with 401", async (_name, token) => {
    const response = await handleListSessions(deps, request("/api/v1/sessions", token));

    expect(response.status).toBe(401);
    expect((await response.json()).error.code).toBe("UNAUTHENTICATED");
  });

  it("rejects a revoked key at once", async () => {
    const tenant = await createTenant(stack.prisma);
    const access = await tenant.access("ADMIN");
    const { id, token } = await createApiKey(stack.prisma, access, "soon revoked");
    expect((await handleListSessions(deps, request("/api/v1/sessions", token))).status).toBe(200);

    await revokeApiKey(stack.prisma, access, id);

    expect((await handleListSessions(deps, request("/api/v1/sessions", token))).status).toBe(401);
  });

  it("rejects a token whose secret differs", async () => {
    const { token } = await apiTenant();
    const forged = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");

    expect((await handleListSessions(deps, request("/api/v1/sessions", forged))).status).toBe(401);
  });

  it.each([
    ["invalid JSON", "{", 400, "INVALID_JSON"],
    ["an unknown role", { role: "robot", content: "x" }, 400, "VALIDATION_FAILED"],
    ["empty content", { role: "user", content: "" }, 400, "VALIDATION_FAILED"],
    ["an unknown field", { role: "user", content: "x", extra: 1 }, 400, "VALIDATION_FAILED"],
    ["oversized metadata", { role: "user", content: "x", metadata: { blob: "x".repeat(17_000) } }, 400, "VALIDATION_FAILED"],
    ["an oversized body", { role: "user", content: "x".repeat(300_000) }, 413, "BODY_TOO_LARGE"],
  ])("rejects %s and stores nothing", async (_name, body, status, code) => {
    const { tenant, token } = await apiTenant();
    const session = (await (await handleCreateSession(deps, request("/api/v1/sessions", token, {}))).json()).data;

    const response = await handleCreateMessage(deps, request(`/api/v1/sessions/${session.id}/messages`, token, body), session.id);

    expect(response.status).toBe(status);
    const error = (await response.json()).error;
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(10);
    expect(await stack.prisma.message.count({ where: { accountId: tenant.accountId } })).toBe(0);
  });

  it("answers 404 for ids that are not UUIDs", async () => {
    const { token } = await apiTenant();

    const response = await handleGetSession(deps, request("/api/v1/sessions/../../etc", token), "../../etc");

    expect(response.status).toBe(404);
    expect((await response.json()).error.code).toBe("NOT_FOUND");
  });

  it("answers 503 with a stable code when the tenant key refuses", async () => {
    const { tenant, token } = await apiTenant();
    await stack.prisma.encryptionConfig.create({
      data: {
        accountId: tenant.accountId,
        keyArn: "arn:aws:kms:us-west-2:111122223333:key/0b7c5a36-2f05-4d3c-9a57-8f6cdb3a1e11",
        keyRegion: "us-west-2",
        keyAwsAccountId: "111122223333",
        keyId: "0b7c5a36-2f05-4d3c-9a57-8f6cdb3a1e11",
        multiRegion: false,
        state: "ACTIVE",
        stateChangedAt: new Date(),
        lastValidatedAt: new Date(),
        enabledAt: new Date(),
      },
    });

    const response = await handleCreateFact(deps, request("/api/v1/facts", token, { content: "x" }));

    expect(response.status).toBe(503);
    const error = (await response.json()).error;
    expect(error.code).toBe("KEY_UNAVAILABLE");
    expect(error.message).toContain("0b7c5a36-2f05-4d3c-9a57-8f6cdb3a1e11");
    expect(await stack.prisma.fact.count({ where: { accountId: tenant.accountId } })).toBe(0);
  });
});

function encodeBody(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  return typeof body === "string" ? body : JSON.stringify(body);
}
