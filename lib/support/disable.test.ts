import { randomUUID } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { AccessDeniedError } from "@/lib/errors";
import { createTenant, startTestStack, type TestStack } from "@/tests/support/stack";

import { approveByokDisable, closeByokDisable, requestByokDisable, type DisableSettings } from "./disable";
import { activateByok, createSupportActor } from "./test-helpers";

let stack: TestStack;
let withApproval: DisableSettings;

beforeAll(async () => {
  stack = await startTestStack();
  withApproval = { requiresApproval: true, platformKeyArn: stack.platformKeyArn };
});

afterAll(async () => {
  await stack.close();
});

const REASON = "Customer asked to leave BYOK in ticket 4711.";

async function activeTenant() {
  const tenant = await createTenant(stack.prisma);
  const keyArn = await activateByok(stack.prisma, tenant.accountId);
  return { ...tenant, keyArn };
}

async function actionsAudited(accountId: string) {
  const events = await stack.prisma.auditEvent.findMany({ where: { accountId }, orderBy: { id: "asc" } });
  return events.map((event) => `${event.action}:${event.outcome}`);
}

describe("requestByokDisable", () => {
  it("waits for approval and leaves BYOK active", async () => {
    const requester = await createSupportActor(stack.prisma);
    const tenant = await activeTenant();

    const outcome = await requestByokDisable(stack.prisma, requester, { accountId: tenant.accountId, reason: REASON }, withApproval);

    expect(outcome.executed).toBeNull();
    expect(outcome.request.status).toBe("PENDING");
    expect(outcome.request.requestedById).toBe(requester.id);
    expect((await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } })).state).toBe("ACTIVE");
    expect(await actionsAudited(tenant.accountId)).toEqual(["support.byok.disable.request:SUCCESS"]);
  });

  it("executes at once without approval", async () => {
    const requester = await createSupportActor(stack.prisma);
    const tenant = await activeTenant();

    const outcome = await requestByokDisable(stack.prisma, requester, { accountId: tenant.accountId, reason: REASON }, { ...withApproval, requiresApproval: false });

    expect(outcome.request.status).toBe("EXECUTED");
    expect(outcome.request.decidedById).toBe(requester.id);
    expect(outcome.executed?.rewrapJob?.targetKeyArn).toBe(stack.platformKeyArn);
    expect((await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } })).state).toBe("DISABLED");
  });

  it("also queues data keys under an earlier tenant key", async () => {
    const requester = await createSupportActor(stack.prisma);
    const tenant = await activeTenant();
    const earlierKeyArn = `arn:aws:kms:us-west-2:111122223333:key/${randomUUID()}`;
    // Data keys that the current key and an earlier key wrap, as a cancelled key change leaves them.
    for (const [serial, kmsKeyArn] of [[1, earlierKeyArn], [2, tenant.keyArn]] as const) {
      await stack.prisma.dataKey.create({
        data: { accountId: tenant.accountId, serial, source: "TENANT", kmsKeyArn, wrappedKey: Uint8Array.from([serial]), encryptionContext: {} },
      });
    }

    await requestByokDisable(stack.prisma, requester, { accountId: tenant.accountId, reason: REASON }, { ...withApproval, requiresApproval: false });

    const jobs = await stack.prisma.rewrapJob.findMany({ where: { accountId: tenant.accountId }, orderBy: { createdAt: "asc" } });
    expect(jobs.map((job) => [job.kind, job.sourceKeyArn, job.targetKeyArn])).toEqual([
      ["TO_PLATFORM", tenant.keyArn, stack.platformKeyArn],
      ["TO_PLATFORM", earlierKeyArn, stack.platformKeyArn],
    ]);
  });

  it("cancels jobs that move data keys to the tenant's keys", async () => {
    const requester = await createSupportActor(stack.prisma);
    const tenant = await activeTenant();
    const rotation = await stack.prisma.rewrapJob.create({
      data: { accountId: tenant.accountId, kind: "ROTATION", sourceKeyArn: tenant.keyArn, targetKeyArn: tenant.keyArn, status: "RUNNING", requestedBy: "owner@tenant.example" },
    });

    await requestByokDisable(stack.prisma, requester, { accountId: tenant.accountId, reason: REASON }, { ...withApproval, requiresApproval: false });

    const cancelled = await stack.prisma.rewrapJob.findUniqueOrThrow({ where: { id: rotation.id } });
    expect(cancelled).toMatchObject({ status: "CANCELLED", lastError: "Cancelled because platform support turned BYOK off." });
  });

  it("rejects a second pending request", async () => {
    const requester = await createSupportActor(stack.prisma);
    const tenant = await activeTenant();
    await requestByokDisable(stack.prisma, requester, { accountId: tenant.accountId, reason: REASON }, withApproval);

    const attempt = requestByokDisable(stack.prisma, requester, { accountId: tenant.accountId, reason: REASON }, withApproval);

    await expect(attempt).rejects.toMatchObject({ code: "DISABLE_ALREADY_REQUESTED" });
    expect(await stack.prisma.disableRequest.count({ where: { accountId: tenant.accountId } })).toBe(1);
  });

  it("rejects an account without a key", async () => {
    const requester = await createSupportActor(stack.prisma);
    const tenant = await createTenant(stack.prisma);

    const attempt = requestByokDisable(stack.prisma, requester, { accountId: tenant.accountId, reason: REASON }, withApproval);

    await expect(attempt).rejects.toMatchObject({ code: "BYOK_NOT_ENABLED" });
  });
});

describe("approveByokDisable", () => {
  it("rejects the requester and audits it", async () => {
    const requester = await createSupportActor(stack.prisma);
    const tenant = await activeTenant();
    const { request } = await requestByokDisable(stack.prisma, requester, { accountId: tenant.accountId, reason: REASON }, withApproval);

    const attempt = approveByokDisable(stack.prisma, requester, { requestId: request.id }, withApproval);

    await expect(attempt).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(attempt).rejects.toMatchObject({ userMessage: expect.stringContaining("another support user must approve it") });
    expect((await stack.prisma.disableRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe("PENDING");
    expect((await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } })).state).toBe("ACTIVE");
    const refusal = await stack.prisma.auditEvent.findFirst({ where: { accountId: tenant.accountId, action: "support.byok.disable.approve" } });
    expect(refusal?.outcome).toBe("DENIED");
    expect(refusal?.errorCode).toBe("SELF_APPROVAL");
  });

  it("executes when another support user approves", async () => {
    const requester = await createSupportActor(stack.prisma);
    const approver = await createSupportActor(stack.prisma);
    const tenant = await activeTenant();
    const { request } = await requestByokDisable(stack.prisma, requester, { accountId: tenant.accountId, reason: REASON }, withApproval);

    const outcome = await approveByokDisable(stack.prisma, approver, { requestId: request.id }, withApproval);

    expect(outcome.request.status).toBe("EXECUTED");
    expect(outcome.request.decidedById).toBe(approver.id);
    const config = await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } });
    expect(config.state).toBe("DISABLED");
    expect(config.disabledById).toBe(requester.id);
    expect(config.disabledReason).toBe(REASON);
    expect(config.disabledAt).not.toBeNull();
    expect(config.stateChangedAt).toEqual(config.disabledAt);
    expect(config.nextHealthCheckAt).toBeNull();
    expect(config.version).toBe(2);

    const jobs = await stack.prisma.rewrapJob.findMany({ where: { accountId: tenant.accountId } });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.sourceKeyArn).toBe(tenant.keyArn);
    expect(jobs[0]?.targetKeyArn).toBe(stack.platformKeyArn);
    expect(jobs[0]?.status).toBe("PENDING");
    expect(jobs[0]?.requestedBy).toBe(approver.email);

    expect(await actionsAudited(tenant.accountId)).toEqual([
      "support.byok.disable.request:SUCCESS",
      "support.byok.disable.approve:SUCCESS",
      "support.byok.disable.execute:SUCCESS",
      "support.rewrap.queue:SUCCESS",
    ]);
    const executed = await stack.prisma.auditEvent.findFirstOrThrow({ where: { accountId: tenant.accountId, action: "support.byok.disable.execute" } });
    expect(executed.actorType).toBe("SUPPORT");
    expect(executed.keyArn).toBe(tenant.keyArn);
    expect(executed.before).toMatchObject({ state: "ACTIVE", disabledReason: null });
    expect(executed.after).toMatchObject({ state: "DISABLED", disabledById: requester.id, disabledReason: REASON });
  });

  it("rejects approving an executed request", async () => {
    const requester = await createSupportActor(stack.prisma);
    const approver = await createSupportActor(stack.prisma);
    const tenant = await activeTenant();
    const { request } = await requestByokDisable(stack.prisma, requester, { accountId: tenant.accountId, reason: REASON }, withApproval);
    await approveByokDisable(stack.prisma, approver, { requestId: request.id }, withApproval);

    const again = approveByokDisable(stack.prisma, approver, { requestId: request.id }, withApproval);

    await expect(again).rejects.toMatchObject({ code: "REQUEST_NOT_PENDING" });
    expect(await stack.prisma.rewrapJob.count({ where: { accountId: tenant.accountId } })).toBe(1);
    expect(await stack.prisma.auditEvent.count({ where: { accountId: tenant.accountId, action: "support.byok.disable.execute" } })).toBe(1);
  });

  it("executes only once under concurrent approvals", async () => {
    const requester = await createSupportActor(stack.prisma);
    const approvers = [await createSupportActor(stack.prisma), await createSupportActor(stack.prisma)];
    const tenant = await activeTenant();
    const { request } = await requestByokDisable(stack.prisma, requester, { accountId: tenant.accountId, reason: REASON }, withApproval);

    const results = await Promise.allSettled(approvers.map((approver) => approveByokDisable(stack.prisma, approver, { requestId: request.id }, withApproval)));

    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect(await stack.prisma.auditEvent.count({ where: { accountId: tenant.accountId, action: "support.byok.disable.execute" } })).toBe(1);
  });
});

describe("closeByokDisable", () => {
  it("lets another support user reject", async () => {
    const requester = await createSupportActor(stack.prisma);
    const reviewer = await createSupportActor(stack.prisma);
    const tenant = await activeTenant();
    const { request } = await requestByokDisable(stack.prisma, requester, { accountId: tenant.accountId, reason: REASON }, withApproval);

    const closed = await closeByokDisable(stack.prisma, reviewer, { requestId: request.id, decision: "REJECTED" });

    expect(closed.status).toBe("REJECTED");
    expect(closed.decidedById).toBe(reviewer.id);
    expect((await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId: tenant.accountId } })).state).toBe("ACTIVE");
    await expect(approveByokDisable(stack.prisma, reviewer, { requestId: request.id }, withApproval)).rejects.toMatchObject({ code: "REQUEST_NOT_PENDING" });
  });

  it("lets only the requester cancel", async () => {
    const requester = await createSupportActor(stack.prisma);
    const other = await createSupportActor(stack.prisma);
    const tenant = await activeTenant();
    const { request } = await requestByokDisable(stack.prisma, requester, { accountId: tenant.accountId, reason: REASON }, withApproval);

    await expect(closeByokDisable(stack.prisma, other, { requestId: request.id, decision: "CANCELLED" })).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(closeByokDisable(stack.prisma, requester, { requestId: request.id, decision: "REJECTED" })).rejects.toBeInstanceOf(AccessDeniedError);
    const cancelled = await closeByokDisable(stack.prisma, requester, { requestId: request.id, decision: "CANCELLED" });

    expect(cancelled.status).toBe("CANCELLED");
    expect(await actionsAudited(tenant.accountId)).toEqual([
      "support.byok.disable.request:SUCCESS",
      "support.byok.disable.cancel:DENIED",
      "support.byok.disable.reject:DENIED",
      "support.byok.disable.cancel:SUCCESS",
    ]);
  });
});
