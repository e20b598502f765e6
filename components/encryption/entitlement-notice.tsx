import { Card } from "@/components/ui/card";

/** Explains BYOK and how to get it to accounts without the add-on. */
export function EntitlementNotice({ accountName }: { accountName: string }) {
  return (
    <Card id="entitlement" title="Bring your own key (BYOK) is an add-on">
      <div className="space-y-3 text-sm text-slate-700">
        <p>
          Today, {accountName}&apos;s data is encrypted at rest under a key that the platform manages. With the BYOK add-on, you connect a
          symmetric key from your own AWS KMS account instead:
        </p>
        <ul className="list-disc space-y-1 pl-5">
          <li>Every use of your key by the platform appears in your AWS CloudTrail, so you can audit it.</li>
          <li>You can cut off the platform at any moment by disabling the key or changing its key policy.</li>
          <li>Data keys are generated and unwrapped by your key, under an encryption context that names your account.</li>
        </ul>
        <p className="font-medium text-slate-900">
          To get the add-on, ask platform support or your account manager to enable BYOK for {accountName}. Once it is enabled, owners
          and admins connect a key on this page.
        </p>
      </div>
    </Card>
  );
}
