import type { FormResult } from "@/lib/byok/schema";

type FormError = NonNullable<Extract<FormResult, { status: "error" }>["formError"]>;

/** Shows a failed validation: what happened, the ARN that was tried, and the likely causes in order. */
export function FailurePanel({ error, title = "The key was not saved" }: { error: FormError; title?: string }) {
  return (
    <div role="alert" className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-900">
      <p className="font-semibold">{title}</p>
      <p className="mt-1">{error.message}</p>
      {error.keyArn ? (
        <p className="mt-2 break-all text-xs text-red-800">
          Key ARN tried: <code className="font-mono">{error.keyArn}</code>
        </p>
      ) : null}
      {error.causes.length > 0 ? (
        <>
          <p className="mt-3 font-medium">Likely causes, most likely first:</p>
          <ol className="mt-1 list-decimal space-y-1 pl-5">
            {error.causes.map((cause) => (
              <li key={cause}>{cause}</li>
            ))}
          </ol>
        </>
      ) : null}
      <p className="mt-3 text-xs text-red-700">
        Error code: <code className="font-mono">{error.code}</code>
      </p>
    </div>
  );
}
