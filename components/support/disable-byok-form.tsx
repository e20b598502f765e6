"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { startTransition, useActionState, useEffect, useMemo, useRef } from "react";
import { useForm } from "react-hook-form";

import { ActionOutcome } from "@/components/support/action-outcome";
import { Button } from "@/components/ui/button";
import { disableByokSchema, SUPPORT_FORM_IDLE, type DisableByok, type DisableByokInput, type SupportFormResult } from "@/lib/support/schema";

type Action = (state: SupportFormResult, formData: FormData) => Promise<SupportFormResult>;

const INPUT =
  "mt-1 block w-full rounded-md border-0 px-3 py-2 text-sm text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-inset focus:ring-indigo-600 aria-[invalid=true]:ring-red-400";

/**
 * Requests that BYOK be disabled, with a written reason and the account name typed as
 * confirmation. The shared schema checks both fields in the browser and again on the server.
 */
export function DisableByokForm({ accountId, accountName, requiresApproval, action }: { accountId: string; accountName: string; requiresApproval: boolean; action: Action }) {
  const [state, formAction, pending] = useActionState(action, SUPPORT_FORM_IDLE);
  const formRef = useRef<HTMLFormElement>(null);
  const schema = useMemo(() => disableByokSchema(accountName), [accountName]);
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors },
  } = useForm<DisableByokInput, unknown, DisableByok>({ resolver: zodResolver(schema), defaultValues: { reason: "", confirmName: "" } });

  useEffect(() => {
    if (state.status === "error") {
      if (state.fieldErrors?.reason) setError("reason", { type: "server", message: state.fieldErrors.reason });
      if (state.fieldErrors?.confirmName) setError("confirmName", { type: "server", message: state.fieldErrors.confirmName });
    }
    if (state.status === "success") reset({ reason: "", confirmName: "" });
  }, [state, setError, reset]);

  const submit = handleSubmit(() => {
    const formData = new FormData(formRef.current ?? undefined);
    startTransition(() => formAction(formData));
  });

  return (
    <form ref={formRef} action={formAction} onSubmit={submit} noValidate className="space-y-4">
      <fieldset disabled={pending} className="space-y-4 disabled:opacity-70">
        <input type="hidden" name="accountId" value={accountId} />
        <div>
          <label htmlFor="reason" className="block text-sm font-medium text-slate-900">
            Reason
          </label>
          <p id="reason-help" className="mt-1 text-xs text-slate-500">
            The tenant&apos;s owners and admins see this on their Encryption page.
          </p>
          <textarea
            id="reason"
            rows={3}
            aria-invalid={errors.reason ? true : undefined}
            aria-describedby={`reason-help${errors.reason ? " reason-error" : ""}`}
            className={INPUT}
            {...register("reason")}
          />
          {errors.reason ? (
            <p id="reason-error" className="mt-1 text-sm text-red-700" aria-live="polite">
              {errors.reason.message}
            </p>
          ) : null}
        </div>
        <div>
          <label htmlFor="confirmName" className="block text-sm font-medium text-slate-900">
            Type the account name to confirm
          </label>
          <p id="confirmName-help" className="mt-1 text-xs text-slate-500">
            Type <strong className="font-semibold text-slate-800">{accountName}</strong> exactly.
          </p>
          <input
            id="confirmName"
            type="text"
            autoComplete="off"
            spellCheck={false}
            aria-invalid={errors.confirmName ? true : undefined}
            aria-describedby={`confirmName-help${errors.confirmName ? " confirmName-error" : ""}`}
            className={INPUT}
            {...register("confirmName")}
          />
          {errors.confirmName ? (
            <p id="confirmName-error" className="mt-1 text-sm text-red-700" aria-live="polite">
              {errors.confirmName.message}
            </p>
          ) : null}
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" pending={pending} pendingLabel={requiresApproval ? "Requesting…" : "Disabling…"} className="bg-red-600 hover:bg-red-500 disabled:bg-red-300">
            {requiresApproval ? "Request disable" : "Disable BYOK"}
          </Button>
          <p className="text-xs text-slate-500">
            {requiresApproval
              ? "Another support user must approve the request before BYOK is disabled."
              : "BYOK is disabled at once, and a re-wrap job moves the stored data keys to the platform key."}
          </p>
        </div>
      </fieldset>
      <ActionOutcome state={state} />
    </form>
  );
}
