import type { KmsCallCause } from "@/lib/db/generated/client";

/** Label and plain-words description of each cause of a KMS call with the tenant's key. */
export const KMS_CAUSE_TEXT: Record<KmsCallCause, { label: string; description: string }> = {
  VALIDATION: {
    label: "Validation",
    description:
      "An owner or admin saved a key on the Encryption page. Before the key becomes active, the platform generates a data key with it and decrypts that data key again (GenerateDataKey, then Decrypt) under your account's encryption context. If either call fails, nothing is saved.",
  },
  TEST_CONNECTION: {
    label: "Test connection",
    description:
      "Someone pressed Test connection on the Encryption page, so the platform repeated the GenerateDataKey and Decrypt round trip with the saved key. When the round trip works, it also reads the key's automatic rotation setting with GetKeyRotationStatus.",
  },
  HEALTH_CHECK: {
    label: "Health check",
    description:
      "The platform checks on a schedule that it can still use your key, with the same GenerateDataKey and Decrypt round trip. When your key refuses the check, the key is marked unavailable and your admins are notified. The next check that succeeds restores it. A few times a day a passing check also reads the key's automatic rotation setting with GetKeyRotationStatus, a call without encryption context.",
  },
  DATA_KEY_CREATE: {
    label: "Data key creation",
    description:
      "The platform needed a new data key to encrypt new records, so it called GenerateDataKey. This happens when the previous data key reached its age or use limit, or when the account's key changed. Only the wrapped data key is stored.",
  },
  DECRYPT_CACHE_MISS: {
    label: "Decrypt on cache miss",
    description:
      "Reading or writing your records needed a data key that the app server (see Instance) did not hold in memory, for example after a restart or after its cached copy expired, so it unwrapped the stored data key with Decrypt. Records whose data key is cached are read without a KMS call.",
  },
  REWRAP: {
    label: "Re-wrap",
    description:
      "A re-wrap job moved stored data keys to another KMS key without changing the records they protect: to the platform key when BYOK is disabled, or from the platform key, to new key material or to a new key of yours. Each data key it moves takes a Decrypt or ReEncrypt call that involves your key.",
  },
};

/** Explains each cause of the KMS calls table, so a tenant can tell why each call was made. */
export function KmsCauseGuide() {
  return (
    <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
      {Object.entries(KMS_CAUSE_TEXT).map(([cause, text]) => (
        <div key={cause}>
          <dt className="font-medium text-slate-900">
            {text.label} <code className="ml-1 font-mono text-xs font-normal text-slate-500">{cause}</code>
          </dt>
          <dd className="mt-0.5 text-slate-600">{text.description}</dd>
        </div>
      ))}
    </dl>
  );
}
