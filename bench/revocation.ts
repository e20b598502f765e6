import "./support/quiet-logs";

import { hostname } from "node:os";

import { KMSClient, PutKeyPolicyCommand } from "@aws-sdk/client-kms";

import type { HealthDeps } from "@/lib/health/service";
import { startKeyHealthWorker } from "@/lib/jobs/key-health-worker";
import { createFact, findFact } from "@/lib/tenant-data/repository";

import { printMachineFacts } from "./support/report";
import { PRODUCTION_CACHE, REGION, SERVICE, startBenchStack } from "./support/stack";

/**
 * Measures the time from revocation (the tenant removes the platform's statement from the
 * key policy) to the first rejected write and to the first failed read. The settings are
 * the defaults: health checks every 60 s (swept every 10 s), a 5 s key-choice refresh,
 * and a 300 s data key cache. One app instance writes and another reads, every 100 ms, through the real
 * pg-boss worker, PostgreSQL and the local KMS. It takes about six minutes.
 *
 *   npx tsx --conditions=react-server bench/revocation.ts
 */

printMachineFacts("Revocation timing");
const stack = await startBenchStack();
const worker = { stop: async () => undefined } as { stop: () => Promise<void> };

try {
  const accountId = await stack.createAccount({ byok: true });
  const config = await stack.prisma.encryptionConfig.findUniqueOrThrow({ where: { accountId } });
  const writer = stack.tenantData();
  const reader = stack.tenantData();
  const first = await createFact(writer.client, accountId, { content: "written before revocation" });
  await findFact(reader.client, accountId, first!.id);

  const { createKmsClient } = await import("@/lib/kms/client");
  const deps: HealthDeps = {
    prisma: stack.prisma,
    kms: createKmsClient({ region: REGION, endpoint: stack.localKms.url, timeoutMs: 3_000, maxAttempts: 3, credentials: { accessKeyId: "AKIABENCHPLATFORM001", secretAccessKey: "bench-placeholder" } }),
    settings: { serviceName: SERVICE, serviceRegion: REGION, principalArn: "arn:aws:iam::467218391112:role/zep-byok", platformKeyArn: stack.platformKeyArn, kmsTimeoutMs: 3_000, kmsMaxAttempts: 3, healthCheckIntervalMs: 60_000, instance: hostname() },
    health: { intervalMs: 60_000, retryBaseMs: 5_000, suspendAfterMs: 72 * 3_600_000, degradedNotifyAfterMs: 15 * 60_000 },
    events: null,
  };
  // The account was just validated, so its first health check is one interval away.
  await stack.prisma.encryptionConfig.update({ where: { accountId }, data: { nextHealthCheckAt: new Date(Date.now() + 60_000) } });
  Object.assign(worker, await startKeyHealthWorker({ connection: { connectionString: stack.databaseUrl }, deps, sweepEveryMs: 10_000 }));

  const revokedAt = Date.now();
  // The bench stack maps this access key to the tenant's key administrator.
  const tenantKms = new KMSClient({ region: REGION, endpoint: stack.localKms.url, credentials: { accessKeyId: "AKIABENCHTENANT00001", secretAccessKey: "bench-placeholder" }, maxAttempts: 1 });
  await tenantKms.send(
    new PutKeyPolicyCommand({
      KeyId: config.keyArn,
      PolicyName: "default",
      Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "KeyAdministration", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "kms:*", Resource: "*" }] }),
    }),
  );

  let firstRejectedWrite: number | null = null;
  let firstFailedRead: number | null = null;
  const deadline = revokedAt + PRODUCTION_CACHE.ttlMs + 120_000;
  while ((firstRejectedWrite === null || firstFailedRead === null) && Date.now() < deadline) {
    if (firstRejectedWrite === null) {
      await createFact(writer.client, accountId, { content: "during revocation" }).catch(() => (firstRejectedWrite = Date.now()));
    }
    if (firstFailedRead === null) {
      await findFact(reader.client, accountId, first!.id).catch(() => (firstFailedRead = Date.now()));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const seconds = (at: number | null) => (at === null ? "not within the deadline" : `${((at - revokedAt) / 1000).toFixed(1)} s`);
  console.log(`\n| event | time after revocation |\n| --- | ---: |`);
  console.log(`| first rejected write | ${seconds(firstRejectedWrite)} |`);
  console.log(`| first failed read | ${seconds(firstFailedRead)} |`);
} finally {
  await worker.stop();
  await stack.close();
}
