-- CreateEnum
CREATE TYPE "MembershipRole" AS ENUM ('OWNER', 'ADMIN', 'MEMBER');

-- CreateEnum
CREATE TYPE "GlobalRole" AS ENUM ('SUPPORT');

-- CreateEnum
CREATE TYPE "KeyState" AS ENUM ('ACTIVE', 'DEGRADED', 'UNAVAILABLE', 'DISABLED');

-- CreateEnum
CREATE TYPE "ActorType" AS ENUM ('USER', 'SUPPORT', 'SYSTEM');

-- CreateEnum
CREATE TYPE "AuditOutcome" AS ENUM ('SUCCESS', 'FAILURE', 'DENIED');

-- CreateEnum
CREATE TYPE "KeyCheckTrigger" AS ENUM ('SAVE', 'TEST_CONNECTION', 'HEALTH_CHECK');

-- CreateEnum
CREATE TYPE "KmsCallCause" AS ENUM ('VALIDATION', 'TEST_CONNECTION', 'HEALTH_CHECK', 'DATA_KEY_CREATE', 'DECRYPT_CACHE_MISS', 'REWRAP');

-- CreateTable
CREATE TABLE "accounts" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "byok_add_on" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "password_hash" TEXT,
    "global_role" "GlobalRole",
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memberships" (
    "id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "role" "MembershipRole" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memberships_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "encryption_configs" (
    "account_id" UUID NOT NULL,
    "key_arn" TEXT NOT NULL,
    "key_region" TEXT NOT NULL,
    "key_aws_account_id" VARCHAR(12) NOT NULL,
    "key_id" TEXT NOT NULL,
    "multi_region" BOOLEAN NOT NULL,
    "state" "KeyState" NOT NULL,
    "state_changed_at" TIMESTAMPTZ(3) NOT NULL,
    "last_validated_at" TIMESTAMPTZ(3) NOT NULL,
    "last_error_code" TEXT,
    "last_error_message" TEXT,
    "last_error_at" TIMESTAMPTZ(3),
    "enabled_by_id" UUID,
    "enabled_at" TIMESTAMPTZ(3) NOT NULL,
    "disabled_by_id" UUID,
    "disabled_at" TIMESTAMPTZ(3),
    "disabled_reason" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "encryption_configs_pkey" PRIMARY KEY ("account_id")
);

-- CreateTable
CREATE TABLE "key_checks" (
    "id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "key_arn" TEXT NOT NULL,
    "trigger" "KeyCheckTrigger" NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "error_code" TEXT,
    "latency_ms" INTEGER NOT NULL,
    "checked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "key_checks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "kms_calls" (
    "id" BIGSERIAL NOT NULL,
    "account_id" UUID NOT NULL,
    "key_arn" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "encryption_context" JSONB NOT NULL,
    "request_id" TEXT,
    "ok" BOOLEAN NOT NULL,
    "error_code" TEXT,
    "cause" "KmsCallCause" NOT NULL,
    "latency_ms" INTEGER NOT NULL,
    "instance" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "kms_calls_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "account_id" UUID,
    "actor_type" "ActorType" NOT NULL,
    "actor_user_id" UUID,
    "actor_email" TEXT,
    "action" TEXT NOT NULL,
    "outcome" "AuditOutcome" NOT NULL,
    "error_code" TEXT,
    "key_arn" TEXT,
    "before" JSONB,
    "after" JSONB,
    "details" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE INDEX "memberships_user_id_idx" ON "memberships"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "memberships_account_id_user_id_key" ON "memberships"("account_id", "user_id");

-- CreateIndex
CREATE INDEX "encryption_configs_key_arn_idx" ON "encryption_configs"("key_arn");

-- CreateIndex
CREATE INDEX "key_checks_account_id_checked_at_idx" ON "key_checks"("account_id", "checked_at");

-- CreateIndex
CREATE INDEX "kms_calls_account_id_created_at_idx" ON "kms_calls"("account_id", "created_at");

-- CreateIndex
CREATE INDEX "audit_events_account_id_created_at_idx" ON "audit_events"("account_id", "created_at");

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "encryption_configs" ADD CONSTRAINT "encryption_configs_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "encryption_configs" ADD CONSTRAINT "encryption_configs_enabled_by_id_fkey" FOREIGN KEY ("enabled_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "encryption_configs" ADD CONSTRAINT "encryption_configs_disabled_by_id_fkey" FOREIGN KEY ("disabled_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "key_checks" ADD CONSTRAINT "key_checks_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Append-only tables (not expressible in schema.prisma): the application may insert
-- audit and KMS-call rows but never change or remove them.
CREATE FUNCTION "reject_append_only_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "audit_events_append_only"
    BEFORE UPDATE OR DELETE ON "audit_events"
    FOR EACH ROW EXECUTE FUNCTION "reject_append_only_change"();

CREATE TRIGGER "audit_events_no_truncate"
    BEFORE TRUNCATE ON "audit_events"
    FOR EACH STATEMENT EXECUTE FUNCTION "reject_append_only_change"();

CREATE TRIGGER "kms_calls_append_only"
    BEFORE UPDATE OR DELETE ON "kms_calls"
    FOR EACH ROW EXECUTE FUNCTION "reject_append_only_change"();

CREATE TRIGGER "kms_calls_no_truncate"
    BEFORE TRUNCATE ON "kms_calls"
    FOR EACH STATEMENT EXECUTE FUNCTION "reject_append_only_change"();
