/** One structured log line of the local KMS server. Never contains key material or plaintext. */
export interface LocalKmsLogEntry {
  level: "info" | "warn" | "error";
  event: string;
  [field: string]: unknown;
}

export type LocalKmsLogger = (entry: LocalKmsLogEntry) => void;

/** Writes each entry to stderr as one JSON object a line. */
export const writeJsonLogLine: LocalKmsLogger = (entry) => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), service: "local-kms", ...entry })}\n`);
};
