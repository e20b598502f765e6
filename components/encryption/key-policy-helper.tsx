"use client";

import { useId, useState } from "react";

import { CopyButton } from "@/components/ui/copy-button";
import { awsCliCommands, cloudTrailAlarmSnippet, fullKeyPolicy, keyPolicyStatement, terraformSnippet, type KeyPolicyInput } from "@/lib/byok/key-policy";

interface KeyPolicyHelperProps {
  accountUuid: string;
  principalArn: string;
  serviceName: string;
  serviceRegion: string;
  keyArn?: string;
  tenantAwsAccountId?: string;
}

const TABS = [
  { id: "statement", label: "Policy statement", build: keyPolicyStatement, hint: "Add this statement to the Statement list of your key's existing policy." },
  { id: "policy", label: "Full key policy", build: fullKeyPolicy, hint: "A complete policy for a new key: your account administers the key, and the platform role may use it." },
  { id: "cli", label: "AWS CLI", build: awsCliCommands, hint: "Run these commands with credentials of your AWS account that may administer KMS keys." },
  { id: "terraform", label: "Terraform", build: terraformSnippet, hint: "Add this to a Terraform configuration that uses the AWS provider for your account." },
  {
    id: "alarms",
    label: "CloudTrail alarms",
    build: cloudTrailAlarmSnippet,
    hint: "Optional, for your account: emails you when anyone disables the key, schedules its deletion or changes its policy. Add it after the Terraform above.",
  },
] as const;

const STATEMENTS_HINT = "Add both statements of this list to the Statement list of your key's existing policy.";

/** Ready-to-copy key policy, AWS CLI commands and Terraform for exactly this tenant. */
export function KeyPolicyHelper(props: KeyPolicyHelperProps) {
  const [tab, setTab] = useState<(typeof TABS)[number]["id"]>("statement");
  const [includeAccountCondition, setIncludeAccountCondition] = useState(true);
  const [includeReEncrypt, setIncludeReEncrypt] = useState(false);
  const [includeRotationStatus, setIncludeRotationStatus] = useState(false);
  const baseId = useId();

  const input: KeyPolicyInput = {
    principalArn: props.principalArn,
    service: props.serviceName,
    accountUuid: props.accountUuid,
    serviceRegion: props.serviceRegion,
    includeAccountCondition,
    includeReEncrypt,
    includeRotationStatus,
    tenantAwsAccountId: props.tenantAwsAccountId,
    keyArn: props.keyArn,
  };
  const current = TABS.find((item) => item.id === tab) ?? TABS[0];
  const text = current.build(input);
  const hint = current.id === "statement" && includeRotationStatus ? STATEMENTS_HINT : current.hint;

  return (
    <div className="space-y-3">
      <fieldset className="space-y-2 text-sm">
        <legend className="sr-only">Policy options</legend>
        <label className="flex items-start gap-2">
          <input type="checkbox" className="mt-0.5" checked={includeAccountCondition} onChange={(event) => setIncludeAccountCondition(event.target.checked)} />
          <span>
            Limit the statement to this account&apos;s encryption context (<code className="font-mono text-xs">kms:EncryptionContext:account_uuid</code>).
            Recommended: even a bug on the platform side could then not use your key for another tenant&apos;s data.
          </span>
        </label>
        <label className="flex items-start gap-2">
          <input type="checkbox" className="mt-0.5" checked={includeReEncrypt} onChange={(event) => setIncludeReEncrypt(event.target.checked)} />
          <span>
            Also allow <code className="font-mono text-xs">kms:ReEncrypt*</code>, so the platform can re-wrap data keys after a rotation or a key change
            without unwrapping them.
          </span>
        </label>
        <label className="flex items-start gap-2">
          <input type="checkbox" className="mt-0.5" checked={includeRotationStatus} onChange={(event) => setIncludeRotationStatus(event.target.checked)} />
          <span>
            Also allow <code className="font-mono text-xs">kms:GetKeyRotationStatus</code>, so the status above can show whether AWS KMS rotates the key.
            This adds a second statement without the encryption-context condition, because this call carries no encryption context.
          </span>
        </label>
      </fieldset>

      <div role="tablist" aria-label="Policy formats" className="flex flex-wrap gap-1 border-b border-slate-200">
        {TABS.map((item) => (
          <button
            key={item.id}
            id={`${baseId}-${item.id}-tab`}
            type="button"
            role="tab"
            aria-selected={tab === item.id}
            aria-controls={`${baseId}-panel`}
            onClick={() => setTab(item.id)}
            className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${tab === item.id ? "border-indigo-600 text-indigo-700" : "border-transparent text-slate-600 hover:text-slate-900"}`}
          >
            {item.label}
          </button>
        ))}
      </div>

      <div id={`${baseId}-panel`} role="tabpanel" aria-labelledby={`${baseId}-${current.id}-tab`}>
        <div className="flex items-center justify-between gap-3">
          <p className="text-xs text-slate-600">{hint}</p>
          <CopyButton text={text} />
        </div>
        <pre data-testid="policy-snippet" className="mt-2 max-h-96 overflow-auto rounded-lg bg-slate-900 p-4 font-mono text-xs leading-relaxed text-slate-100">
          {text}
        </pre>
      </div>
    </div>
  );
}
