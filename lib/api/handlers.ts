import { z } from "zod";

import { authenticateApiKey, type ApiCaller } from "@/lib/api/api-keys";
import { apiError, errorResponse, json } from "@/lib/api/respond";
import type { MessageRole, PrismaClient } from "@/lib/db/generated/client";
import type { TenantDataClient } from "@/lib/tenant-data/extension";
import {
  createFact,
  createMessage,
  createSession,
  findFact,
  findSession,
  listFacts,
  listMessages,
  listSessions,
  type FactView,
  type JsonValue,
  type MessageView,
  type SessionView,
} from "@/lib/tenant-data/repository";

/**
 * The tenant data API (`/api/v1`), as web-standard Request to Response functions so that
 * tests and benchmarks call them without a server. Every call is authenticated by an API
 * key, and the key's account scopes every query.
 */

export interface ApiDeps {
  prisma: PrismaClient;
  tenantDb: TenantDataClient;
}

const MAX_BODY_BYTES = 256 * 1024;
const MAX_METADATA_BYTES = 16 * 1024;
const uuid = z.uuid();

const metadataSchema = z
  .json()
  .refine((value) => Buffer.byteLength(JSON.stringify(value)) <= MAX_METADATA_BYTES, `must be at most ${MAX_METADATA_BYTES} bytes as JSON`)
  .optional();

const sessionInput = z.strictObject({
  externalId: z.string().min(1).max(200).optional(),
  metadata: metadataSchema,
});

const messageInput = z.strictObject({
  role: z.enum(["user", "assistant", "system", "tool"]),
  content: z.string().min(1).max(100_000),
  metadata: metadataSchema,
});

const factInput = z.strictObject({
  content: z.string().min(1).max(100_000),
  sessionId: uuid.optional(),
  metadata: metadataSchema,
});

const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: uuid.optional(),
});

export async function handleListSessions(deps: ApiDeps, request: Request): Promise<Response> {
  return withCaller(deps, request, "sessions.list", async (caller) => {
    const page = await listSessions(deps.tenantDb, caller.accountId, parsePage(request));
    return json({ data: page.items.map(sessionJson), nextCursor: page.nextCursor });
  });
}

export async function handleCreateSession(deps: ApiDeps, request: Request): Promise<Response> {
  return withCaller(deps, request, "sessions.create", async (caller) => {
    const input = sessionInput.parse(await readJson(request));
    const session = await createSession(deps.tenantDb, caller.accountId, { externalId: input.externalId, metadata: input.metadata as JsonValue | undefined });
    return json({ data: sessionJson(session) }, 201);
  });
}

export async function handleGetSession(deps: ApiDeps, request: Request, sessionId: string): Promise<Response> {
  return withCaller(deps, request, "sessions.get", async (caller) => {
    const session = uuid.safeParse(sessionId).success ? await findSession(deps.tenantDb, caller.accountId, sessionId) : null;
    return session ? json({ data: sessionJson(session) }) : notFound("session", sessionId);
  });
}

export async function handleListMessages(deps: ApiDeps, request: Request, sessionId: string): Promise<Response> {
  return withCaller(deps, request, "messages.list", async (caller) => {
    const page = uuid.safeParse(sessionId).success ? await listMessages(deps.tenantDb, caller.accountId, sessionId, parsePage(request)) : null;
    return page ? json({ data: page.items.map(messageJson), nextCursor: page.nextCursor }) : notFound("session", sessionId);
  });
}

export async function handleCreateMessage(deps: ApiDeps, request: Request, sessionId: string): Promise<Response> {
  return withCaller(deps, request, "messages.create", async (caller) => {
    if (!uuid.safeParse(sessionId).success) return notFound("session", sessionId);
    const input = messageInput.parse(await readJson(request));
    const message = await createMessage(deps.tenantDb, caller.accountId, sessionId, {
      role: input.role.toUpperCase() as MessageRole,
      content: input.content,
      metadata: input.metadata as JsonValue | undefined,
    });
    return message ? json({ data: messageJson(message) }, 201) : notFound("session", sessionId);
  });
}

export async function handleListFacts(deps: ApiDeps, request: Request): Promise<Response> {
  return withCaller(deps, request, "facts.list", async (caller) => {
    const page = await listFacts(deps.tenantDb, caller.accountId, parsePage(request));
    return json({ data: page.items.map(factJson), nextCursor: page.nextCursor });
  });
}

export async function handleCreateFact(deps: ApiDeps, request: Request): Promise<Response> {
  return withCaller(deps, request, "facts.create", async (caller) => {
    const input = factInput.parse(await readJson(request));
    const fact = await createFact(deps.tenantDb, caller.accountId, { content: input.content, sessionId: input.sessionId, metadata: input.metadata as JsonValue | undefined });
    return fact ? json({ data: factJson(fact) }, 201) : notFound("session", input.sessionId ?? "");
  });
}

export async function handleGetFact(deps: ApiDeps, request: Request, factId: string): Promise<Response> {
  return withCaller(deps, request, "facts.get", async (caller) => {
    const fact = uuid.safeParse(factId).success ? await findFact(deps.tenantDb, caller.accountId, factId) : null;
    return fact ? json({ data: factJson(fact) }) : notFound("fact", factId);
  });
}

async function withCaller(deps: ApiDeps, request: Request, route: string, work: (caller: ApiCaller) => Promise<Response>): Promise<Response> {
  let caller: ApiCaller | null = null;
  try {
    caller = await authenticateApiKey(deps.prisma, request.headers.get("authorization"));
    if (!caller) {
      return apiError(401, "UNAUTHENTICATED", "Missing, unknown or revoked API key. Send `Authorization: Bearer <API key>` with a key from Account > API keys.", {
        "www-authenticate": "Bearer",
      });
    }
    if (caller.suspendedAt) {
      return apiError(
        403,
        "ACCOUNT_SUSPENDED",
        `This account's API access is suspended since ${caller.suspendedAt.toISOString()} because its encryption key has been unavailable for too long. It resumes by itself once the key works again; an owner or admin can check the key on the Encryption page.`,
      );
    }
    return await work(caller);
  } catch (error) {
    if (error instanceof RequestBodyError) return apiError(error.status, error.code, error.message);
    return errorResponse(error, { accountId: caller?.accountId, route });
  }
}

class RequestBodyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw new RequestBodyError(413, "BODY_TOO_LARGE", `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new RequestBodyError(400, "INVALID_JSON", "The request body is not valid JSON.");
  }
}

function parsePage(request: Request) {
  const params = new URL(request.url).searchParams;
  return pageQuery.parse({ limit: params.get("limit") ?? undefined, cursor: params.get("cursor") ?? undefined });
}

function notFound(kind: string, id: string): Response {
  return apiError(404, "NOT_FOUND", `No ${kind} with id ${JSON.stringify(id)} exists in this account.`);
}

function sessionJson(session: SessionView) {
  return { id: session.id, externalId: session.externalId, metadata: session.metadata, createdAt: session.createdAt, updatedAt: session.updatedAt };
}

function messageJson(message: MessageView) {
  return { id: message.id, sessionId: message.sessionId, role: message.role.toLowerCase(), content: message.content, metadata: message.metadata, createdAt: message.createdAt };
}

function factJson(fact: FactView) {
  return { id: fact.id, sessionId: fact.sessionId, content: fact.content, metadata: fact.metadata, createdAt: fact.createdAt, updatedAt: fact.updatedAt };
}
