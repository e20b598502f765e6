import type { DataKeySource, PrismaClient, RewrapJob } from "@/lib/db/generated/client";

/** The fields of a re-wrap job that pages show. */
export type RewrapJobView = Pick<
  RewrapJob,
  "id" | "kind" | "status" | "sourceKeyArn" | "targetKeyArn" | "total" | "moved" | "failed" | "lastError" | "requestedBy" | "createdAt" | "finishedAt"
>;

export interface UnmovedSummary {
  /** Data keys of the account still wrapped by the KMS key. */
  dataKeys: number;
  /** Memory sessions, messages and facts encrypted with those data keys. */
  records: number;
}

/** Counts the account's data keys still wrapped by `kmsKeyArn` and the records that use them. */
export async function summarizeUnmoved(prisma: PrismaClient, accountId: string, kmsKeyArn: string): Promise<UnmovedSummary> {
  const underKey = { accountId, dataKey: { kmsKeyArn } };
  const [dataKeys, sessions, messages, facts] = await Promise.all([
    prisma.dataKey.count({ where: { accountId, kmsKeyArn } }),
    prisma.memorySession.count({ where: underKey }),
    prisma.message.count({ where: underKey }),
    prisma.fact.count({ where: underKey }),
  ]);
  return { dataKeys, records: sessions + messages + facts };
}

export interface KeyUsageRow {
  kmsKeyArn: string;
  source: DataKeySource;
  dataKeys: number;
  /** Memory sessions, messages and facts encrypted with those data keys. */
  records: number;
}

/** Counts the account's data keys and records by the KMS key that wraps them, most records first. */
export async function loadUsageByKey(prisma: PrismaClient, accountId: string): Promise<KeyUsageRow[]> {
  const rows = await prisma.$queryRaw<{ kms_key_arn: string; source: DataKeySource; data_keys: bigint; records: bigint }[]>`
    SELECT dk.kms_key_arn, dk.source, count(DISTINCT dk.id) AS data_keys, count(r.data_key_id) AS records
    FROM data_keys dk
    LEFT JOIN (
      SELECT data_key_id FROM memory_sessions WHERE account_id = ${accountId}::uuid AND data_key_id IS NOT NULL
      UNION ALL SELECT data_key_id FROM messages WHERE account_id = ${accountId}::uuid
      UNION ALL SELECT data_key_id FROM facts WHERE account_id = ${accountId}::uuid
    ) AS r ON r.data_key_id = dk.id
    WHERE dk.account_id = ${accountId}::uuid
    GROUP BY dk.kms_key_arn, dk.source
    ORDER BY records DESC, dk.kms_key_arn`;
  return rows.map((row) => ({ kmsKeyArn: row.kms_key_arn, source: row.source, dataKeys: Number(row.data_keys), records: Number(row.records) }));
}

/** Lists the account's newest re-wrap jobs, newest first. */
export function recentRewrapJobs(prisma: PrismaClient, accountId: string, take = 5): Promise<RewrapJob[]> {
  return prisma.rewrapJob.findMany({ where: { accountId }, orderBy: { createdAt: "desc" }, take });
}
