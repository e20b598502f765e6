import type { Metadata } from "next";

import { createApiKeyAction, revokeApiKeyAction } from "@/app/account/api-keys/actions";
import { CreateApiKeyForm } from "@/components/api-keys/create-api-key-form";
import { RevokeApiKeyButton } from "@/components/api-keys/revoke-api-key-button";
import { Card } from "@/components/ui/card";
import { formatAbsolute } from "@/components/ui/format-time";
import { listApiKeys } from "@/lib/api/manage-keys";
import { canManageKey } from "@/lib/auth/authorize";
import { requirePageAccess } from "@/lib/auth/session";
import { db } from "@/lib/db/client";

export const metadata: Metadata = { title: "API keys" };

export default async function ApiKeysPage() {
  const access = await requirePageAccess("/account/api-keys");
  const canManage = canManageKey(access.role);
  const keys = await listApiKeys(db(), access.account.id);

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">API keys</h1>
        <p className="mt-1 max-w-3xl text-sm text-slate-600">
          Services send {access.account.name}&apos;s sessions, messages and facts to the data API at <code className="font-mono text-xs">/api/v1</code>{" "}
          with <code className="font-mono text-xs">Authorization: Bearer &lt;API key&gt;</code>. The platform encrypts what they send under your
          account&apos;s data keys before it stores anything.
        </p>
      </div>

      {canManage ? (
        <Card id="create-api-key" title="Create an API key">
          <CreateApiKeyForm action={createApiKeyAction} />
        </Card>
      ) : null}

      <Card id="api-key-list" title="Keys">
        {keys.length === 0 ? (
          <p className="text-sm text-slate-600">This account has no API keys yet.</p>
        ) : (
          <table className="w-full text-left text-sm">
            <thead className="text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="py-1 pr-4 font-medium">Name</th>
                <th className="py-1 pr-4 font-medium">Key</th>
                <th className="py-1 pr-4 font-medium">Created</th>
                <th className="py-1 pr-4 font-medium">Last used</th>
                <th className="py-1 font-medium">Status</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {keys.map((key) => (
                <tr key={key.id}>
                  <td className="py-2 pr-4 font-medium text-slate-900">{key.name}</td>
                  <td className="py-2 pr-4 font-mono text-xs">byok_{key.prefix}_…</td>
                  <td className="py-2 pr-4 text-slate-600">
                    {formatAbsolute(key.createdAt)}
                    {key.createdBy ? <span className="block text-xs">by {key.createdBy}</span> : null}
                  </td>
                  <td className="py-2 pr-4 text-slate-600">{key.lastUsedAt ? formatAbsolute(key.lastUsedAt) : "Never"}</td>
                  <td className="py-2">
                    {key.revokedAt ? (
                      <span className="text-slate-500">Revoked {formatAbsolute(key.revokedAt)}</span>
                    ) : canManage ? (
                      <RevokeApiKeyButton id={key.id} name={key.name} action={revokeApiKeyAction} />
                    ) : (
                      <span className="text-emerald-700">Active</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}
