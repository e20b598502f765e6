import type { Metadata } from "next";

import {
  cancelRewrapAction,
  protectOlderDataAction,
  requestRewrapAction,
  saveKeyConfigurationAction,
  setRewrapScheduleAction,
  testKeyConnectionAction,
} from "@/app/account/encryption/actions";
import { ConnectKeyForm } from "@/components/encryption/connect-key-form";
import { EntitlementNotice } from "@/components/encryption/entitlement-notice";
import { KeyUsageCard } from "@/components/encryption/key-usage-card";
import { KeyPolicyHelper } from "@/components/encryption/key-policy-helper";
import { SetupFacts } from "@/components/encryption/setup-facts";
import { StatusCard } from "@/components/encryption/status-card";
import { KeyChangeBanner } from "@/components/rewrap/key-change-banner";
import { RewrapCard } from "@/components/rewrap/rewrap-card";
import { Card } from "@/components/ui/card";
import { canManageKey } from "@/lib/auth/authorize";
import { requirePageAccess } from "@/lib/auth/session";
import { byokSettings } from "@/lib/byok/settings";
import { loadEncryptionStatus } from "@/lib/byok/status";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { buildEncryptionContext } from "@/lib/kms/context";
import { loadUsageByKey, recentRewrapJobs, type RewrapJobView } from "@/lib/rewrap/summary";

export const metadata: Metadata = { title: "Encryption" };

export default async function EncryptionPage() {
  const access = await requirePageAccess("/account/encryption");
  const settings = byokSettings();
  const canManage = canManageKey(access.role);
  const config = env();
  const status = access.account.byokAddOn ? await loadEncryptionStatus(db(), access.account.id, config.DEK_CACHE_TTL_SECONDS * 1000) : null;
  const [usage, jobs] = await Promise.all([loadUsageByKey(db(), access.account.id), recentRewrapJobs(db(), access.account.id)]);
  const currentKeyArn = status && status.state !== "DISABLED" ? status.keyArn : undefined;
  const schedule = currentKeyArn ? status?.rewrapSchedule : undefined;
  const keyChange = latestKeyChange(jobs, currentKeyArn);
  const keyChangeRunning = keyChange && (keyChange.status === "PENDING" || keyChange.status === "RUNNING");
  const serverNow = new Date();
  const encryptionContext = buildEncryptionContext(settings.serviceName, access.account.id);
  const demoKeys = [
    config.DEMO_KEY_ARN ? { label: "Key that works", arn: config.DEMO_KEY_ARN } : null,
    config.DEMO_NEXT_KEY_ARN ? { label: "Second key that works, to try a key change", arn: config.DEMO_NEXT_KEY_ARN } : null,
    config.DEMO_DENIED_KEY_ARN ? { label: "Key whose policy denies Decrypt", arn: config.DEMO_DENIED_KEY_ARN } : null,
  ].filter((key) => key !== null);

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">Encryption</h1>
        <p className="mt-1 max-w-3xl text-sm text-slate-600">
          Encrypt {access.account.name}&apos;s data at rest under an AWS KMS key that you own. The platform asks your key for data keys
          and never sees the key itself; you can audit every use in CloudTrail and revoke access at any time.
        </p>
      </div>

      {!access.account.byokAddOn ? (
        <EntitlementNotice accountName={access.account.name} />
      ) : (
        <>
          <StatusCard status={status} serverNow={serverNow} testAction={canManage && status ? testKeyConnectionAction : undefined} />
          {keyChange ? <KeyChangeBanner job={keyChange} /> : null}
          <KeyUsageCard rows={usage} currentKeyArn={currentKeyArn} changingToArn={keyChangeRunning ? keyChange.targetKeyArn : undefined} />
          {status && schedule ? (
            <RewrapCard
              keyArn={status.keyArn}
              jobs={jobs}
              intervalDays={schedule.intervalDays}
              nextRewrapAt={schedule.nextRewrapAt}
              olderDataKeys={usage.filter((row) => row.source === "PLATFORM").reduce((sum, row) => sum + row.dataKeys, 0)}
              serverNow={serverNow}
              actions={canManage ? { requestRewrap: requestRewrapAction, protectOlderData: protectOlderDataAction, setSchedule: setRewrapScheduleAction, cancel: cancelRewrapAction } : undefined}
            />
          ) : null}

          {canManage ? (
            <>
              <Card
                id="connect"
                title={status ? "Change key" : "Connect your key"}
                description="Paste the ARN of a symmetric AWS KMS key whose key policy grants the platform the statement below."
              >
                <ConnectKeyForm
                  serviceRegion={settings.serviceRegion}
                  currentKeyArn={currentKeyArn}
                  olderDataKeys={schedule ? undefined : (usage.find((row) => row.source === "PLATFORM")?.dataKeys ?? 0)}
                  action={saveKeyConfigurationAction}
                  demoKeys={demoKeys}
                />
              </Card>

              <Card id="key-policy" title="Key policy" description="Your key's policy must allow the platform role to generate and decrypt data keys under your account's encryption context.">
                <div className="space-y-6">
                  <SetupFacts
                    accountUuid={access.account.id}
                    principalArn={settings.principalArn}
                    serviceRegion={settings.serviceRegion}
                    encryptionContext={encryptionContext}
                  />
                  <KeyPolicyHelper
                    accountUuid={access.account.id}
                    principalArn={settings.principalArn}
                    serviceName={settings.serviceName}
                    serviceRegion={settings.serviceRegion}
                    keyArn={status?.keyArn}
                    tenantAwsAccountId={status?.keyAwsAccountId}
                  />
                </div>
              </Card>
            </>
          ) : (
            <p className="text-sm text-slate-600" data-testid="read-only-note">
              You can see the key status because you are a member of {access.account.name}. Only owners and admins can connect or test a key.
            </p>
          )}
        </>
      )}
    </div>
  );
}

// The key change to show above the usage: one still running, or the newest one when it
// stopped and the account still uses the key it started from.
function latestKeyChange(jobs: RewrapJobView[], currentKeyArn: string | undefined): RewrapJobView | undefined {
  const newest = jobs.find((job) => job.kind === "KEY_CHANGE");
  if (!newest) return undefined;
  if (newest.status === "PENDING" || newest.status === "RUNNING") return newest;
  if (newest.status === "FAILED" && newest.sourceKeyArn === currentKeyArn) return newest;
  return undefined;
}
