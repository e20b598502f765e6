-- AlterEnum
ALTER TYPE "RewrapJobStatus" ADD VALUE 'CANCELLED';

-- CreateEnum
CREATE TYPE "RewrapJobKind" AS ENUM ('TO_PLATFORM', 'FROM_PLATFORM', 'ROTATION', 'KEY_CHANGE');

-- AlterTable
ALTER TABLE "encryption_configs" ADD COLUMN     "next_rewrap_at" TIMESTAMPTZ(3),
ADD COLUMN     "next_rotation_at" TIMESTAMPTZ(3),
ADD COLUMN     "rewrap_interval_days" INTEGER,
ADD COLUMN     "rotation_checked_at" TIMESTAMPTZ(3),
ADD COLUMN     "rotation_enabled" BOOLEAN,
ADD COLUMN     "rotation_error_code" TEXT,
ADD COLUMN     "rotation_period_days" INTEGER;

-- AlterTable
ALTER TABLE "rewrap_jobs" ADD COLUMN     "kind" "RewrapJobKind" NOT NULL DEFAULT 'TO_PLATFORM';

-- CreateIndex
CREATE INDEX "encryption_configs_next_rewrap_at_idx" ON "encryption_configs"("next_rewrap_at");
