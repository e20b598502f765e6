import "server-only";

import type { KeyState, Prisma, PrismaClient } from "@/lib/db/generated/client";
import { loadEncryptionStatus, type EncryptionStatus } from "@/lib/byok/status";
import type { RewrapJobView } from "@/lib/rewrap/summary";

import type { SupportActor } from "./authorize";

export const ACCOUNTS_PAGE_SIZE = 25;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AccountRow {
  id: string;
  name: string;
  byokAddOn: boolean;
  state: KeyState | null;
  keyArn: string | null;
  lastValidatedAt: Date | null;
  suspendedAt: Date | null;
}

export interface AccountSearchPage {
  query: string;
  rows: AccountRow[];
  total: number;
  /** 1-based page number, clamped to at least 1. */
  page: number;
  pageCount: number;
}

/**
 * Searches accounts for the support console. A query matches an account whose name
 * contains it (case-insensitive), whose UUID equals it, or whose key ARN contains it, so
 * a whole ARN matches exactly and a key id or AWS account id matches in part.
 */
export async function searchAccounts(prisma: PrismaClient, _actor: SupportActor, input: { query?: string; page?: number }): Promise<AccountSearchPage> {
  const query = (input.query ?? "").trim();
  const page = Math.max(1, Math.floor(input.page ?? 1));

  const where: Prisma.AccountWhereInput = query === "" ? {} : { OR: matchesQuery(query) };
  const [total, accounts] = await Promise.all([
    prisma.account.count({ where }),
    prisma.account.findMany({
      where,
      orderBy: [{ name: "asc" }, { id: "asc" }],
      skip: (page - 1) * ACCOUNTS_PAGE_SIZE,
      take: ACCOUNTS_PAGE_SIZE,
      include: { encryptionConfig: { select: { state: true, keyArn: true, lastValidatedAt: true, suspendedAt: true } } },
    }),
  ]);

  return {
    query,
    total,
    page,
    pageCount: Math.max(1, Math.ceil(total / ACCOUNTS_PAGE_SIZE)),
    rows: accounts.map((account) => ({
      id: account.id,
      name: account.name,
      byokAddOn: account.byokAddOn,
      state: account.encryptionConfig?.state ?? null,
      keyArn: account.encryptionConfig?.keyArn ?? null,
      lastValidatedAt: account.encryptionConfig?.lastValidatedAt ?? null,
      suspendedAt: account.encryptionConfig?.suspendedAt ?? null,
    })),
  };
}

function matchesQuery(query: string): Prisma.AccountWhereInput[] {
  const conditions: Prisma.AccountWhereInput[] = [
    { name: { contains: query, mode: "insensitive" } },
    { encryptionConfig: { keyArn: { contains: query } } },
  ];
  if (UUID.test(query)) conditions.push({ id: query.toLowerCase() });
  return conditions;
}

export interface SupportAccountDetail {
  account: { id: string; name: string; byokAddOn: boolean; createdAt: Date };
  status: EncryptionStatus | null;
  auditEvents: {
    id: string;
    createdAt: Date;
    actorType: string;
    actorEmail: string | null;
    action: string;
    outcome: string;
    errorCode: string | null;
  }[];
  disableRequests: {
    id: string;
    status: string;
    reason: string;
    requestedById: string;
    requestedBy: string;
    decidedBy: string | null;
    decidedAt: Date | null;
    createdAt: Date;
  }[];
  rewrapJobs: RewrapJobView[];
}

export const AUDIT_EVENTS_SHOWN = 50;

/** Loads what the support console shows about one account, or null when it does not exist. */
export async function loadSupportAccount(
  prisma: PrismaClient,
  _actor: SupportActor,
  accountId: string,
  cacheTtlMs: number,
): Promise<SupportAccountDetail | null> {
  if (!UUID.test(accountId)) return null;
  const account = await prisma.account.findUnique({ where: { id: accountId }, select: { id: true, name: true, byokAddOn: true, createdAt: true } });
  if (!account) return null;

  const [status, auditEvents, disableRequests, rewrapJobs] = await Promise.all([
    loadEncryptionStatus(prisma, accountId, cacheTtlMs),
    prisma.auditEvent.findMany({ where: { accountId }, orderBy: { id: "desc" }, take: AUDIT_EVENTS_SHOWN }),
    prisma.disableRequest.findMany({ where: { accountId }, orderBy: { createdAt: "desc" }, take: 20 }),
    prisma.rewrapJob.findMany({ where: { accountId }, orderBy: { createdAt: "desc" }, take: 10 }),
  ]);

  // DisableRequest stores user ids without relations, so the emails are looked up in one query.
  const userIds = [...new Set(disableRequests.flatMap((request) => [request.requestedById, request.decidedById].filter((id) => id !== null)))];
  const users = await prisma.user.findMany({ where: { id: { in: userIds } }, select: { id: true, email: true } });
  const emailOf = (id: string) => users.find((user) => user.id === id)?.email ?? "a deleted user";

  return {
    account,
    status,
    auditEvents: auditEvents.map((event) => ({
      id: event.id.toString(),
      createdAt: event.createdAt,
      actorType: event.actorType,
      actorEmail: event.actorEmail,
      action: event.action,
      outcome: event.outcome,
      errorCode: event.errorCode,
    })),
    disableRequests: disableRequests.map((request) => ({
      id: request.id,
      status: request.status,
      reason: request.reason,
      requestedById: request.requestedById,
      requestedBy: emailOf(request.requestedById),
      decidedBy: request.decidedById ? emailOf(request.decidedById) : null,
      decidedAt: request.decidedAt,
      createdAt: request.createdAt,
    })),
    rewrapJobs: rewrapJobs.map((job) => ({
      id: job.id,
      kind: job.kind,
      status: job.status,
      sourceKeyArn: job.sourceKeyArn,
      targetKeyArn: job.targetKeyArn,
      total: job.total,
      moved: job.moved,
      failed: job.failed,
      lastError: job.lastError,
      requestedBy: job.requestedBy,
      createdAt: job.createdAt,
      finishedAt: job.finishedAt,
    })),
  };
}
