/**
 * Per-record encrypt and decrypt cost of lib/crypto next to the alternatives, on the same
 * records in one process:
 *
 *   (a) raw Node AES-256-GCM: one cached 32-byte key, randomBytes(12) IV, no AAD, stored
 *       as IV ‖ ciphertext ‖ tag. This is the naive ceiling, the least a caller can do.
 *   (b) lib/crypto: encodeString/encodeJson + sealField, openField + decodeString/decodeJson,
 *       with a FieldLocation of account, model, field and record id
 *   (c) AWS Encryption SDK for JavaScript (@aws-crypto/client-node), raw AES keyring behind
 *       a caching materials manager, encryption context {service, account_uuid}: the
 *       default suite and the non-signing committing suite
 *   (d) @47ng/cloak (the cipher of prisma-field-encryption), encryptStringSync and
 *       decryptStringSync with a pre-parsed key
 *
 * Two reference rows explain the gaps and have no target: (a) plus the AAD that lib/crypto
 * authenticates (built with its aadView, passed to setAAD), and serialization alone (UTF-8
 * and JSON conversion without encryption), which every configuration pays.
 *
 * Datasets: 10,000 strings of 90..110 UTF-8 bytes and 10,000 JSON documents of
 * 960..1088 bytes, from a fixed seed (support/records.ts). Each configuration takes the
 * record value (string or object) and returns it, so serialization is in every row.
 * Records go one at a time on one thread, and the async SDK is awaited per record. A run
 * is an encrypt pass, then a decrypt pass of that pass's ciphertexts, for every
 * configuration. The configuration order is reversed on odd runs, so drift hits all alike.
 * Figures are medians of 5 runs after a warm-up, with a full GC before each pass when node
 * runs with --expose-gc. Every decrypt pass is checked against the inputs outside the timing.
 *
 *   npx tsx --expose-gc bench/crypto.ts [--records N] [--sdk-records N] [--signing-records N] [--runs N]
 *
 * The SDK is 20 to 300 times slower per record, so by default it takes only the first
 * 5,000 (non-signing suite) and 1,000 (default suite) records of each dataset per pass.
 * That keeps the script to about 1.5 minutes. The cached materials are reused for every
 * message, so the per-record cost does not grow with the count.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

import { generateKey, parseKeySync, decryptStringSync, encryptStringSync } from "@47ng/cloak";
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  getLocalCryptographicMaterialsCache,
  NodeCachingMaterialsManager,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
  type NodeEncryptionMaterial,
} from "@aws-crypto/client-node";

import { decodeJson, decodeString, encodeJson, encodeString, openField, sealField, type DataKey, type FieldLocation } from "@/lib/crypto";
import { aadView } from "@/lib/crypto/aad";

import { buildDatasets, type JsonDocument } from "./support/records";
import { collectGarbage, formatNumber, integerOption, markdownTable, mean, median, nowMs, printMachineFacts } from "./support/report";

const RECORDS = integerOption("records", 10_000);
const SDK_RECORDS = Math.min(RECORDS, integerOption("sdk-records", 5_000));
const SIGNING_RECORDS = Math.min(RECORDS, integerOption("signing-records", 1_000));
const RUNS = integerOption("runs", 5);
const WARM_UP_RECORDS = 1_000;
const SDK_WARM_UP_RECORDS = 200;

const ACCOUNT_ID = "3f1c2a9e-5b7d-4e8f-9a0b-1c2d3e4f5a6b";
const SERVICE = "zep";
const ENCRYPTION_CONTEXT = { service: SERVICE, account_uuid: ACCOUNT_ID };
const MAX_CACHE_AGE_MS = 5 * 60_000;

type Dataset = "strings" | "json";
type Value = string | JsonDocument;
type Ciphertext = Buffer | string;

interface Codec {
  /** Records per pass, taken from the start of the dataset. */
  records: number;
  storedAs: "binary" | "text";
  encrypt: (index: number) => Ciphertext | Promise<Ciphertext>;
  decrypt: (ciphertext: Ciphertext, index: number) => Value | Promise<Value>;
}

type ConfigurationId = "raw" | "rawWithAad" | "ours" | "sdkNonSigning" | "sdkDefault" | "cloak" | "serialization";

interface Configuration {
  id: ConfigurationId;
  name: string;
  async: boolean;
  codecs: Record<Dataset, Codec>;
  /** Extra facts printed under the tables, such as keyring calls. Called after all runs. */
  notes?: () => string[];
}

interface Result {
  encryptUs: number[];
  decryptUs: number[];
  overheadBytes: number;
}

const data = buildDatasets(RECORDS);
const serialized = data.documents.map((document) => JSON.stringify(document));
const plaintextBytes: Record<Dataset, number[]> = {
  strings: data.strings.map((value) => Buffer.byteLength(value)),
  json: serialized.map((value) => Buffer.byteLength(value)),
};
const values: Record<Dataset, Value[]> = { strings: data.strings, json: data.documents };

// The same fields the Prisma extension encrypts: Message.content (string) and Message.metadata (JSON).
const contentLocations = data.recordIds.map((recordId): FieldLocation => ({ accountId: ACCOUNT_ID, model: "Message", field: "content", recordId }));
const metadataLocations = data.recordIds.map((recordId): FieldLocation => ({ accountId: ACCOUNT_ID, model: "Message", field: "metadata", recordId }));
// Stands in for lib/crypto's 5-byte header (version 0x01, serial 1) in the reference row's AAD.
const AAD_HEADER = Buffer.from([0x01, 0, 0, 0, 1]);

/** (a), and with `withAad` the reference row that adds lib/crypto's AAD to it. */
function rawConfiguration(withAad: boolean): Configuration {
  const key = randomBytes(32);
  const seal = (plaintext: Buffer, location: FieldLocation): Buffer => {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: 16 });
    if (withAad) cipher.setAAD(aadView(AAD_HEADER, location));
    const ciphertext = cipher.update(plaintext);
    cipher.final();
    return Buffer.concat([iv, ciphertext, cipher.getAuthTag()]);
  };
  const open = (sealed: Buffer, location: FieldLocation): Buffer => {
    const decipher = createDecipheriv("aes-256-gcm", key, sealed.subarray(0, 12), { authTagLength: 16 });
    if (withAad) decipher.setAAD(aadView(AAD_HEADER, location));
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    const plaintext = decipher.update(sealed.subarray(12, sealed.length - 16));
    decipher.final();
    return plaintext;
  };
  return {
    id: withAad ? "rawWithAad" : "raw",
    name: withAad ? "reference: (a) plus the lib/crypto AAD (aadView + setAAD)" : "(a) raw Node AES-256-GCM, cached key, randomBytes(12) IV",
    async: false,
    codecs: {
      strings: {
        records: RECORDS,
        storedAs: "binary",
        encrypt: (index) => seal(Buffer.from(data.strings[index]!, "utf8"), contentLocations[index]!),
        decrypt: (sealed, index) => open(sealed as Buffer, contentLocations[index]!).toString("utf8"),
      },
      json: {
        records: RECORDS,
        storedAs: "binary",
        encrypt: (index) => seal(Buffer.from(JSON.stringify(data.documents[index]), "utf8"), metadataLocations[index]!),
        decrypt: (sealed, index) => JSON.parse(open(sealed as Buffer, metadataLocations[index]!).toString("utf8")) as JsonDocument,
      },
    },
  };
}

function serializationConfiguration(): Configuration {
  return {
    id: "serialization",
    name: "reference: serialization only, no encryption",
    async: false,
    codecs: {
      strings: {
        records: RECORDS,
        storedAs: "binary",
        encrypt: (index) => Buffer.from(data.strings[index]!, "utf8"),
        decrypt: (bytes) => (bytes as Buffer).toString("utf8"),
      },
      json: {
        records: RECORDS,
        storedAs: "binary",
        encrypt: (index) => Buffer.from(JSON.stringify(data.documents[index]), "utf8"),
        decrypt: (bytes) => JSON.parse((bytes as Buffer).toString("utf8")) as JsonDocument,
      },
    },
  };
}

function libCryptoConfiguration(): Configuration {
  const dek: DataKey = { serial: 1, key: randomBytes(32) };
  return {
    id: "ours",
    name: "(b) lib/crypto, encode+seal / open+decode",
    async: false,
    codecs: {
      strings: {
        records: RECORDS,
        storedAs: "binary",
        encrypt: (index) => sealField(dek, encodeString(data.strings[index]!), contentLocations[index]!),
        decrypt: (sealed, index) => decodeString(openField(dek, sealed as Buffer, contentLocations[index]!)),
      },
      json: {
        records: RECORDS,
        storedAs: "binary",
        encrypt: (index) => sealField(dek, encodeJson(data.documents[index]), metadataLocations[index]!),
        decrypt: (sealed, index) => decodeJson(openField(dek, sealed as Buffer, metadataLocations[index]!)) as JsonDocument,
      },
    },
  };
}

/** A raw AES keyring that counts how often it is asked for new materials, to show what the cache saves. */
class CountingAesKeyring extends RawAesKeyringNode {
  encryptCalls = 0;

  override onEncrypt(material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    this.encryptCalls += 1;
    return super.onEncrypt(material);
  }
}

function sdkConfiguration(id: ConfigurationId, name: string, suiteId: AlgorithmSuiteIdentifier | undefined, records: number): Configuration {
  const client = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const keyring = new CountingAesKeyring({
    keyNamespace: "bench",
    keyName: "tenant-wrapping-key",
    unencryptedMasterKey: randomBytes(32),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
  const cmm = new NodeCachingMaterialsManager({
    backingMaterials: keyring,
    cache: getLocalCryptographicMaterialsCache(1_000),
    partition: "bench",
    maxAge: MAX_CACHE_AGE_MS,
  });
  const suitesSeen = new Set<number>();
  let messages = 0;

  const encrypt = async (plaintext: Buffer): Promise<Buffer> => {
    const { result, messageHeader } = await client.encrypt(cmm, plaintext, { encryptionContext: ENCRYPTION_CONTEXT, ...(suiteId ? { suiteId } : {}) });
    suitesSeen.add(messageHeader.suiteId);
    messages += 1;
    return result;
  };
  // The SDK returns the stored context and leaves checking it to the caller.
  const decrypt = async (ciphertext: Buffer): Promise<Buffer> => {
    const { plaintext, messageHeader } = await client.decrypt(cmm, ciphertext);
    if (messageHeader.encryptionContext.account_uuid !== ACCOUNT_ID || messageHeader.encryptionContext.service !== SERVICE) {
      throw new Error(`Decrypted message has encryption context ${JSON.stringify(messageHeader.encryptionContext)}, expected ${JSON.stringify(ENCRYPTION_CONTEXT)}.`);
    }
    return plaintext;
  };

  return {
    id,
    name,
    async: true,
    codecs: {
      strings: {
        records,
        storedAs: "binary",
        encrypt: (index) => encrypt(Buffer.from(data.strings[index]!, "utf8")),
        decrypt: async (ciphertext) => (await decrypt(ciphertext as Buffer)).toString("utf8"),
      },
      json: {
        records,
        storedAs: "binary",
        encrypt: (index) => encrypt(Buffer.from(JSON.stringify(data.documents[index]), "utf8")),
        decrypt: async (ciphertext) => JSON.parse((await decrypt(ciphertext as Buffer)).toString("utf8")) as JsonDocument,
      },
    },
    notes: () => [
      `${name}: suite ${[...suitesSeen].map((id) => `0x${id.toString(16).padStart(4, "0")}`).join(", ")}, ` +
        `${formatNumber(messages)} messages encrypted, ${formatNumber(keyring.encryptCalls)} keyring onEncrypt calls (cache misses)`,
    ],
  };
}

function cloakConfiguration(): Configuration {
  const key = parseKeySync(generateKey());
  return {
    id: "cloak",
    name: "(d) @47ng/cloak encryptStringSync / decryptStringSync",
    async: false,
    codecs: {
      strings: {
        records: RECORDS,
        storedAs: "text",
        encrypt: (index) => encryptStringSync(data.strings[index]!, key),
        decrypt: (cloaked) => decryptStringSync(cloaked as string, key),
      },
      json: {
        records: RECORDS,
        storedAs: "text",
        encrypt: (index) => encryptStringSync(JSON.stringify(data.documents[index]), key),
        decrypt: (cloaked) => JSON.parse(decryptStringSync(cloaked as string, key)) as JsonDocument,
      },
    },
  };
}

function storedBytes(ciphertext: Ciphertext): number {
  return typeof ciphertext === "string" ? Buffer.byteLength(ciphertext, "utf8") : ciphertext.byteLength;
}

function checkDecrypted(configuration: string, dataset: Dataset, decrypted: Value[]): void {
  decrypted.forEach((value, index) => {
    const same = dataset === "strings" ? value === data.strings[index] : JSON.stringify(value) === serialized[index];
    if (!same) throw new Error(`${configuration} returned a different ${dataset} record at index ${index}; its numbers would be meaningless.`);
  });
}

/** Encrypts, then decrypts the first `count` records, and returns µs per record for each pass with the ciphertexts and results. */
async function runPasses(configuration: Configuration, codec: Codec, count: number) {
  const ciphertexts: Ciphertext[] = new Array(count);
  const decrypted: Value[] = new Array(count);

  collectGarbage();
  let start = nowMs();
  if (configuration.async) {
    for (let index = 0; index < count; index += 1) ciphertexts[index] = await codec.encrypt(index);
  } else {
    for (let index = 0; index < count; index += 1) ciphertexts[index] = codec.encrypt(index) as Ciphertext;
  }
  const encryptUs = ((nowMs() - start) * 1000) / count;

  collectGarbage();
  start = nowMs();
  if (configuration.async) {
    for (let index = 0; index < count; index += 1) decrypted[index] = await codec.decrypt(ciphertexts[index]!, index);
  } else {
    for (let index = 0; index < count; index += 1) decrypted[index] = codec.decrypt(ciphertexts[index]!, index) as Value;
  }
  const decryptUs = ((nowMs() - start) * 1000) / count;
  return { encryptUs, decryptUs, ciphertexts, decrypted };
}

async function main(): Promise<void> {
  printMachineFacts("Per-record encryption (bench/crypto.ts)", { gcMatters: true });
  const configurations = [
    rawConfiguration(false),
    rawConfiguration(true),
    libCryptoConfiguration(),
    sdkConfiguration(
      "sdkNonSigning",
      "(c) AWS Encryption SDK, non-signing committing suite, caching CMM",
      AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
      SDK_RECORDS,
    ),
    sdkConfiguration("sdkDefault", "(c) AWS Encryption SDK, default suite, caching CMM", undefined, SIGNING_RECORDS),
    cloakConfiguration(),
    serializationConfiguration(),
  ];
  const datasets: Dataset[] = ["strings", "json"];
  const results = new Map<string, Result>();
  const resultOf = (configuration: Configuration, dataset: Dataset): Result => {
    const id = `${configuration.name}/${dataset}`;
    let result = results.get(id);
    if (!result) {
      result = { encryptUs: [], decryptUs: [], overheadBytes: Number.NaN };
      results.set(id, result);
    }
    return result;
  };

  const scriptStart = nowMs();
  for (const configuration of configurations) {
    for (const dataset of datasets) {
      const codec = configuration.codecs[dataset];
      await runPasses(configuration, codec, Math.min(codec.records, configuration.async ? SDK_WARM_UP_RECORDS : WARM_UP_RECORDS));
    }
  }

  for (let run = 0; run < RUNS; run += 1) {
    const order = run % 2 === 0 ? configurations : [...configurations].reverse();
    for (const configuration of order) {
      for (const dataset of datasets) {
        const codec = configuration.codecs[dataset];
        const passes = await runPasses(configuration, codec, codec.records);
        checkDecrypted(configuration.name, dataset, passes.decrypted);
        const result = resultOf(configuration, dataset);
        result.encryptUs.push(passes.encryptUs);
        result.decryptUs.push(passes.decryptUs);
        result.overheadBytes = mean(passes.ciphertexts.map((ciphertext, index) => storedBytes(ciphertext) - plaintextBytes[dataset][index]!));
      }
    }
  }

  printDatasets();
  printResults(configurations, datasets, resultOf);
  printTargets(configurations, resultOf);
  console.log("");
  for (const configuration of configurations) {
    for (const note of configuration.notes?.() ?? []) console.log(`- ${note}`);
  }
  console.log(`\nTotal time: ${formatNumber((nowMs() - scriptStart) / 1000, 1)} s`);
}

function printDatasets(): void {
  const describe = (sizes: number[]) => `mean ${formatNumber(mean(sizes), 1)} B (${Math.min(...sizes)}..${Math.max(...sizes)})`;
  console.log(`Datasets: ${formatNumber(RECORDS)} strings, ${describe(plaintextBytes.strings)}; ${formatNumber(RECORDS)} JSON documents, ${describe(plaintextBytes.json)}.`);
  console.log(`Median of ${RUNS} runs; the SDK rows use the first ${formatNumber(SDK_RECORDS)} (non-signing) and ${formatNumber(SIGNING_RECORDS)} (default suite) records per pass.\n`);
}

function printResults(configurations: Configuration[], datasets: Dataset[], resultOf: (configuration: Configuration, dataset: Dataset) => Result): void {
  const rows: string[][] = [];
  for (const configuration of configurations) {
    for (const dataset of datasets) {
      const result = resultOf(configuration, dataset);
      const codec = configuration.codecs[dataset];
      const encryptUs = median(result.encryptUs);
      const decryptUs = median(result.decryptUs);
      rows.push([
        configuration.name,
        dataset === "strings" ? "100 B strings" : "1 KiB JSON",
        formatNumber(codec.records),
        formatNumber(1e6 / encryptUs),
        formatNumber(encryptUs, 2),
        formatNumber(1e6 / decryptUs),
        formatNumber(decryptUs, 2),
        `${formatNumber(result.overheadBytes, 1)} (${codec.storedAs})`,
      ]);
    }
  }
  console.log(
    markdownTable(
      ["configuration", "dataset", "records per pass:", "encrypt records/s:", "encrypt µs/record:", "decrypt records/s:", "decrypt µs/record:", "stored overhead, B:"],
      rows,
    ),
  );
  console.log("");
}

function printTargets(configurations: Configuration[], resultOf: (configuration: Configuration, dataset: Dataset) => Result): void {
  const byId = (id: ConfigurationId) => configurations.find((configuration) => configuration.id === id)!;
  const [raw, ours, sdkNonSigning, cloak] = [byId("raw"), byId("ours"), byId("sdkNonSigning"), byId("cloak")];
  const rows: string[][] = [];
  for (const dataset of ["strings", "json"] as const) {
    const label = dataset === "strings" ? "100 B strings" : "1 KiB JSON";
    for (const direction of ["encrypt", "decrypt"] as const) {
      const us = (configuration: Configuration) => median(resultOf(configuration, dataset)[`${direction}Us`]);
      const ratioToRaw = us(ours) / us(raw);
      const sdkFactor = us(sdkNonSigning) / us(ours);
      const cloakFactor = us(cloak) / us(ours);
      rows.push([`lib/crypto time ≤ 1.3 × raw GCM`, label, direction, `${ratioToRaw.toFixed(2)} ×`, ratioToRaw <= 1.3 ? "met" : "not met"]);
      rows.push([`lib/crypto ≥ 20 × SDK non-signing throughput`, label, direction, `${formatNumber(sdkFactor, 1)} ×`, sdkFactor >= 20 ? "met" : "not met"]);
      rows.push([`lib/crypto faster than cloak`, label, direction, `${cloakFactor.toFixed(2)} ×`, cloakFactor > 1 ? "met" : "not met"]);
    }
    const overhead = resultOf(ours, dataset).overheadBytes;
    rows.push([`lib/crypto overhead ≤ 40 B per field`, label, "stored", `${formatNumber(overhead, 1)} B`, overhead <= 40 ? "met" : "not met"]);
  }
  console.log(markdownTable(["target", "dataset", "pass", "measured", "result"], rows));
}

await main();
