import { formatAbsolute } from "@/components/ui/format-time";
import { RelativeTime } from "@/components/ui/relative-time";
import type { RotationStatus } from "@/lib/byok/status";

/** Says whether AWS KMS rotates the key's material automatically, and when the platform last read that. */
export function RotationStatusText({ rotation, serverNow }: { rotation: RotationStatus; serverNow: string }) {
  return (
    <span data-testid="rotation-status">
      <span className="block">{rotationSentence(rotation, serverNow)}</span>
      {rotation.kind !== "unchecked" ? (
        <span className="block text-xs text-slate-500">
          Read from AWS KMS <RelativeTime iso={rotation.checkedAt.toISOString()} serverNow={serverNow} />
        </span>
      ) : null}
    </span>
  );
}

function rotationSentence(rotation: RotationStatus, serverNow: string) {
  switch (rotation.kind) {
    case "on":
      return (
        <>
          On{rotation.periodDays !== null ? `, every ${rotation.periodDays} days` : null}
          {rotation.nextRotationAt ? (
            <>
              , next on{" "}
              <time dateTime={rotation.nextRotationAt.toISOString()} title={formatAbsolute(rotation.nextRotationAt)}>
                {rotation.nextRotationAt.toISOString().slice(0, 10)}
              </time>
            </>
          ) : null}
          .
        </>
      );
    case "off":
      return "Off. AWS KMS does not rotate this key's material by itself.";
    case "denied":
      return (
        <>
          Unknown, because the key policy does not let the platform read it. To show it, grant{" "}
          <code className="font-mono text-xs">kms:GetKeyRotationStatus</code> to <code className="break-all font-mono text-xs">{rotation.principalArn}</code>{" "}
          in a statement without an encryption-context condition, because this call carries no encryption context.
        </>
      );
    case "failed":
      return (
        <>
          Unknown, because AWS KMS returned {rotation.errorCode} when the platform asked. The health check asks again after{" "}
          <RelativeTime iso={rotation.retryAfter.toISOString()} serverNow={serverNow} />.
        </>
      );
    case "unchecked":
      return "Not read yet. The platform reads it at the next passing health check.";
  }
}
