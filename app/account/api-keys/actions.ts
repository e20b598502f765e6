"use server";

import { revalidatePath } from "next/cache";

import { KEY_MANAGER_ROLES } from "@/lib/auth/authorize";
import { authorizeSessionAction } from "@/lib/auth/session";
import { apiKeyNameSchema } from "@/lib/api/api-key-schema";
import { createApiKey, revokeApiKey } from "@/lib/api/manage-keys";
import { db } from "@/lib/db/client";
import { AccessDeniedError } from "@/lib/errors";

export type ApiKeyFormResult =
  | { status: "idle" }
  | { status: "created"; token: string; name: string }
  | { status: "revoked" }
  | { status: "error"; fieldErrors?: { name?: string }; message?: string };

const PAGE = "/account/api-keys";
// Server actions are public endpoints, so a caller can post any arguments, not only a form.
const MALFORMED_REQUEST: ApiKeyFormResult = { status: "error", message: "The request did not come from the form on this page. Reload the page and try again." };

export async function createApiKeyAction(_state: ApiKeyFormResult, formData: FormData): Promise<ApiKeyFormResult> {
  if (!(formData instanceof FormData)) return MALFORMED_REQUEST;
  const parsed = apiKeyNameSchema.safeParse({ name: formData.get("name") });
  if (!parsed.success) return { status: "error", fieldErrors: { name: parsed.error.issues[0]?.message } };

  const access = await authorize("api_key.create", formData.get("accountId"));
  if ("status" in access) return access;

  const { token } = await createApiKey(db(), access, parsed.data.name);

  revalidatePath(PAGE);
  return { status: "created", token, name: parsed.data.name };
}

export async function revokeApiKeyAction(_state: ApiKeyFormResult, formData: FormData): Promise<ApiKeyFormResult> {
  if (!(formData instanceof FormData)) return MALFORMED_REQUEST;
  const id = formData.get("id");
  if (typeof id !== "string" || id === "") return { status: "error", message: "The request names no API key to revoke." };

  const access = await authorize("api_key.revoke", formData.get("accountId"));
  if ("status" in access) return access;

  const revoked = await revokeApiKey(db(), access, id);

  revalidatePath(PAGE);
  return revoked ? { status: "revoked" } : { status: "error", message: "This API key does not exist in your account or is already revoked." };
}

async function authorize(action: string, claimedAccountId: FormDataEntryValue | null) {
  try {
    return await authorizeSessionAction({ action, allowedRoles: KEY_MANAGER_ROLES, claimedAccountId: typeof claimedAccountId === "string" ? claimedAccountId : null });
  } catch (error) {
    if (!(error instanceof AccessDeniedError)) throw error;
    return { status: "error", message: error.userMessage } satisfies ApiKeyFormResult;
  }
}
