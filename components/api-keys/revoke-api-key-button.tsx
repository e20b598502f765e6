"use client";

import { useActionState } from "react";

import type { ApiKeyFormResult } from "@/app/account/api-keys/actions";

/** Revokes one API key after the admin confirms; requests with it fail from then on. */
export function RevokeApiKeyButton({ id, name, action }: { id: string; name: string; action: (state: ApiKeyFormResult, formData: FormData) => Promise<ApiKeyFormResult> }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  return (
    <form
      action={formAction}
      onSubmit={(event) => {
        if (!window.confirm(`Revoke the API key "${name}"? Requests that use it fail at once.`)) event.preventDefault();
      }}
    >
      <input type="hidden" name="id" value={id} />
      <button type="submit" disabled={pending} className="text-sm font-medium text-red-700 hover:text-red-600 disabled:text-slate-400">
        {pending ? "Revoking…" : "Revoke"}
      </button>
      {state.status === "error" ? <span className="ml-2 text-xs text-red-700">{state.message}</span> : null}
    </form>
  );
}
