import type { PrismaClient } from "@/lib/db/generated/client";

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
