import { randomUUID } from "node:crypto";

import type { MessageRole } from "@/lib/db/generated/client";
import type { TenantDataClient } from "@/lib/tenant-data/extension";

/**
 * Typed access to tenant records for the API. Every query is scoped to the caller's
 * account. Encrypted fields are typed as the plaintext values they hold; the extension
 * does the encryption, so the casts below only restate the extension's contract.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface SessionView {
  id: string;
  externalId: string | null;
  metadata: JsonValue | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface MessageView {
  id: string;
  sessionId: string;
  role: MessageRole;
  content: string;
  metadata: JsonValue | null;
  createdAt: Date;
}

export interface FactView {
  id: string;
  sessionId: string | null;
  content: string;
  metadata: JsonValue | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

const SESSION_FIELDS = { id: true, externalId: true, metadata: true, createdAt: true, updatedAt: true } as const;
const MESSAGE_FIELDS = { id: true, sessionId: true, role: true, content: true, metadata: true, createdAt: true } as const;
const FACT_FIELDS = { id: true, sessionId: true, content: true, metadata: true, createdAt: true, updatedAt: true } as const;

// A create returns the plaintext it was given instead of selecting the encrypted columns
// back, which the extension would decrypt again on the hot path of every write.
const SESSION_CREATED = { id: true, externalId: true, createdAt: true, updatedAt: true } as const;
const MESSAGE_CREATED = { id: true, sessionId: true, role: true, createdAt: true } as const;
const FACT_CREATED = { id: true, sessionId: true, createdAt: true, updatedAt: true } as const;

// Plaintext goes where Prisma's generated types expect bytes: the extension encrypts it.
const plaintext = (value: unknown) => value as never;
// The extension sets dataKeyId to the data key that encrypted the record's fields.
const SET_BY_EXTENSION = undefined as never;

export async function createSession(db: TenantDataClient, accountId: string, input: { externalId?: string; metadata?: JsonValue }): Promise<SessionView> {
  const created = await db.memorySession.create({
    data: { id: randomUUID(), accountId, dataKeyId: SET_BY_EXTENSION, externalId: input.externalId ?? null, metadata: plaintext(input.metadata ?? null) },
    select: SESSION_CREATED,
  });
  return { ...created, metadata: input.metadata ?? null };
}

export async function findSession(db: TenantDataClient, accountId: string, id: string): Promise<SessionView | null> {
  const found = await db.memorySession.findFirst({ where: { id, accountId }, select: SESSION_FIELDS });
  return found as unknown as SessionView | null;
}

export async function listSessions(db: TenantDataClient, accountId: string, page: PageRequest): Promise<Page<SessionView>> {
  const rows = await db.memorySession.findMany({
    where: { accountId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.limit + 1,
    ...(page.cursor ? { cursor: { id: page.cursor }, skip: 1 } : {}),
    select: SESSION_FIELDS,
  });
  return toPage(rows as unknown as SessionView[], page.limit);
}

export async function createMessage(
  db: TenantDataClient,
  accountId: string,
  sessionId: string,
  input: { role: MessageRole; content: string; metadata?: JsonValue },
): Promise<MessageView | null> {
  if (!(await sessionExists(db, accountId, sessionId))) return null;
  const created = await db.message.create({
    data: {
      id: randomUUID(),
      accountId,
      sessionId,
      dataKeyId: SET_BY_EXTENSION,
      role: input.role,
      content: plaintext(input.content),
      metadata: plaintext(input.metadata ?? null),
    },
    select: MESSAGE_CREATED,
  });
  return { ...created, content: input.content, metadata: input.metadata ?? null };
}

export async function listMessages(db: TenantDataClient, accountId: string, sessionId: string, page: PageRequest): Promise<Page<MessageView> | null> {
  if (!(await sessionExists(db, accountId, sessionId))) return null;
  const rows = await db.message.findMany({
    where: { accountId, sessionId },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: page.limit + 1,
    ...(page.cursor ? { cursor: { id: page.cursor }, skip: 1 } : {}),
    select: MESSAGE_FIELDS,
  });
  return toPage(rows as unknown as MessageView[], page.limit);
}

export async function createFact(
  db: TenantDataClient,
  accountId: string,
  input: { content: string; metadata?: JsonValue; sessionId?: string },
): Promise<FactView | null> {
  if (input.sessionId && !(await sessionExists(db, accountId, input.sessionId))) return null;
  const created = await db.fact.create({
    data: {
      id: randomUUID(),
      accountId,
      sessionId: input.sessionId ?? null,
      dataKeyId: SET_BY_EXTENSION,
      content: plaintext(input.content),
      metadata: plaintext(input.metadata ?? null),
    },
    select: FACT_CREATED,
  });
  return { ...created, content: input.content, metadata: input.metadata ?? null };
}

export async function findFact(db: TenantDataClient, accountId: string, id: string): Promise<FactView | null> {
  const found = await db.fact.findFirst({ where: { id, accountId }, select: FACT_FIELDS });
  return found as unknown as FactView | null;
}

export async function listFacts(db: TenantDataClient, accountId: string, page: PageRequest): Promise<Page<FactView>> {
  const rows = await db.fact.findMany({
    where: { accountId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.limit + 1,
    ...(page.cursor ? { cursor: { id: page.cursor }, skip: 1 } : {}),
    select: FACT_FIELDS,
  });
  return toPage(rows as unknown as FactView[], page.limit);
}

async function sessionExists(db: TenantDataClient, accountId: string, sessionId: string): Promise<boolean> {
  return (await db.memorySession.count({ where: { id: sessionId, accountId } })) > 0;
}

function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}
