import { CopyButton } from "@/components/ui/copy-button";

interface SetupFactsProps {
  accountUuid: string;
  principalArn: string;
  serviceRegion: string;
  encryptionContext: Readonly<Record<string, string>>;
}

/** Lists the values that a tenant's key policy has to name, each ready to copy. */
export function SetupFacts({ accountUuid, principalArn, serviceRegion, encryptionContext }: SetupFactsProps) {
  const contextJson = JSON.stringify(encryptionContext);
  const facts = [
    { label: "Your account UUID", value: accountUuid, testId: "account-uuid" },
    { label: "Platform principal", value: principalArn, testId: "platform-principal" },
    { label: "Service region", value: serviceRegion, testId: "service-region" },
    { label: "Encryption context", value: contextJson, testId: "encryption-context" },
  ];
  return (
    <dl className="grid grid-cols-1 gap-4 text-sm sm:grid-cols-2">
      {facts.map((fact) => (
        <div key={fact.label} className="min-w-0">
          <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{fact.label}</dt>
          <dd className="mt-1 flex items-start gap-2">
            <code data-testid={fact.testId} className="break-all font-mono text-xs text-slate-800">
              {fact.value}
            </code>
            <CopyButton text={fact.value} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
