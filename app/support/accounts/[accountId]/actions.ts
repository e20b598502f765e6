"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";

import { sessionUserId } from "@/lib/auth/session";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { setByokAddOn } from "@/lib/support/add-on";
import { authorizeSupport, type SupportActor } from "@/lib/support/authorize";
import { approveByokDisable, closeByokDisable, requestByokDisable, type DisableOutcome } from "@/lib/support/disable";
import { disableByokSchema, type DisableByokInput, type SupportFormResult } from "@/lib/support/schema";
import { tenantData } from "@/lib/tenant-data/runtime";

const addOnFormSchema = z.object({ accountId: z.uuid(), enabled: z.enum(["true", "false"]).transform((value) => value === "true") });
const accountFormSchema = z.object({ accountId: z.uuid() });
const decisionFormSchema = z.object({ accountId: z.uuid(), requestId: z.uuid() });

export async function setByokAddOnAction(_state: SupportFormResult, formData: FormData): Promise<SupportFormResult> {
  const parsed = addOnFormSchema.safeParse(fields(formData, ["accountId", "enabled"]));
  if (!parsed.success) return MALFORMED_REQUEST;
  const { accountId, enabled } = parsed.data;

  const action = enabled ? "support.addon.grant" : "support.addon.withdraw";
  const actor = await authorize(action, accountId);
  if ("status" in actor) return actor;

  const result = await runSafely(action, accountId, async () => {
    const { changed } = await setByokAddOn(db(), actor, { accountId, enabled });
    const verb = enabled ? "granted" : "withdrawn";
    return changed ? `The BYOK add-on is ${verb}.` : `The BYOK add-on was already ${verb}; nothing changed.`;
  });

  revalidateAccount(accountId);
  return result;
}

export async function requestByokDisableAction(_state: SupportFormResult, formData: FormData): Promise<SupportFormResult> {
  const target = accountFormSchema.safeParse(fields(formData, ["accountId"]));
  if (!target.success) return MALFORMED_REQUEST;
  const { accountId } = target.data;

  const actor = await authorize("support.byok.disable.request", accountId);
  if ("status" in actor) return actor;

  // The confirmation compares with the account's current name, which only an authorized caller may learn.
  const account = await db().account.findUnique({ where: { id: accountId }, select: { name: true } });
  if (!account) return { status: "error", formError: { code: "ACCOUNT_NOT_FOUND", message: "This account no longer exists. Go back to the account list." } };
  const parsed = disableByokSchema(account.name).safeParse(fields(formData, ["reason", "confirmName"]));
  if (!parsed.success) return { status: "error", fieldErrors: fieldErrorsOf(parsed.error.issues) };

  const result = await runSafely("support.byok.disable.request", accountId, async () => {
    const outcome = await requestByokDisable(db(), actor, { accountId, reason: parsed.data.reason }, disableSettings());
    return outcome.executed ? executedMessage(outcome, accountId) : "The request is recorded. Another support user must approve it before BYOK is disabled.";
  });

  revalidateAccount(accountId);
  return result;
}

export async function approveByokDisableAction(_state: SupportFormResult, formData: FormData): Promise<SupportFormResult> {
  const parsed = decisionFormSchema.safeParse(fields(formData, ["accountId", "requestId"]));
  if (!parsed.success) return MALFORMED_REQUEST;
  const { accountId, requestId } = parsed.data;

  const actor = await authorize("support.byok.disable.approve", accountId);
  if ("status" in actor) return actor;

  const result = await runSafely("support.byok.disable.approve", accountId, async () => {
    const outcome = await approveByokDisable(db(), actor, { requestId }, disableSettings());
    return executedMessage(outcome, accountId);
  });

  revalidateAccount(accountId);
  return result;
}

export async function rejectByokDisableAction(_state: SupportFormResult, formData: FormData): Promise<SupportFormResult> {
  return closeRequest("REJECTED", formData);
}

export async function cancelByokDisableAction(_state: SupportFormResult, formData: FormData): Promise<SupportFormResult> {
  return closeRequest("CANCELLED", formData);
}

async function closeRequest(decision: "REJECTED" | "CANCELLED", formData: FormData): Promise<SupportFormResult> {
  const parsed = decisionFormSchema.safeParse(fields(formData, ["accountId", "requestId"]));
  if (!parsed.success) return MALFORMED_REQUEST;
  const { accountId, requestId } = parsed.data;

  const action = decision === "REJECTED" ? "support.byok.disable.reject" : "support.byok.disable.cancel";
  const actor = await authorize(action, accountId);
  if ("status" in actor) return actor;

  const result = await runSafely(action, accountId, async () => {
    await closeByokDisable(db(), actor, { requestId, decision });
    return decision === "REJECTED" ? "The request is rejected; BYOK stays enabled." : "The request is cancelled; BYOK stays enabled.";
  });

  revalidateAccount(accountId);
  return result;
}

// Server actions are public endpoints, so a caller can post any arguments, not only a form.
const MALFORMED_REQUEST: SupportFormResult = {
  status: "error",
  formError: { code: "MALFORMED_REQUEST", message: "The request did not come from the form on this page. Reload the page and try again." },
};

function fields(formData: unknown, names: readonly string[]): Record<string, unknown> {
  if (!(formData instanceof FormData)) return {};
  return Object.fromEntries(names.map((name) => [name, formData.get(name) ?? undefined]));
}

function fieldErrorsOf(issues: readonly z.core.$ZodIssue[]): Partial<Record<keyof DisableByokInput, string>> {
  const fieldErrors: Partial<Record<keyof DisableByokInput, string>> = {};
  for (const issue of issues) {
    const field = issue.path[0];
    if ((field === "reason" || field === "confirmName") && fieldErrors[field] === undefined) fieldErrors[field] = issue.message;
  }
  return fieldErrors;
}

function disableSettings() {
  const config = env();
  return { requiresApproval: config.SUPPORT_DISABLE_REQUIRES_APPROVAL, platformKeyArn: config.PLATFORM_KMS_KEY_ARN };
}

function executedMessage(outcome: DisableOutcome, accountId: string): string {
  // This instance sends new records to the platform key at once; the others re-read the key state within 5 s.
  tenantData().dataKeys.dropLease(accountId);
  const rewrap = outcome.executed?.rewrapJob
    ? "A re-wrap job is queued to move the stored data keys to the platform key."
    : "Queuing the re-wrap job failed, so the stored data keys still use the tenant key; the failure is in the audit log.";
  return `BYOK is disabled. New data is encrypted under the platform key. ${rewrap}`;
}

async function authorize(action: string, accountId: string): Promise<SupportActor | SupportFormResult> {
  try {
    return await authorizeSupport(db(), { userId: await sessionUserId(), action, targetAccountId: accountId });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { status: "error", formError: { code: error.code, message: error.userMessage } };
  }
}

// Refusals from lib/support (AppError) carry a message for the operator. Any other error
// reaches the browser as one generic sentence, and the log gets it in full.
async function runSafely(action: string, accountId: string, work: () => Promise<string>): Promise<SupportFormResult> {
  try {
    return { status: "success", message: await work() };
  } catch (error) {
    if (error instanceof AppError) return { status: "error", formError: { code: error.code, message: error.userMessage } };
    log.error("action.failed", { action, accountId, error });
    return { status: "error", formError: { code: "INTERNAL_ERROR", message: "Something went wrong on the platform's side. Reload the page to see what changed, then try again." } };
  }
}

function revalidateAccount(accountId: string) {
  revalidatePath(`/support/accounts/${accountId}`);
  revalidatePath("/support");
}
