/** Key specs that the local KMS server accepts, and the KeyMetadata structure that DescribeKey and CreateKey return. */
import { formatKeyArn } from "../identifiers";
import type { KeyRecord, KmsStore } from "../store";
import { keyArnOf } from "./context";

interface KeySpecInfo {
  /** Key usages that this server creates keys for. */
  usages: string[];
  /** Key usages that AWS allows for the spec but this server does not implement. */
  unimplementedUsages: string[];
  encryptionAlgorithms?: string[];
  signingAlgorithms?: string[];
  macAlgorithms?: string[];
}

const RSA_SIGNING = [
  "RSASSA_PSS_SHA_256",
  "RSASSA_PSS_SHA_384",
  "RSASSA_PSS_SHA_512",
  "RSASSA_PKCS1_V1_5_SHA_256",
  "RSASSA_PKCS1_V1_5_SHA_384",
  "RSASSA_PKCS1_V1_5_SHA_512",
];

/**
 * Only SYMMETRIC_DEFAULT keys have material here. The asymmetric and HMAC specs exist so that
 * their metadata is right and data-key operations on them fail with InvalidKeyUsageException;
 * Sign, Verify, GenerateMac and the other operations that would use them are not implemented.
 */
export const KEY_SPECS: Record<string, KeySpecInfo> = {
  SYMMETRIC_DEFAULT: { usages: ["ENCRYPT_DECRYPT"], unimplementedUsages: [], encryptionAlgorithms: ["SYMMETRIC_DEFAULT"] },
  RSA_2048: { usages: ["SIGN_VERIFY"], unimplementedUsages: ["ENCRYPT_DECRYPT"], signingAlgorithms: RSA_SIGNING },
  RSA_3072: { usages: ["SIGN_VERIFY"], unimplementedUsages: ["ENCRYPT_DECRYPT"], signingAlgorithms: RSA_SIGNING },
  RSA_4096: { usages: ["SIGN_VERIFY"], unimplementedUsages: ["ENCRYPT_DECRYPT"], signingAlgorithms: RSA_SIGNING },
  ECC_NIST_P256: { usages: ["SIGN_VERIFY"], unimplementedUsages: ["KEY_AGREEMENT"], signingAlgorithms: ["ECDSA_SHA_256"] },
  ECC_NIST_P384: { usages: ["SIGN_VERIFY"], unimplementedUsages: ["KEY_AGREEMENT"], signingAlgorithms: ["ECDSA_SHA_384"] },
  ECC_NIST_P521: { usages: ["SIGN_VERIFY"], unimplementedUsages: ["KEY_AGREEMENT"], signingAlgorithms: ["ECDSA_SHA_512"] },
  ECC_SECG_P256K1: { usages: ["SIGN_VERIFY"], unimplementedUsages: [], signingAlgorithms: ["ECDSA_SHA_256"] },
  HMAC_224: { usages: ["GENERATE_VERIFY_MAC"], unimplementedUsages: [], macAlgorithms: ["HMAC_SHA_224"] },
  HMAC_256: { usages: ["GENERATE_VERIFY_MAC"], unimplementedUsages: [], macAlgorithms: ["HMAC_SHA_256"] },
  HMAC_384: { usages: ["GENERATE_VERIFY_MAC"], unimplementedUsages: [], macAlgorithms: ["HMAC_SHA_384"] },
  HMAC_512: { usages: ["GENERATE_VERIFY_MAC"], unimplementedUsages: [], macAlgorithms: ["HMAC_SHA_512"] },
};

/** Key specs that AWS KMS accepts but this server does not implement at all. */
export const UNIMPLEMENTED_KEY_SPECS = ["SM2", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87", "ECC_NIST_EDWARDS25519"];

export const KEY_USAGES = ["ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT"] as const;

export function toEpochSeconds(milliseconds: number): number {
  return milliseconds / 1000;
}

function multiRegionConfiguration(store: KmsStore, key: KeyRecord): Record<string, unknown> | undefined {
  if (!key.multiRegion || !key.primaryRegion) {
    return undefined;
  }
  const primaryRegion = key.primaryRegion;
  const replicas = store
    .listKeyRegions(key.account, key.keyId)
    .filter((regional) => regional.region !== primaryRegion)
    .map((regional) => ({ Arn: keyArnOf(regional), Region: regional.region }));

  // As in AWS, ReplicaKeys lists every replica, including this key when it is one.
  return {
    MultiRegionKeyType: key.region === primaryRegion ? "PRIMARY" : "REPLICA",
    PrimaryKey: { Arn: formatKeyArn(primaryRegion, key.account, key.keyId), Region: primaryRegion },
    ReplicaKeys: replicas,
  };
}

/** Builds the KeyMetadata structure of the KMS API for one regional key. */
export function buildKeyMetadata(store: KmsStore, key: KeyRecord): Record<string, unknown> {
  const spec = KEY_SPECS[key.keySpec];
  const metadata: Record<string, unknown> = {
    AWSAccountId: key.account,
    KeyId: key.keyId,
    Arn: keyArnOf(key),
    CreationDate: toEpochSeconds(key.createdAt),
    Enabled: key.state === "Enabled",
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.state,
    Origin: "AWS_KMS",
    KeyManager: "CUSTOMER",
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    MultiRegion: key.multiRegion,
  };

  if (key.deletionDate !== undefined) {
    metadata.DeletionDate = toEpochSeconds(key.deletionDate);
    metadata.PendingDeletionWindowInDays = key.pendingWindowInDays;
  }
  if (spec?.encryptionAlgorithms) {
    metadata.EncryptionAlgorithms = spec.encryptionAlgorithms;
  }
  if (spec?.signingAlgorithms) {
    metadata.SigningAlgorithms = spec.signingAlgorithms;
  }
  if (spec?.macAlgorithms) {
    metadata.MacAlgorithms = spec.macAlgorithms;
  }
  const configuration = multiRegionConfiguration(store, key);
  if (configuration) {
    metadata.MultiRegionConfiguration = configuration;
  }
  return metadata;
}
