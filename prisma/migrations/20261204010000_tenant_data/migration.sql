-- CreateEnum
CREATE TYPE "DataKeySource" AS ENUM ('TENANT', 'PLATFORM');

-- CreateEnum
CREATE TYPE "DataKeyState" AS ENUM ('ACTIVE', 'RETIRED');

-- CreateEnum
CREATE TYPE "MessageRole" AS ENUM ('USER', 'ASSISTANT', 'SYSTEM', 'TOOL');

-- CreateTable
CREATE TABLE "data_keys" (
    "id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "serial" INTEGER NOT NULL,
    "source" "DataKeySource" NOT NULL,
    "kms_key_arn" TEXT NOT NULL,
    "wrapped_key" BYTEA NOT NULL,
    "encryption_context" JSONB NOT NULL,
    "state" "DataKeyState" NOT NULL DEFAULT 'ACTIVE',
    "reserved_uses" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retired_at" TIMESTAMPTZ(3),
    "rewrapped_at" TIMESTAMPTZ(3),

    CONSTRAINT "data_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_by_id" UUID,

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memory_sessions" (
    "id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "external_id" TEXT,
    "data_key_id" UUID,
    "metadata" BYTEA,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "memory_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "messages" (
    "id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "session_id" UUID NOT NULL,
    "data_key_id" UUID NOT NULL,
    "role" "MessageRole" NOT NULL,
    "content" BYTEA NOT NULL,
    "metadata" BYTEA,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "facts" (
    "id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "session_id" UUID,
    "data_key_id" UUID NOT NULL,
    "content" BYTEA NOT NULL,
    "metadata" BYTEA,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "facts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "data_keys_account_id_state_idx" ON "data_keys"("account_id", "state");

-- CreateIndex
CREATE UNIQUE INDEX "data_keys_account_id_serial_key" ON "data_keys"("account_id", "serial");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys"("prefix");

-- CreateIndex
CREATE INDEX "api_keys_account_id_idx" ON "api_keys"("account_id");

-- CreateIndex
CREATE INDEX "memory_sessions_account_id_created_at_idx" ON "memory_sessions"("account_id", "created_at");

-- CreateIndex
CREATE INDEX "memory_sessions_data_key_id_idx" ON "memory_sessions"("data_key_id");

-- CreateIndex
CREATE UNIQUE INDEX "memory_sessions_account_id_external_id_key" ON "memory_sessions"("account_id", "external_id");

-- CreateIndex
CREATE INDEX "messages_session_id_created_at_idx" ON "messages"("session_id", "created_at");

-- CreateIndex
CREATE INDEX "messages_account_id_created_at_idx" ON "messages"("account_id", "created_at");

-- CreateIndex
CREATE INDEX "messages_data_key_id_idx" ON "messages"("data_key_id");

-- CreateIndex
CREATE INDEX "facts_account_id_created_at_idx" ON "facts"("account_id", "created_at");

-- CreateIndex
CREATE INDEX "facts_data_key_id_idx" ON "facts"("data_key_id");

-- AddForeignKey
ALTER TABLE "data_keys" ADD CONSTRAINT "data_keys_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memory_sessions" ADD CONSTRAINT "memory_sessions_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memory_sessions" ADD CONSTRAINT "memory_sessions_data_key_id_fkey" FOREIGN KEY ("data_key_id") REFERENCES "data_keys"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "memory_sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_data_key_id_fkey" FOREIGN KEY ("data_key_id") REFERENCES "data_keys"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "facts" ADD CONSTRAINT "facts_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "facts" ADD CONSTRAINT "facts_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "memory_sessions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "facts" ADD CONSTRAINT "facts_data_key_id_fkey" FOREIGN KEY ("data_key_id") REFERENCES "data_keys"("id") ON DELETE NO ACTION ON UPDATE CASCADE;
