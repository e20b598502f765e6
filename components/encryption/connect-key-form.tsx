"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useActionState, useEffect, useMemo, useRef, startTransition } from "react";
import { useForm } from "react-hook-form";

import { FailurePanel } from "@/components/encryption/failure-panel";
import { Button } from "@/components/ui/button";
import { parseKeyArn, type KeyArn } from "@/lib/arn";
import { keyConfigurationSchema, type FormResult, type KeyConfiguration, type KeyConfigurationInput } from "@/lib/byok/schema";

interface ConnectKeyFormProps {
  serviceRegion: string;
  currentKeyArn?: string;
  /**
   * Data keys made under the platform key before activation. Set only while no key is
   * active; the form then offers to move them under the new key.
   */
  olderDataKeys?: number;
  action: (state: FormResult, formData: FormData) => Promise<FormResult>;
  /** Keys of the local KMS, offered in development so a newcomer has something to paste. */
  demoKeys?: { label: string; arn: string }[];
}

/**
 * Renders the key ARN form. The shared schema checks the ARN as the admin types, and the
 * parsed region, account and key type appear under the field. "Save Configuration" then
 * posts to the server action, which validates the key with KMS before saving it.
 */
export function ConnectKeyForm({ serviceRegion, currentKeyArn, olderDataKeys, action, demoKeys = [] }: ConnectKeyFormProps) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  const formRef = useRef<HTMLFormElement>(null);
  const schema = useMemo(() => keyConfigurationSchema(serviceRegion), [serviceRegion]);
  const {
    register,
    handleSubmit,
    setError,
    setValue,
    reset,
    watch,
    formState: { errors },
  } = useForm<KeyConfigurationInput, unknown, KeyConfiguration>({
    resolver: zodResolver(schema),
    mode: "onChange",
    defaultValues: { keyArn: "" },
  });

  useEffect(() => {
    const message = state.status === "error" ? state.fieldErrors?.keyArn : undefined;
    if (message) setError("keyArn", { type: "server", message });
    if (state.status === "success") reset({ keyArn: "" });
  }, [state, setError, reset]);

  const typed = watch("keyArn");
  const preview = typed.trim() === "" ? null : parseKeyArn(typed, { serviceRegion });
  let parts: Partial<KeyArn> | null = null;
  if (preview) parts = preview.ok ? preview.key : preview.partial;
  let keyType: string | undefined;
  if (parts?.keyId) keyType = parts.keyId.startsWith("mrk-") ? "Multi-region" : "Single-region";
  const suggestion = preview && !preview.ok ? preview.problem.suggestedArn : undefined;
  const fieldError = errors.keyArn?.message;

  const submit = handleSubmit(() => {
    const formData = new FormData(formRef.current ?? undefined);
    startTransition(() => formAction(formData));
  });

  return (
    <form ref={formRef} action={formAction} onSubmit={submit} noValidate className="space-y-4">
      <fieldset disabled={pending} className="space-y-4 disabled:opacity-70">
        <div>
          <label htmlFor="keyArn" className="block text-sm font-medium text-slate-900">
            Key ARN
          </label>
          <p id="keyArn-help" className="mt-1 text-xs text-slate-500">
            The ARN of a symmetric encryption key in {serviceRegion}, such as arn:aws:kms:{serviceRegion}:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab.
          </p>
          <textarea
            id="keyArn"
            rows={2}
            spellCheck={false}
            autoComplete="off"
            autoCapitalize="off"
            placeholder={`arn:aws:kms:${serviceRegion}:111122223333:key/…`}
            aria-invalid={fieldError ? true : undefined}
            aria-describedby={`keyArn-help${fieldError ? " keyArn-error" : ""} keyArn-parsed`}
            className="mt-2 block w-full resize-y rounded-md border-0 px-3 py-2 font-mono text-sm text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 placeholder:text-slate-400 focus:ring-2 focus:ring-inset focus:ring-indigo-600 aria-[invalid=true]:ring-red-400"
            {...register("keyArn")}
            onKeyDown={(event) => {
              if (event.key === "Enter" && !event.shiftKey) {
                event.preventDefault();
                formRef.current?.requestSubmit();
              }
            }}
          />
          {fieldError ? (
            <p id="keyArn-error" className="mt-2 text-sm text-red-700" aria-live="polite">
              {fieldError}
            </p>
          ) : null}
          {suggestion ? (
            <button
              type="button"
              className="mt-2 rounded-md bg-indigo-50 px-2.5 py-1.5 text-left text-xs font-medium text-indigo-800 ring-1 ring-inset ring-indigo-200 hover:bg-indigo-100"
              onClick={() => setValue("keyArn", suggestion, { shouldValidate: true })}
            >
              Use <span className="break-all font-mono">{suggestion}</span>
            </button>
          ) : null}
        </div>

        <dl id="keyArn-parsed" aria-live="polite" className="grid grid-cols-2 gap-3 rounded-lg bg-slate-50 p-3 text-sm sm:grid-cols-4">
          <Parsed label="Region" value={parts?.region} highlight={parts?.region !== undefined && parts.region !== serviceRegion} />
          <Parsed label="AWS account" value={parts?.accountId} />
          <Parsed label="Key type" value={keyType} />
          <Parsed label="Key ID" value={parts?.keyId} mono />
        </dl>

        {olderDataKeys !== undefined && olderDataKeys > 0 ? (
          <div className="flex items-start gap-2 rounded-lg border border-slate-200 p-3 text-sm">
            <input id="protectOlderData" name="protectOlderData" type="checkbox" className="mt-1" />
            <label htmlFor="protectOlderData" className="text-slate-700">
              <span className="font-medium text-slate-900">Also protect data written before activation</span>
              <span className="mt-1 block text-xs text-slate-600">
                {olderDataKeys.toLocaleString("en-US")} data key{olderDataKeys === 1 ? "" : "s"} of earlier records {olderDataKeys === 1 ? "is" : "are"} wrapped by the
                platform&apos;s key. Tick this to move {olderDataKeys === 1 ? "it" : "them"} under your key with kms:ReEncrypt, so revoking your key locks that data
                too. Your key policy must then allow kms:ReEncryptTo. Left unticked, earlier records stay under the platform key and stay readable whatever
                happens to your key.
              </span>
            </label>
          </div>
        ) : null}

        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" pending={pending} pendingLabel="Validating key with AWS KMS…">
            Save Configuration
          </Button>
          <p className="text-xs text-slate-500">
            The platform runs GenerateDataKey and Decrypt with this key first. Nothing is saved unless both succeed.
          </p>
        </div>
      </fieldset>

      {state.status === "success" ? (
        <p role="status" className="rounded-lg border border-emerald-200 bg-emerald-50 p-3 text-sm text-emerald-900">
          {state.message}
        </p>
      ) : null}
      {state.status === "error" && state.formError ? <FailurePanel error={state.formError} /> : null}
      {currentKeyArn && state.status !== "success" ? (
        <p className="text-xs text-slate-500">
          Saving a different key starts a key change once the new key passes validation: the data keys move from{" "}
          <span className="break-all font-mono">{currentKeyArn}</span> to the new key with kms:ReEncrypt, so both key policies must allow it, and the account
          switches when none is left. Keep the current key usable until then.
        </p>
      ) : null}

      {demoKeys.length > 0 ? (
        <div className="rounded-lg border border-dashed border-slate-300 p-3 text-xs text-slate-600">
          <p className="font-medium text-slate-800">Development only: keys in the local KMS</p>
          <ul className="mt-1 space-y-1">
            {demoKeys.map((key) => (
              <li key={key.arn}>
                {key.label}:{" "}
                <button type="button" className="break-all font-mono text-indigo-700 underline" onClick={() => setValue("keyArn", key.arn, { shouldValidate: true })}>
                  {key.arn}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </form>
  );
}

function Parsed({ label, value, highlight = false, mono = false }: { label: string; value?: string; highlight?: boolean; mono?: boolean }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className={`mt-0.5 truncate ${mono ? "font-mono text-xs" : ""} ${highlight ? "font-semibold text-red-700" : "text-slate-900"}`} title={value}>
        {value ?? "—"}
      </dd>
    </div>
  );
}
