/**
 * Seeded record generator shared by the benchmarks, so every configuration and every
 * rerun gets the same inputs. Strings are 90 to 110 UTF-8 bytes (mean about 100) and JSON
 * documents 960 to 1088 bytes as UTF-8 JSON (mean about 1 KiB). Both mix ASCII with
 * 2-, 3- and 4-byte UTF-8 characters, as chat memory does.
 */

export type JsonDocument = Record<string, unknown>;

/** mulberry32: a 32-bit seeded generator returning numbers in [0, 1). Not for cryptography. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const WORDS = [
  "the", "user", "prefers", "green", "tea", "meeting", "moved", "to", "Thursday", "deadline", "invoice", "Zürich",
  "Grüße", "東京", "café", "notes", "project", "launch", "🔐", "résumé", "budget", "flight", "Ωmega", "renewal",
];

export class RecordGenerator {
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  integer(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  /** A UUID-shaped id (version 4 layout) drawn from the seeded generator. */
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.integer(0, 15).toString(16)).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  /** Words separated by spaces, exactly `bytes` UTF-8 bytes long (padded with ASCII letters). */
  text(bytes: number): string {
    let text = "";
    let length = 0;
    for (;;) {
      const word = `${length === 0 ? "" : " "}${this.pick(WORDS)}`;
      const wordBytes = Buffer.byteLength(word);
      if (length + wordBytes > bytes) break;
      text += word;
      length += wordBytes;
    }
    return text + "x".repeat(bytes - length);
  }

  /** Builds a chat-memory-like JSON document whose JSON.stringify form is exactly `bytes` UTF-8 bytes. */
  document(bytes: number): JsonDocument {
    const document: JsonDocument = {
      id: this.uuid(),
      kind: this.pick(["summary", "entity", "preference"]),
      version: this.integer(1, 9),
      confidence: Math.round(this.random() * 1000) / 1000,
      tags: [this.pick(WORDS), this.pick(WORDS)],
      entities: [] as unknown[],
      note: "",
    };
    const entities = document.entities as unknown[];
    // Each entity adds about 80 bytes; stop while there is room for the padding note.
    while (Buffer.byteLength(JSON.stringify(document)) < bytes - 120) {
      entities.push({ text: this.text(this.integer(20, 40)), start: this.integer(0, 4000), salient: this.random() < 0.5, source: null });
    }
    const remaining = bytes - Buffer.byteLength(JSON.stringify(document));
    if (remaining < 0) throw new RangeError(`Document overshot its target of ${bytes} bytes by ${-remaining}.`);
    document.note = "n".repeat(remaining);
    return document;
  }
}

export interface Datasets {
  /** 100-byte-class strings, as in a message or fact `content` column. */
  strings: string[];
  /** 1 KiB-class JSON documents, as in a `metadata` column. */
  documents: JsonDocument[];
  /** One record id per index, shared by both datasets. */
  recordIds: string[];
}

/** Builds `count` strings of 90..110 bytes and `count` JSON documents of 960..1088 bytes from `seed`. */
export function buildDatasets(count: number, seed = 20_240_601): Datasets {
  const generator = new RecordGenerator(seed);
  const strings = Array.from({ length: count }, () => generator.text(generator.integer(90, 110)));
  const documents = Array.from({ length: count }, () => generator.document(generator.integer(960, 1088)));
  const recordIds = Array.from({ length: count }, () => generator.uuid());
  return { strings, documents, recordIds };
}
