"use server";

import { revalidatePath } from "next/cache";

import { authorizeSessionAction } from "@/lib/auth/session";
import { KEY_MANAGER_ROLES } from "@/lib/auth/authorize";
import { saveKeyConfiguration, testKeyConnection } from "@/lib/byok/configure";
import { cancelRewrap, requestOlderDataProtection, requestRotationRewrap, REWRAP_INTERVALS_DAYS, setRewrapSchedule } from "@/lib/byok/rewrap-requests";
import { parseKeyConfiguration, type FormResult } from "@/lib/byok/schema";
import { byokSettings } from "@/lib/byok/settings";
import { db } from "@/lib/db/client";
import { AccessDeniedError } from "@/lib/errors";
import { kmsClient } from "@/lib/kms/client";
import { healthDeps } from "@/lib/health/runtime";
import { wakeInProcessWorker } from "@/lib/jobs/in-process";
import { log } from "@/lib/log";
import { tenantData } from "@/lib/tenant-data/runtime";

const PAGE = "/account/encryption";

export async function saveKeyConfigurationAction(_state: FormResult, formData: FormData): Promise<FormResult> {
  if (!(formData instanceof FormData)) return MALFORMED_REQUEST;
  const settings = byokSettings();
  const parsed = parseKeyConfiguration({ keyArn: formData.get("keyArn") }, settings.serviceRegion);
  if (!parsed.ok) return parsed.result;

  const claimedAccountId = formData.get("accountId");
  const access = await authorize("byok.key.save", typeof claimedAccountId === "string" ? claimedAccountId : null);
  if ("status" in access) return access;

  const protectOlderData = formData.get("protectOlderData") === "on";
  const result = await runSafely("byok.key.save", access.account.id, () =>
    saveKeyConfiguration({ prisma: db(), kms: kmsClient(), settings }, access, parsed.value.keyArn, { protectOlderData }),
  );

  if (result.status === "success") {
    // This instance switches new records to the new key at once; others within KEY_CHOICE_REFRESH_MS.
    tenantData().dataKeys.dropLease(access.account.id);
    // A key change or the move of older data may have been queued.
    wakeInProcessWorker();
    revalidatePath(PAGE);
  }
  return result;
}

export async function testKeyConnectionAction(_state: FormResult, formData: FormData): Promise<FormResult> {
  if (!(formData instanceof FormData)) return MALFORMED_REQUEST;
  const claimedAccountId = formData.get("accountId");

  const access = await authorize("byok.key.test", typeof claimedAccountId === "string" ? claimedAccountId : null);
  if ("status" in access) return access;

  const result = await runSafely("byok.key.test", access.account.id, () =>
    testKeyConnection(healthDeps(), access),
  );

  // The check may have changed the key state, which decides where new records go.
  tenantData().dataKeys.dropLease(access.account.id);
  revalidatePath(PAGE);
  return result;
}

export async function requestRewrapAction(_state: FormResult, formData: FormData): Promise<FormResult> {
  if (!(formData instanceof FormData)) return MALFORMED_REQUEST;
  const claimedAccountId = formData.get("accountId");

  const access = await authorize("byok.rewrap.request", typeof claimedAccountId === "string" ? claimedAccountId : null);
  if ("status" in access) return access;

  const result = await runSafely("byok.rewrap.request", access.account.id, () => requestRotationRewrap(db(), access));

  if (result.status === "success") wakeInProcessWorker();
  revalidatePath(PAGE);
  return result;
}

export async function protectOlderDataAction(_state: FormResult, formData: FormData): Promise<FormResult> {
  if (!(formData instanceof FormData)) return MALFORMED_REQUEST;
  const claimedAccountId = formData.get("accountId");

  const access = await authorize("byok.rewrap.request", typeof claimedAccountId === "string" ? claimedAccountId : null);
  if ("status" in access) return access;

  const result = await runSafely("byok.rewrap.request", access.account.id, () => requestOlderDataProtection(db(), access, byokSettings().platformKeyArn));

  if (result.status === "success") wakeInProcessWorker();
  revalidatePath(PAGE);
  return result;
}

export async function setRewrapScheduleAction(_state: FormResult, formData: FormData): Promise<FormResult> {
  if (!(formData instanceof FormData)) return MALFORMED_REQUEST;
  const choice = formData.get("intervalDays");
  const intervalDays = choice === "off" ? null : REWRAP_INTERVALS_DAYS.find((days) => String(days) === choice);
  if (intervalDays === undefined) {
    const allowed = REWRAP_INTERVALS_DAYS.join(", ");
    return { status: "error", formError: { code: "INVALID_INTERVAL", message: `"${String(choice)}" is not a re-wrap interval. Choose off or one of ${allowed} days.`, causes: [] } };
  }
  const claimedAccountId = formData.get("accountId");

  const access = await authorize("byok.rewrap.schedule", typeof claimedAccountId === "string" ? claimedAccountId : null);
  if ("status" in access) return access;

  const result = await runSafely("byok.rewrap.schedule", access.account.id, () => setRewrapSchedule(db(), access, intervalDays));

  revalidatePath(PAGE);
  return result;
}

export async function cancelRewrapAction(_state: FormResult, formData: FormData): Promise<FormResult> {
  if (!(formData instanceof FormData)) return MALFORMED_REQUEST;
  const jobId = formData.get("jobId");
  if (typeof jobId !== "string" || !UUID.test(jobId)) return MALFORMED_REQUEST;
  const claimedAccountId = formData.get("accountId");

  const access = await authorize("byok.rewrap.cancel", typeof claimedAccountId === "string" ? claimedAccountId : null);
  if ("status" in access) return access;

  const result = await runSafely("byok.rewrap.cancel", access.account.id, () => cancelRewrap(db(), access, jobId));

  revalidatePath(PAGE);
  return result;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Server actions are public endpoints, so a caller can post any arguments, not only a form.
const MALFORMED_REQUEST: FormResult = {
  status: "error",
  formError: { code: "MALFORMED_REQUEST", message: "The request did not come from the form on this page. Reload the page and try again.", causes: [] },
};

async function authorize(action: string, claimedAccountId: string | null) {
  try {
    return await authorizeSessionAction({ action, allowedRoles: KEY_MANAGER_ROLES, claimedAccountId });
  } catch (error) {
    if (!(error instanceof AccessDeniedError)) throw error;
    return { status: "error", formError: { code: error.code, message: error.userMessage, causes: [] } } satisfies FormResult;
  }
}

// Unexpected failures (the database going away, a bug) reach the browser as one generic
// sentence; the details go to the log only.
async function runSafely(action: string, accountId: string, work: () => Promise<FormResult>): Promise<FormResult> {
  try {
    return await work();
  } catch (error) {
    log.error("action.failed", { action, accountId, error });
    return {
      status: "error",
      formError: {
        code: "INTERNAL_ERROR",
        message: "Something went wrong on the platform's side, and the configuration was not changed.",
        causes: ["Try again in a minute. If it repeats, contact support with the time of the attempt."],
      },
    };
  }
}
