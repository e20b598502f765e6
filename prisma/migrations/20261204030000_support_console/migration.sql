-- CreateEnum
CREATE TYPE "DisableRequestStatus" AS ENUM ('PENDING', 'EXECUTED', 'REJECTED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "RewrapJobStatus" AS ENUM ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED');

-- CreateTable
CREATE TABLE "disable_requests" (
    "id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "requested_by_id" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "status" "DisableRequestStatus" NOT NULL,
    "decided_by_id" UUID,
    "decided_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "disable_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rewrap_jobs" (
    "id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "source_key_arn" TEXT NOT NULL,
    "target_key_arn" TEXT NOT NULL,
    "status" "RewrapJobStatus" NOT NULL,
    "total" INTEGER NOT NULL DEFAULT 0,
    "moved" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "cursor" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "requested_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "rewrap_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "disable_requests_account_id_status_idx" ON "disable_requests"("account_id", "status");

-- CreateIndex
CREATE INDEX "rewrap_jobs_account_id_created_at_idx" ON "rewrap_jobs"("account_id", "created_at");

-- CreateIndex
CREATE INDEX "rewrap_jobs_status_idx" ON "rewrap_jobs"("status");

-- AddForeignKey
ALTER TABLE "disable_requests" ADD CONSTRAINT "disable_requests_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rewrap_jobs" ADD CONSTRAINT "rewrap_jobs_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
