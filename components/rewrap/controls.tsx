"use client";

import { useRouter } from "next/navigation";
import { useActionState, useEffect } from "react";

import { FailurePanel } from "@/components/encryption/failure-panel";
import { Button } from "@/components/ui/button";
import type { FormResult } from "@/lib/byok/schema";

type FormAction = (state: FormResult, formData: FormData) => Promise<FormResult>;

function Outcome({ state, failureTitle }: { state: FormResult; failureTitle: string }) {
  if (state.status === "success") {
    return (
      <p role="status" className="text-sm text-emerald-700">
        {state.message}
      </p>
    );
  }
  if (state.status === "error" && state.formError) return <FailurePanel error={state.formError} title={failureTitle} />;
  return null;
}

/** Queues a re-wrap of every data key under the account's key onto its newest key material. */
export function RewrapNowForm({ action, disabled }: { action: FormAction; disabled?: boolean }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  return (
    <form action={formAction} className="space-y-3">
      <Button type="submit" variant="secondary" pending={pending} pendingLabel="Queueing…" disabled={disabled}>
        Re-wrap now
      </Button>
      <Outcome state={state} failureTitle="Re-wrap not started" />
    </form>
  );
}

/** Queues the move of the data keys still under the platform key to the account's key. */
export function ProtectOlderDataForm({ action, disabled }: { action: FormAction; disabled?: boolean }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  return (
    <form action={formAction} className="space-y-3">
      <Button type="submit" variant="secondary" pending={pending} pendingLabel="Queueing…" disabled={disabled}>
        Protect older data
      </Button>
      <Outcome state={state} failureTitle="Older data not moved" />
    </form>
  );
}

const SCHEDULE_CHOICES = [
  { value: "off", label: "Off" },
  { value: "30", label: "Every 30 days" },
  { value: "90", label: "Every 90 days" },
  { value: "180", label: "Every 180 days" },
  { value: "365", label: "Every 365 days" },
] as const;

/** Sets how often the platform re-wraps the account's data keys on its own. */
export function RewrapScheduleForm({ action, intervalDays }: { action: FormAction; intervalDays: number | null }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  return (
    <form action={formAction} className="space-y-3">
      <fieldset disabled={pending} className="flex flex-wrap items-end gap-3 disabled:opacity-70">
        <div>
          <label htmlFor="rewrap-interval" className="block text-sm font-medium text-slate-900">
            Scheduled re-wrap
          </label>
          {/* Keyed on the saved value: React resets a form after its action, to the defaults it had. */}
          <select
            key={intervalDays ?? "off"}
            id="rewrap-interval"
            name="intervalDays"
            defaultValue={intervalDays === null ? "off" : String(intervalDays)}
            className="mt-1 block rounded-md border-0 py-1.5 pl-3 pr-8 text-sm text-slate-900 ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
          >
            {SCHEDULE_CHOICES.map((choice) => (
              <option key={choice.value} value={choice.value}>
                {choice.label}
              </option>
            ))}
          </select>
        </div>
        <Button type="submit" variant="secondary" pending={pending} pendingLabel="Saving…">
          Save schedule
        </Button>
      </fieldset>
      <Outcome state={state} failureTitle="Schedule not saved" />
    </form>
  );
}

/** Cancels one pending or running job after the admin confirms. */
export function CancelRewrapForm({ action, jobId, confirmation }: { action: FormAction; jobId: string; confirmation: string }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  return (
    <form
      action={formAction}
      onSubmit={(event) => {
        if (!window.confirm(confirmation)) event.preventDefault();
      }}
      className="space-y-2"
    >
      <input type="hidden" name="jobId" value={jobId} />
      <Button type="submit" variant="secondary" pending={pending} pendingLabel="Cancelling…" className="px-2.5 py-1 text-xs">
        Cancel
      </Button>
      <Outcome state={state} failureTitle="Not cancelled" />
    </form>
  );
}

/** Reloads the server-rendered page every `intervalMs` while `active`, so job progress moves on its own. */
export function AutoRefresh({ active, intervalMs = 2_000 }: { active: boolean; intervalMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => router.refresh(), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs, router]);
  return null;
}
