/**
 * Micro-benchmark of lib/crypto against raw Node AES-256-GCM with one cached key.
 *
 *   node --expose-gc --import tsx bench/field-cipher-micro.ts
 *
 * "Raw" is the least a caller can do per record: randomBytes(12), createCipheriv,
 * update, final and getAuthTag, with no AAD and no output packing. Decryption mirrors
 * it. Each pass handles 10,000 records one at a time on one thread. The figure printed
 * is the median over 5 passes, in µs per record, after a 1,000-record warm-up. Without
 * --expose-gc the garbage collector runs whenever it likes, which adds noise.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

import {
  decodeJson,
  decodeString,
  encodeJson,
  encodeString,
  openField,
  sealField,
  type DataKey,
  type FieldLocation,
} from "../lib/crypto";

const RECORDS = 10_000;
const RUNS = 5;
const WARM_UP_RECORDS = 1_000;

interface RawSealed {
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

// mulberry32: a small seeded generator, so every run gets the same records.
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = seededRandom(20_240_601);
const WORDS = ["memory", "fact", "user", "prefers", "tea", "Zürich", "meeting", "東京", "deadline", "notes", "🔐", "Grüße"];

function randomText(targetBytes: number): string {
  let text = "";
  while (Buffer.byteLength(text) < targetBytes) {
    text += `${WORDS[Math.floor(random() * WORDS.length)]} `;
  }
  return text.slice(0, targetBytes);
}

function randomRecordId(): string {
  return Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join("");
}

function randomDocument(targetBytes: number): unknown {
  const document: Record<string, unknown> = { id: randomRecordId(), version: 3, tags: ["a", "b"], score: random() };
  let index = 0;
  while (JSON.stringify(document).length < targetBytes - 60) {
    document[`k${index}`] = { text: randomText(40), n: Math.floor(random() * 1e6), ok: index % 2 === 0, nil: null };
    index += 1;
  }
  return document;
}

const dek: DataKey = { serial: 7, key: randomBytes(32) };
const accountId = "3f1c2a9e-5b7d-4e8f-9a0b-1c2d3e4f5a6b";
const strings = Array.from({ length: RECORDS }, () => randomText(100));
const documents = Array.from({ length: RECORDS }, () => randomDocument(1024));
const recordIds = Array.from({ length: RECORDS }, randomRecordId);
const stringLocations: FieldLocation[] = recordIds.map((recordId) => ({ accountId, model: "Memory", field: "content", recordId }));
const jsonLocations: FieldLocation[] = recordIds.map((recordId) => ({ accountId, model: "Memory", field: "metadata", recordId }));

function rawSeal(plaintext: Uint8Array): RawSealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", dek.key, iv, { authTagLength: 16 });
  const ciphertext = cipher.update(plaintext);
  cipher.final();
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

function rawOpen(sealed: RawSealed): Buffer {
  const decipher = createDecipheriv("aes-256-gcm", dek.key, sealed.iv, { authTagLength: 16 });
  decipher.setAuthTag(sealed.tag);
  const plaintext = decipher.update(sealed.ciphertext);
  decipher.final();
  return plaintext;
}

/** Runs `operation` on every record and returns µs per record. */
function timePass(operation: (index: number) => unknown, records: number): number {
  globalThis.gc?.();
  const start = process.hrtime.bigint();
  for (let index = 0; index < records; index += 1) {
    operation(index);
  }
  return Number(process.hrtime.bigint() - start) / 1000 / records;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

interface Case {
  name: string;
  raw: (index: number) => unknown;
  ours: (index: number) => unknown;
}

function buildCases(): Case[] {
  const stringBytes = strings.map((value) => encodeString(value));
  const jsonBytes = documents.map((value) => encodeJson(value));
  const rawStrings = stringBytes.map(rawSeal);
  const rawJson = jsonBytes.map(rawSeal);
  const sealedStrings = stringBytes.map((bytes, index) => sealField(dek, bytes, stringLocations[index]!));
  const sealedJson = jsonBytes.map((bytes, index) => sealField(dek, bytes, jsonLocations[index]!));

  return [
    { name: "100 B string  seal (bytes)", raw: (i) => rawSeal(stringBytes[i]!), ours: (i) => sealField(dek, stringBytes[i]!, stringLocations[i]!) },
    { name: "100 B string  open (bytes)", raw: (i) => rawOpen(rawStrings[i]!), ours: (i) => openField(dek, sealedStrings[i]!, stringLocations[i]!) },
    { name: "1 KiB JSON    seal (bytes)", raw: (i) => rawSeal(jsonBytes[i]!), ours: (i) => sealField(dek, jsonBytes[i]!, jsonLocations[i]!) },
    { name: "1 KiB JSON    open (bytes)", raw: (i) => rawOpen(rawJson[i]!), ours: (i) => openField(dek, sealedJson[i]!, jsonLocations[i]!) },
    {
      name: "100 B string  encode+seal",
      raw: (i) => rawSeal(Buffer.from(strings[i]!, "utf8")),
      ours: (i) => sealField(dek, encodeString(strings[i]!), stringLocations[i]!),
    },
    {
      name: "100 B string  open+decode",
      raw: (i) => rawOpen(rawStrings[i]!).toString("utf8"),
      ours: (i) => decodeString(openField(dek, sealedStrings[i]!, stringLocations[i]!)),
    },
    {
      name: "1 KiB JSON    encode+seal",
      raw: (i) => rawSeal(Buffer.from(JSON.stringify(documents[i]), "utf8")),
      ours: (i) => sealField(dek, encodeJson(documents[i]), jsonLocations[i]!),
    },
    {
      name: "1 KiB JSON    open+decode",
      raw: (i) => JSON.parse(rawOpen(rawJson[i]!).toString("utf8")),
      ours: (i) => decodeJson(openField(dek, sealedJson[i]!, jsonLocations[i]!)),
    },
  ];
}

function checkRoundTrip(): void {
  const index = RECORDS - 1;
  const string = decodeString(openField(dek, sealField(dek, encodeString(strings[index]!), stringLocations[index]!), stringLocations[index]!));
  const json = JSON.stringify(decodeJson(openField(dek, sealField(dek, encodeJson(documents[index]), jsonLocations[index]!), jsonLocations[index]!)));
  if (string !== strings[index] || json !== JSON.stringify(documents[index])) {
    throw new Error("Round trip failed; the benchmark numbers would be meaningless.");
  }
}

function main(): void {
  checkRoundTrip();
  const cases = buildCases();
  for (const testCase of cases) {
    timePass(testCase.raw, WARM_UP_RECORDS);
    timePass(testCase.ours, WARM_UP_RECORDS);
  }

  const results = cases.map(() => ({ raw: [] as number[], ours: [] as number[] }));
  // Interleave the cases within each run, and swap which side goes first on odd runs, so
  // drift on a shared machine hits both sides alike.
  for (let run = 0; run < RUNS; run += 1) {
    cases.forEach((testCase, index) => {
      const result = results[index]!;
      if (run % 2 === 0) {
        result.raw.push(timePass(testCase.raw, RECORDS));
        result.ours.push(timePass(testCase.ours, RECORDS));
      } else {
        result.ours.push(timePass(testCase.ours, RECORDS));
        result.raw.push(timePass(testCase.raw, RECORDS));
      }
    });
  }

  const meanStringBytes = strings.reduce((sum, value) => sum + Buffer.byteLength(value), 0) / RECORDS;
  const meanJsonBytes = documents.reduce((sum: number, value) => sum + Buffer.byteLength(JSON.stringify(value)), 0) / RECORDS;
  console.log(`Node ${process.version}, OpenSSL ${process.versions.openssl}, ${RECORDS} records, median of ${RUNS} runs`);
  console.log(`strings mean ${meanStringBytes.toFixed(1)} B, JSON mean ${meanJsonBytes.toFixed(1)} B, gc between passes: ${globalThis.gc ? "yes" : "no"}`);
  console.log("");
  console.log("case                          raw µs/rec  ours µs/rec  ours/raw");
  cases.forEach((testCase, index) => {
    const raw = median(results[index]!.raw);
    const ours = median(results[index]!.ours);
    console.log(`${testCase.name.padEnd(30)}${raw.toFixed(2).padStart(10)}${ours.toFixed(2).padStart(13)}${(ours / raw).toFixed(2).padStart(10)}`);
  });
}

main();
