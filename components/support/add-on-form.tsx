"use client";

import { useActionState } from "react";

import { ActionOutcome } from "@/components/support/action-outcome";
import { Button } from "@/components/ui/button";
import { SUPPORT_FORM_IDLE, type SupportFormResult } from "@/lib/support/schema";

type Action = (state: SupportFormResult, formData: FormData) => Promise<SupportFormResult>;

/** Grants the BYOK add-on, or withdraws it; the server rejects withdrawal while a key is in use. */
export function AddOnForm({ accountId, byokAddOn, action }: { accountId: string; byokAddOn: boolean; action: Action }) {
  const [state, formAction, pending] = useActionState(action, SUPPORT_FORM_IDLE);

  return (
    <form action={formAction} className="space-y-3">
      <fieldset disabled={pending} className="flex flex-wrap items-center gap-3 disabled:opacity-70">
        <input type="hidden" name="accountId" value={accountId} />
        <input type="hidden" name="enabled" value={byokAddOn ? "false" : "true"} />
        <p className="text-sm text-slate-700">
          The BYOK add-on is <strong>{byokAddOn ? "granted" : "not granted"}</strong>.
        </p>
        <Button type="submit" variant={byokAddOn ? "secondary" : "primary"} pending={pending} pendingLabel={byokAddOn ? "Withdrawing…" : "Granting…"}>
          {byokAddOn ? "Withdraw add-on" : "Grant add-on"}
        </Button>
      </fieldset>
      <ActionOutcome state={state} />
    </form>
  );
}
