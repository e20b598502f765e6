import "server-only";

import type { ActorType, AuditOutcome, Prisma, PrismaClient } from "@/lib/db/generated/client";
import { log } from "@/lib/log";

/** The actor of an audit event: a user of the account, platform support, or the platform itself. */
export interface AuditActor {
  type: ActorType;
  userId?: string;
  email?: string;
}

export interface AuditEntry {
  accountId: string | null;
  actor: AuditActor;
  /** Dotted verb such as `byok.key.save`. */
  action: string;
  outcome: AuditOutcome;
  errorCode?: string;
  keyArn?: string;
  before?: Prisma.InputJsonValue;
  after?: Prisma.InputJsonValue;
  details?: Prisma.InputJsonValue;
}

type AuditWriter = Pick<PrismaClient, "auditEvent"> | Prisma.TransactionClient;

/** Appends one audit event. Pass a transaction client to commit it with the change it records. */
export async function recordAuditEvent(writer: AuditWriter, entry: AuditEntry): Promise<void> {
  await writer.auditEvent.create({
    data: {
      accountId: entry.accountId,
      actorType: entry.actor.type,
      actorUserId: entry.actor.userId ?? null,
      actorEmail: entry.actor.email ?? null,
      action: entry.action,
      outcome: entry.outcome,
      errorCode: entry.errorCode ?? null,
      keyArn: entry.keyArn ?? null,
      before: entry.before,
      after: entry.after,
      details: entry.details ?? {},
    },
  });
  log.info("audit", {
    accountId: entry.accountId,
    action: entry.action,
    outcome: entry.outcome,
    actorUserId: entry.actor.userId,
    errorCode: entry.errorCode,
    keyArn: entry.keyArn,
  });
}
