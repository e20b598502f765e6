import "server-only";

import { recordAuditEvent, type AuditActor } from "@/lib/audit/record";
import type { DisableRequest, PrismaClient, RewrapJob } from "@/lib/db/generated/client";
import { AccessDeniedError, AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { queueRewrapJob } from "@/lib/rewrap/start";

import type { SupportActor } from "./authorize";

/**
 * Support disables BYOK for an account in two steps when a second approver is required:
 * one SUPPORT user requests it with a reason, and another approves it. Executing sets the
 * account's EncryptionConfig to DISABLED, which sends new records to the platform key
 * because the data key service re-reads the key state within 5 s. It then queues a re-wrap
 * job that moves the stored data keys from the tenant key to the platform key.
 */

export interface DisableSettings {
  /** When true, a second SUPPORT user must approve a request before it executes. */
  requiresApproval: boolean;
  /** ARN of the platform's own KMS key, the target of the re-wrap job. */
  platformKeyArn: string;
}

export interface DisableOutcome {
  request: DisableRequest;
  /** Set once BYOK is disabled; null while the request waits for approval. */
  executed: { rewrapJob: RewrapJob | null } | null;
}

function auditActor(actor: SupportActor): AuditActor {
  return { type: "SUPPORT", userId: actor.id, email: actor.email };
}

export async function requestByokDisable(
  prisma: PrismaClient,
  actor: SupportActor,
  input: { accountId: string; reason: string },
  settings: DisableSettings,
): Promise<DisableOutcome> {
  const request = await prisma.$transaction(async (tx) => {
    // The lock orders this check against a concurrent request for the same account.
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM accounts WHERE id = ${input.accountId}::uuid FOR UPDATE`;
    if (locked.length === 0) throw new AppError("ACCOUNT_NOT_FOUND", `No account has the id ${input.accountId}.`);

    const config = await tx.encryptionConfig.findUnique({ where: { accountId: input.accountId }, select: { state: true } });
    if (!config || config.state === "DISABLED") {
      throw new AppError("BYOK_NOT_ENABLED", "BYOK is not enabled for this account, so there is nothing to disable.");
    }
    const pending = await tx.disableRequest.findFirst({ where: { accountId: input.accountId, status: "PENDING" } });
    if (pending) {
      throw new AppError("DISABLE_ALREADY_REQUESTED", "A request to disable BYOK for this account is already waiting for approval. Approve, reject or cancel it first.");
    }

    const created = await tx.disableRequest.create({
      data: { accountId: input.accountId, requestedById: actor.id, reason: input.reason, status: "PENDING" },
    });
    await recordAuditEvent(tx, {
      accountId: input.accountId,
      actor: auditActor(actor),
      action: "support.byok.disable.request",
      outcome: "SUCCESS",
      details: { requestId: created.id, reason: input.reason, requiresApproval: settings.requiresApproval },
    });
    return created;
  });

  if (settings.requiresApproval) return { request, executed: null };
  return executeDisableRequest(prisma, actor, request, settings, { approved: false });
}

/** Approves another user's pending request and executes it. The requester cannot approve their own request. */
export async function approveByokDisable(prisma: PrismaClient, actor: SupportActor, input: { requestId: string }, settings: DisableSettings): Promise<DisableOutcome> {
  const action = "support.byok.disable.approve";
  const request = await findRequestOrThrow(prisma, input.requestId);

  if (request.requestedById === actor.id) {
    await recordAuditEvent(prisma, { accountId: request.accountId, actor: auditActor(actor), action, outcome: "DENIED", errorCode: "SELF_APPROVAL", details: { requestId: request.id } });
    throw new AccessDeniedError("You requested this change, so another support user must approve it.", `${action} denied: ${actor.id} requested ${request.id}`);
  }
  await requirePending(prisma, actor, action, request);

  return executeDisableRequest(prisma, actor, request, settings, { approved: true });
}

/**
 * Closes a pending request without executing it. The requester cancels their own request;
 * any other support user rejects it.
 */
export async function closeByokDisable(
  prisma: PrismaClient,
  actor: SupportActor,
  input: { requestId: string; decision: "REJECTED" | "CANCELLED" },
): Promise<DisableRequest> {
  const action = input.decision === "REJECTED" ? "support.byok.disable.reject" : "support.byok.disable.cancel";
  const request = await findRequestOrThrow(prisma, input.requestId);

  const isRequester = request.requestedById === actor.id;
  if (isRequester !== (input.decision === "CANCELLED")) {
    const errorCode = isRequester ? "SELF_REJECTION" : "NOT_REQUESTER";
    await recordAuditEvent(prisma, { accountId: request.accountId, actor: auditActor(actor), action, outcome: "DENIED", errorCode, details: { requestId: request.id } });
    throw new AccessDeniedError(
      isRequester ? "You requested this change; cancel it instead of rejecting it." : "Only the support user who requested this change can cancel it; reject it instead.",
      `${action} denied for ${actor.id} on ${request.id}: ${errorCode}`,
    );
  }
  await requirePending(prisma, actor, action, request);

  const closed = await prisma.$transaction(async (tx) => {
    const updated = await tx.disableRequest.updateMany({
      where: { id: request.id, status: "PENDING" },
      data: { status: input.decision, decidedById: actor.id, decidedAt: new Date() },
    });
    if (updated.count === 0) throw notPendingError();
    await recordAuditEvent(tx, { accountId: request.accountId, actor: auditActor(actor), action, outcome: "SUCCESS", details: { requestId: request.id } });
    return tx.disableRequest.findUniqueOrThrow({ where: { id: request.id } });
  });
  return closed;
}

/**
 * Executes a pending request: one transaction marks it EXECUTED, sets the key state to
 * DISABLED and records the change. The status update is conditional on PENDING, so of two
 * concurrent approvals only one executes. The re-wrap job is queued afterwards, because
 * BYOK stays disabled even when queueing fails; a failure is audited and logged.
 */
async function executeDisableRequest(
  prisma: PrismaClient,
  actor: SupportActor,
  request: DisableRequest,
  settings: DisableSettings,
  options: { approved: boolean },
): Promise<DisableOutcome> {
  const action = "support.byok.disable.execute";
  const now = new Date();

  const { executed, keyArn } = await prisma.$transaction(async (tx) => {
    const marked = await tx.disableRequest.updateMany({
      where: { id: request.id, status: "PENDING" },
      data: { status: "EXECUTED", decidedById: actor.id, decidedAt: now },
    });
    if (marked.count === 0) throw notPendingError();
    if (options.approved) {
      await recordAuditEvent(tx, { accountId: request.accountId, actor: auditActor(actor), action: "support.byok.disable.approve", outcome: "SUCCESS", details: { requestId: request.id } });
    }

    const before = await tx.encryptionConfig.findUnique({ where: { accountId: request.accountId } });
    if (!before || before.state === "DISABLED") {
      throw new AppError("BYOK_NOT_ENABLED", "BYOK is no longer enabled for this account. Cancel or reject this request.");
    }
    const after = await tx.encryptionConfig.update({
      where: { accountId: request.accountId },
      data: {
        state: "DISABLED",
        stateChangedAt: now,
        disabledById: request.requestedById,
        disabledAt: now,
        disabledReason: request.reason,
        nextHealthCheckAt: null,
        version: { increment: 1 },
      },
    });
    await recordAuditEvent(tx, {
      accountId: request.accountId,
      actor: auditActor(actor),
      action,
      outcome: "SUCCESS",
      keyArn: before.keyArn,
      before: { state: before.state, disabledById: before.disabledById, disabledReason: before.disabledReason, nextHealthCheckAt: before.nextHealthCheckAt?.toISOString() ?? null },
      after: { state: after.state, disabledById: after.disabledById, disabledReason: after.disabledReason, nextHealthCheckAt: null },
      details: { requestId: request.id, requestedById: request.requestedById },
    });
    // Jobs that move data keys to or within the tenant's keys end here, so none of them
    // resumes if BYOK is turned on again later.
    await tx.rewrapJob.updateMany({
      where: { accountId: request.accountId, kind: { not: "TO_PLATFORM" }, status: { in: ["PENDING", "RUNNING"] } },
      data: { status: "CANCELLED", finishedAt: now, lastError: "Cancelled because platform support turned BYOK off." },
    });
    const executedRequest = await tx.disableRequest.findUniqueOrThrow({ where: { id: request.id } });
    return { executed: executedRequest, keyArn: before.keyArn };
  });

  const rewrapJob = await queueRewrap(prisma, actor, request.accountId, keyArn, settings.platformKeyArn);
  // Data keys can also sit under an earlier tenant key: one left by a key change that was
  // cancelled, or by a switch away from an unavailable key. Each gets its own job.
  const earlierKeys = await prisma.dataKey.findMany({
    where: { accountId: request.accountId, source: "TENANT", kmsKeyArn: { not: keyArn } },
    distinct: ["kmsKeyArn"],
    select: { kmsKeyArn: true },
  });
  for (const { kmsKeyArn } of earlierKeys) await queueRewrap(prisma, actor, request.accountId, kmsKeyArn, settings.platformKeyArn);
  return { request: executed, executed: { rewrapJob } };
}

async function queueRewrap(prisma: PrismaClient, actor: SupportActor, accountId: string, sourceKeyArn: string, targetKeyArn: string): Promise<RewrapJob | null> {
  const action = "support.rewrap.queue";
  try {
    const job = await queueRewrapJob(prisma, { accountId, kind: "TO_PLATFORM", sourceKeyArn, targetKeyArn, requestedBy: actor.email });
    await recordAuditEvent(prisma, { accountId, actor: auditActor(actor), action, outcome: "SUCCESS", keyArn: sourceKeyArn, details: { jobId: job.id, targetKeyArn } });
    return job;
  } catch (error) {
    log.error("support.rewrap.queue_failed", { accountId, keyArn: sourceKeyArn, error });
    await recordAuditEvent(prisma, { accountId, actor: auditActor(actor), action, outcome: "FAILURE", errorCode: "QUEUE_FAILED", keyArn: sourceKeyArn, details: { targetKeyArn } });
    return null;
  }
}

async function findRequestOrThrow(prisma: PrismaClient, requestId: string): Promise<DisableRequest> {
  const request = await prisma.disableRequest.findUnique({ where: { id: requestId } });
  if (!request) throw new AppError("REQUEST_NOT_FOUND", `No disable request has the id ${requestId}. Reload the page.`);
  return request;
}

async function requirePending(prisma: PrismaClient, actor: SupportActor, action: string, request: DisableRequest): Promise<void> {
  if (request.status === "PENDING") return;
  await recordAuditEvent(prisma, {
    accountId: request.accountId,
    actor: auditActor(actor),
    action,
    outcome: "FAILURE",
    errorCode: "REQUEST_NOT_PENDING",
    details: { requestId: request.id, status: request.status },
  });
  throw new AppError("REQUEST_NOT_PENDING", `This request is already ${request.status.toLowerCase()}, so it cannot be decided again. Reload the page.`);
}

function notPendingError(): AppError {
  return new AppError("REQUEST_NOT_PENDING", "Another support user decided this request a moment ago. Reload the page.");
}
