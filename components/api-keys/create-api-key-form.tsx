"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { startTransition, useActionState, useEffect, useRef } from "react";
import { useForm } from "react-hook-form";

import type { ApiKeyFormResult } from "@/app/account/api-keys/actions";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { apiKeyNameSchema } from "@/lib/api/api-key-schema";

/** Creates an API key and shows its token once. */
export function CreateApiKeyForm({ action }: { action: (state: ApiKeyFormResult, formData: FormData) => Promise<ApiKeyFormResult> }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  const formRef = useRef<HTMLFormElement>(null);
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors },
  } = useForm<{ name: string }>({ resolver: zodResolver(apiKeyNameSchema), defaultValues: { name: "" } });

  useEffect(() => {
    if (state.status === "error" && state.fieldErrors?.name) setError("name", { type: "server", message: state.fieldErrors.name });
    if (state.status === "created") reset({ name: "" });
  }, [state, setError, reset]);

  const submit = handleSubmit(() => {
    const formData = new FormData(formRef.current ?? undefined);
    startTransition(() => formAction(formData));
  });

  return (
    <div className="space-y-4">
      <form ref={formRef} action={formAction} onSubmit={submit} noValidate>
        <fieldset disabled={pending} className="flex flex-wrap items-end gap-3">
          <div className="min-w-64 flex-1">
            <label htmlFor="api-key-name" className="block text-sm font-medium text-slate-900">
              Name
            </label>
            <input
              id="api-key-name"
              {...register("name")}
              placeholder="Production backend"
              aria-invalid={errors.name ? true : undefined}
              aria-describedby={errors.name ? "api-key-name-error" : undefined}
              className="mt-1 block w-full rounded-md border-0 px-3 py-2 text-sm shadow-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600 aria-[invalid=true]:ring-red-400"
            />
          </div>
          <Button type="submit" pending={pending} pendingLabel="Creating…">
            Create API key
          </Button>
        </fieldset>
        {errors.name ? (
          <p id="api-key-name-error" className="mt-2 text-sm text-red-700">
            {errors.name.message}
          </p>
        ) : null}
      </form>
      {state.status === "error" && state.message ? (
        <p role="alert" className="text-sm text-red-700">
          {state.message}
        </p>
      ) : null}
      {state.status === "created" ? (
        <div role="status" className="rounded-lg border border-emerald-200 bg-emerald-50 p-4 text-sm text-emerald-900">
          <p className="font-medium">API key &quot;{state.name}&quot; created. Copy it now: it is not shown again.</p>
          <div className="mt-2 flex items-start gap-2">
            <code data-testid="new-api-key" className="break-all rounded bg-white px-2 py-1 font-mono text-xs text-slate-900 ring-1 ring-emerald-200">
              {state.token}
            </code>
            <CopyButton text={state.token} />
          </div>
        </div>
      ) : null}
    </div>
  );
}
