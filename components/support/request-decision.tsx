"use client";

import { useActionState, useState } from "react";

import { ActionOutcome } from "@/components/support/action-outcome";
import { Button } from "@/components/ui/button";
import { SUPPORT_FORM_IDLE, type SupportFormResult } from "@/lib/support/schema";

type Action = (state: SupportFormResult, formData: FormData) => Promise<SupportFormResult>;

interface RequestDecisionProps {
  accountId: string;
  requestId: string;
  /** True when the viewer made the request: they may cancel it, and only others approve or reject it. */
  isRequester: boolean;
  approveAction: Action;
  rejectAction: Action;
  cancelAction: Action;
}

/** Approve, reject or cancel buttons of one pending disable request. */
export function RequestDecision({ accountId, requestId, isRequester, approveAction, rejectAction, cancelAction }: RequestDecisionProps) {
  const [approveState, approve, approving] = useActionState(approveAction, SUPPORT_FORM_IDLE);
  const [rejectState, reject, rejecting] = useActionState(rejectAction, SUPPORT_FORM_IDLE);
  const [cancelState, cancel, cancelling] = useActionState(cancelAction, SUPPORT_FORM_IDLE);
  const pending = approving || rejecting || cancelling;
  const [lastDecision, setLastDecision] = useState<"approve" | "reject" | "cancel" | null>(null);
  const states = { approve: approveState, reject: rejectState, cancel: cancelState };
  const latest = lastDecision ? states[lastDecision] : SUPPORT_FORM_IDLE;

  return (
    <div className="space-y-2">
      <form className="flex flex-wrap items-center gap-2">
        <fieldset disabled={pending} className="flex flex-wrap items-center gap-2 disabled:opacity-70">
          <input type="hidden" name="accountId" value={accountId} />
          <input type="hidden" name="requestId" value={requestId} />
          {isRequester ? (
            <>
              {/* The server rejects self-approval too; the button is shown so the refusal explains itself. */}
              <Button type="submit" onClick={() => setLastDecision("approve")} formAction={approve} pending={approving} pendingLabel="Approving…">
                Approve and disable
              </Button>
              <Button type="submit" variant="secondary" onClick={() => setLastDecision("cancel")} formAction={cancel} pending={cancelling} pendingLabel="Cancelling…">
                Cancel request
              </Button>
            </>
          ) : (
            <>
              <Button type="submit" onClick={() => setLastDecision("approve")} formAction={approve} pending={approving} pendingLabel="Approving…" className="bg-red-600 hover:bg-red-500 disabled:bg-red-300">
                Approve and disable
              </Button>
              <Button type="submit" variant="secondary" onClick={() => setLastDecision("reject")} formAction={reject} pending={rejecting} pendingLabel="Rejecting…">
                Reject
              </Button>
            </>
          )}
        </fieldset>
      </form>
      <ActionOutcome state={latest} />
    </div>
  );
}
