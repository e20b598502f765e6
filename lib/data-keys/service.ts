import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from "@aws-sdk/client-kms";

import type { DataKeySource, KmsCallCause, PrismaClient } from "@/lib/db/generated/client";
import { DataKeyCache } from "@/lib/data-keys/cache";
import { DataKeyUnavailableError } from "@/lib/data-keys/errors";
import { buildEncryptionContext } from "@/lib/kms/context";
import { classifyKmsError, keyFailure, type KeyFailure, type KmsOperation } from "@/lib/kms/failures";
import { log } from "@/lib/log";

/**
 * Data keys (DEKs) of tenant accounts: which key encrypts new records, and the plaintext
 * of any stored key for reads.
 *
 * Writes: each account has one ACTIVE data key per KMS key. New records use the account's
 * tenant key while BYOK is active or degraded, and the platform key otherwise. An app
 * instance reserves encryptions in batches with one UPDATE, so the total per data key
 * stays under `maxEncryptionsPerKey` across all instances. A new key is made when the
 * limit or `maxKeyAgeMs` is reached or the KMS key changes. The new key's wrapped form is
 * committed before any record uses it. Instances re-read the account's choice of KMS key
 * after `writeLeaseMs`, so activation or deactivation reaches every instance within that
 * time.
 *
 * Reads: the stored key is unwrapped with Decrypt, with KeyId pinned to the stored key ARN
 * and the stored encryption context, then cached (see cache.ts). Live traffic makes no
 * KMS call while the key is cached.
 */

export interface DataKeySettings {
  serviceName: string;
  platformKeyArn: string;
  maxEncryptionsPerKey: number;
  maxKeyAgeMs: number;
  /** Field encryptions reserved per database round trip. */
  reserveBatch: number;
  writeLeaseMs: number;
  instance: string;
}

export interface DataKeyServiceDeps {
  prisma: PrismaClient;
  kms: KMSClient;
  cache: DataKeyCache;
  settings: DataKeySettings;
  /** Called when the tenant's key refused a call on live traffic, so the account is marked unavailable at once. */
  onKeyRefused?: (accountId: string, kmsKeyArn: string, failure: KeyFailure) => Promise<void>;
}

export interface WriteKey {
  dataKeyId: string;
  serial: number;
  source: DataKeySource;
  /** Valid only until the caller's next await: the cache may zero it after that. */
  key: Buffer;
}

interface Lease {
  dataKeyId: string;
  serial: number;
  source: DataKeySource;
  remaining: number;
  validUntil: number;
}

interface TargetKey {
  source: DataKeySource;
  kmsKeyArn: string;
}

export class DataKeyService {
  private readonly leases = new Map<string, Lease>();
  private readonly renewing = new Map<string, Promise<Lease>>();

  constructor(private readonly deps: DataKeyServiceDeps) {}

  /** Returns the data key for `uses` new field encryptions of the account, making one if needed. */
  async keyForWrite(accountId: string, uses: number): Promise<WriteKey> {
    let lease = this.leases.get(accountId);
    if (!lease || lease.validUntil <= Date.now() || lease.remaining < uses) {
      lease = await this.renewLease(accountId, uses);
    }
    lease.remaining -= uses;
    const key = await this.keyForRead(accountId, lease.serial);
    return { dataKeyId: lease.dataKeyId, serial: lease.serial, source: lease.source, key };
  }

  /** Returns the plaintext of the account's data key `serial`, from the cache or through KMS Decrypt. */
  keyForRead(accountId: string, serial: number): Promise<Buffer> {
    return this.deps.cache.getOrLoad(accountId, serial, () => this.unwrap(accountId, serial));
  }

  /** Forgets this instance's write lease of an account, so the next write re-reads its key choice. */
  dropLease(accountId: string): void {
    this.leases.delete(accountId);
  }

  private renewLease(accountId: string, uses: number): Promise<Lease> {
    const pending = this.renewing.get(accountId);
    if (pending) return pending;
    const promise = this.loadLease(accountId, uses).finally(() => this.renewing.delete(accountId));
    this.renewing.set(accountId, promise);
    return promise;
  }

  private async loadLease(accountId: string, uses: number): Promise<Lease> {
    const { prisma, settings } = this.deps;
    const target = await this.targetKey(accountId);
    const batch = Math.max(settings.reserveBatch, uses);
    const oldestAllowed = new Date(Date.now() - settings.maxKeyAgeMs);

    const reserved = await prisma.$queryRaw<{ id: string; serial: number; source: DataKeySource }[]>`
      UPDATE "data_keys" SET "reserved_uses" = "reserved_uses" + ${batch}
      WHERE "id" = (
        SELECT "id" FROM "data_keys"
        WHERE "account_id" = ${accountId}::uuid AND "state" = 'ACTIVE' AND "kms_key_arn" = ${target.kmsKeyArn}
          AND "created_at" > ${oldestAllowed} AND "reserved_uses" + ${batch} <= ${settings.maxEncryptionsPerKey}
        ORDER BY "serial" DESC LIMIT 1
      )
      RETURNING "id", "serial", "source"`;
    const row = reserved[0] ?? (await this.createDataKeyForCurrentChoice(accountId, target, batch));

    const lease: Lease = {
      dataKeyId: row.id,
      serial: row.serial,
      source: row.source,
      remaining: batch,
      validUntil: Date.now() + settings.writeLeaseMs,
    };
    this.leases.set(accountId, lease);
    return lease;
  }

  private async targetKey(accountId: string): Promise<TargetKey> {
    const config = await this.deps.prisma.encryptionConfig.findUnique({
      where: { accountId },
      select: { state: true, keyArn: true },
    });
    if (!config || config.state === "DISABLED") return { source: "PLATFORM", kmsKeyArn: this.deps.settings.platformKeyArn };
    if (config.state === "UNAVAILABLE") {
      throw new DataKeyUnavailableError(accountId, config.keyArn, keyFailure("KEY_ACCESS_DENIED", "GenerateDataKey"));
    }
    return { source: "TENANT", kmsKeyArn: config.keyArn };
  }

  // Makes a data key under `target`, or under the account's new choice when that changed
  // between reading it and storing the key.
  private async createDataKeyForCurrentChoice(accountId: string, target: TargetKey, reservedUses: number) {
    try {
      return await this.createDataKey(accountId, target, reservedUses);
    } catch (error) {
      if (!(error instanceof KeyChoiceChangedError)) throw error;
      log.info("data_key.choice_changed", { accountId, kmsKeyArn: target.kmsKeyArn });
      return this.createDataKey(accountId, await this.targetKey(accountId), reservedUses);
    }
  }

  private async createDataKey(accountId: string, target: TargetKey, reservedUses: number) {
    const { prisma, kms, cache, settings } = this.deps;
    const encryptionContext = buildEncryptionContext(settings.serviceName, accountId);
    const generated = await this.callKms(accountId, target.source, "GenerateDataKey", target.kmsKeyArn, encryptionContext, "DATA_KEY_CREATE", () =>
      kms.send(new GenerateDataKeyCommand({ KeyId: target.kmsKeyArn, KeySpec: "AES_256", EncryptionContext: { ...encryptionContext } })),
    );
    const plaintext = takeKey(generated.Plaintext);
    if (!generated.CiphertextBlob || !plaintext || generated.KeyId !== target.kmsKeyArn) {
      plaintext?.fill(0);
      throw new DataKeyUnavailableError(accountId, target.kmsKeyArn, keyFailure("KEY_MISMATCH", "GenerateDataKey", generated.$metadata.requestId));
    }

    try {
      const row = await prisma.$transaction(async (tx) => {
        // Serializes key creation per account, so serials stay dense and unique.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${accountId}, 0))`;
        // Locks the account's key choice while the key is stored. A key change or a disable
        // (which lock the row FOR UPDATE) then either finds this key or is found by this insert.
        const [config] = await tx.$queryRaw<{ key_arn: string; state: string }[]>`
          SELECT "key_arn", "state" FROM "encryption_configs" WHERE "account_id" = ${accountId}::uuid FOR SHARE`;
        if (!isStillTarget(config, target)) throw new KeyChoiceChangedError(accountId);
        const last = await tx.dataKey.findFirst({ where: { accountId }, orderBy: { serial: "desc" }, select: { serial: true } });
        const created = await tx.dataKey.create({
          data: {
            accountId,
            serial: (last?.serial ?? 0) + 1,
            source: target.source,
            kmsKeyArn: target.kmsKeyArn,
            wrappedKey: Uint8Array.from(generated.CiphertextBlob!),
            encryptionContext: { ...encryptionContext },
            reservedUses,
          },
          select: { id: true, serial: true, source: true },
        });
        await tx.dataKey.updateMany({
          where: { accountId, state: "ACTIVE", id: { not: created.id } },
          data: { state: "RETIRED", retiredAt: new Date() },
        });
        return created;
      });
      cache.put(accountId, row.serial, plaintext);
      log.info("data_key.created", { accountId, serial: row.serial, source: row.source, kmsKeyArn: target.kmsKeyArn });
      return row;
    } catch (error) {
      plaintext.fill(0);
      throw error;
    }
  }

  private async unwrap(accountId: string, serial: number): Promise<Buffer> {
    const { prisma, kms } = this.deps;
    const row = await prisma.dataKey.findUnique({ where: { accountId_serial: { accountId, serial } } });
    if (!row) throw new DataKeyNotFoundError(accountId, serial);

    const encryptionContext = row.encryptionContext as Record<string, string>;
    const decrypted = await this.callKms(accountId, row.source, "Decrypt", row.kmsKeyArn, encryptionContext, "DECRYPT_CACHE_MISS", () =>
      kms.send(new DecryptCommand({ CiphertextBlob: row.wrappedKey, KeyId: row.kmsKeyArn, EncryptionContext: encryptionContext })),
    );
    const plaintext = takeKey(decrypted.Plaintext);
    if (!plaintext || decrypted.KeyId !== row.kmsKeyArn) {
      plaintext?.fill(0);
      throw new DataKeyUnavailableError(accountId, row.kmsKeyArn, keyFailure("KEY_MISMATCH", "Decrypt", decrypted.$metadata.requestId));
    }
    return plaintext;
  }

  private async callKms<T extends { $metadata: { requestId?: string } }>(
    accountId: string,
    source: DataKeySource,
    operation: KmsOperation,
    kmsKeyArn: string,
    encryptionContext: Record<string, string>,
    cause: KmsCallCause,
    send: () => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    let result: T | undefined;
    let failure: ReturnType<typeof classifyKmsError> | undefined;
    try {
      result = await send();
    } catch (error) {
      failure = classifyKmsError(error, operation);
      log.warn("kms.call.failed", { accountId, operation, kmsKeyArn, requestId: failure.requestId, awsError: failure.awsErrorName, error });
    }
    const latencyMs = Math.round(performance.now() - started);

    // Calls with a tenant's key are recorded so the tenant can match them to CloudTrail.
    if (source === "TENANT") {
      await this.deps.prisma.kmsCall.create({
        data: {
          accountId,
          keyArn: kmsKeyArn,
          operation,
          encryptionContext: { ...encryptionContext },
          requestId: result?.$metadata.requestId ?? failure?.requestId ?? null,
          ok: failure === undefined,
          errorCode: failure?.awsErrorName ?? null,
          cause,
          latencyMs,
          instance: this.deps.settings.instance,
        },
      });
    }
    if (failure) {
      if (source === "TENANT" && failure.keyRefused && this.deps.onKeyRefused) {
        this.dropLease(accountId);
        await this.deps.onKeyRefused(accountId, kmsKeyArn, failure).catch((error: unknown) => log.error("key.live_refusal.record_failed", { accountId, kmsKeyArn, error }));
      }
      throw new DataKeyUnavailableError(accountId, kmsKeyArn, failure);
    }
    return result!;
  }
}

function isStillTarget(config: { key_arn: string; state: string } | undefined, target: TargetKey): boolean {
  const usesTenantKey = config !== undefined && config.state !== "DISABLED";
  if (target.source === "PLATFORM") return !usesTenantKey;
  return usesTenantKey && config.key_arn === target.kmsKeyArn;
}

/** The account's choice of KMS key changed while a data key was being made under the old choice. */
class KeyChoiceChangedError extends Error {
  constructor(readonly accountId: string) {
    super(`The KMS key choice of account ${accountId} changed while a data key was being made.`);
    this.name = "KeyChoiceChangedError";
  }
}

/** A ciphertext names a data key serial that the account does not have. */
export class DataKeyNotFoundError extends Error {
  constructor(
    readonly accountId: string,
    readonly serial: number,
  ) {
    super(`Data key ${serial} of account ${accountId} does not exist.`);
    this.name = "DataKeyNotFoundError";
  }
}

// Copies a plaintext key out of the SDK's response into memory that only the cache owns
// (allocUnsafeSlow is never a view into Node's shared pool), then zeroes the SDK's copy.
function takeKey(plaintext: Uint8Array | undefined): Buffer | undefined {
  if (!plaintext || plaintext.length !== 32) {
    plaintext?.fill(0);
    return undefined;
  }
  const key = Buffer.allocUnsafeSlow(32);
  key.set(plaintext);
  plaintext.fill(0);
  return key;
}
