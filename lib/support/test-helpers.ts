import { randomUUID } from "node:crypto";

import type { PrismaClient } from "@/lib/db/generated/client";

import { authorizeSupport, type SupportActor } from "./authorize";

/** Creates a user with the global SUPPORT role and no membership, and authorizes it as a support actor. */
export async function createSupportActor(prisma: PrismaClient): Promise<SupportActor> {
  const tag = randomUUID().slice(0, 8);
  const user = await prisma.user.create({ data: { email: `support-${tag}@platform.example`, name: `Support ${tag}`, globalRole: "SUPPORT" } });
  return authorizeSupport(prisma, { userId: user.id, action: "test.setup" });
}

/** Gives an account an ACTIVE key configuration, as a successful save would leave it. */
export async function activateByok(prisma: PrismaClient, accountId: string, keyArn = `arn:aws:kms:us-west-2:111122223333:key/${randomUUID()}`): Promise<string> {
  const now = new Date();
  await prisma.encryptionConfig.create({
    data: {
      accountId,
      keyArn,
      keyRegion: "us-west-2",
      keyAwsAccountId: "111122223333",
      keyId: keyArn.split("key/")[1] ?? "",
      multiRegion: false,
      state: "ACTIVE",
      stateChangedAt: now,
      lastValidatedAt: now,
      enabledAt: now,
      nextHealthCheckAt: new Date(now.getTime() + 60_000),
    },
  });
  return keyArn;
}
