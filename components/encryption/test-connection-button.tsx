"use client";

import { useActionState } from "react";

import { FailurePanel } from "@/components/encryption/failure-panel";
import { Button } from "@/components/ui/button";
import type { FormResult } from "@/lib/byok/schema";

/** Repeats the validation round trip with the saved key; a failure keeps the key and shows why. */
export function TestConnectionButton({ action }: { action: (state: FormResult, formData: FormData) => Promise<FormResult> }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });

  return (
    <form action={formAction} className="space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" variant="secondary" pending={pending} pendingLabel="Testing connection…">
          Test connection
        </Button>
        <p className="text-xs text-slate-500">Runs GenerateDataKey and Decrypt with your key, as the save did.</p>
      </div>
      {state.status === "success" ? (
        <p role="status" className="text-sm text-emerald-700">
          {state.message}
        </p>
      ) : null}
      {state.status === "error" && state.formError ? <FailurePanel error={state.formError} title="Test connection failed" /> : null}
    </form>
  );
}
