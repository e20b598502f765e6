-- CreateEnum
CREATE TYPE "NotificationKind" AS ENUM ('KEY_UNAVAILABLE', 'KEY_DEGRADED', 'KEY_RESTORED', 'ACCOUNT_SUSPENDED');

-- CreateEnum
CREATE TYPE "NotificationStatus" AS ENUM ('SENT', 'FAILED', 'SUPPRESSED');

-- AlterTable
ALTER TABLE "encryption_configs" ADD COLUMN     "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "next_health_check_at" TIMESTAMPTZ(3),
ADD COLUMN     "restored_at" TIMESTAMPTZ(3),
ADD COLUMN     "suspended_at" TIMESTAMPTZ(3),
ADD COLUMN     "unavailable_since" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "notifications" (
    "id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "kind" "NotificationKind" NOT NULL,
    "status" "NotificationStatus" NOT NULL,
    "recipients" TEXT[],
    "subject" TEXT NOT NULL,
    "detail" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "encryption_configs_next_health_check_at_idx" ON "encryption_configs"("next_health_check_at");

-- CreateIndex
CREATE INDEX "notifications_account_id_kind_created_at_idx" ON "notifications"("account_id", "kind", "created_at");

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
