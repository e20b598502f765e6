/**
 * Timing, statistics and Markdown output shared by the benchmarks.
 */
import { cpus, loadavg, totalmem } from "node:os";

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Runs a full garbage collection when node was started with --expose-gc, and returns whether it ran. */
export function collectGarbage(): boolean {
  if (typeof globalThis.gc !== "function") return false;
  globalThis.gc();
  return true;
}

/** Nanosecond wall clock as a number of milliseconds. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** CPU time this process has used (user + system), in microseconds. */
export function cpuMicroseconds(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/** Formats a number with thousands separators and `digits` decimals. */
export function formatNumber(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return "n/a";
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Renders a GitHub-flavored Markdown table. Columns whose header ends with ":" are right-aligned, and the colon is dropped. */
export function markdownTable(headers: string[], rows: string[][]): string {
  const right = headers.map((header) => header.endsWith(":"));
  const names = headers.map((header) => (header.endsWith(":") ? header.slice(0, -1) : header));
  const lines = [
    `| ${names.join(" | ")} |`,
    `|${right.map((isRight) => (isRight ? "---:" : "---")).join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ];
  return lines.join("\n");
}

export interface MachineFacts {
  node: string;
  openssl: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  loadAverage: string;
  gcExposed: boolean;
}

export function machineFacts(): MachineFacts {
  const cpuList = cpus();
  return {
    node: process.version,
    openssl: process.versions.openssl ?? "unknown",
    cpuModel: cpuList[0]?.model.trim() ?? "unknown",
    cores: cpuList.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: loadavg()
      .map((value) => value.toFixed(2))
      .join(", "),
    gcExposed: typeof globalThis.gc === "function",
  };
}

/** Prints the machine facts, and warns when the 1-minute load average shows the machine is busy. */
export function printMachineFacts(title: string, options: { gcMatters?: boolean } = {}): MachineFacts {
  const facts = machineFacts();
  console.log(`## ${title}\n`);
  console.log(
    `Node ${facts.node}, OpenSSL ${facts.openssl}, ${facts.cpuModel} x ${facts.cores} cores, ${facts.memoryGiB} GiB, ` +
      `load average ${facts.loadAverage} (1, 5, 15 min)` +
      (options.gcMatters ? `, GC between passes: ${facts.gcExposed ? "yes" : "no (run node with --expose-gc)"}` : ""),
  );
  const oneMinute = loadavg()[0] ?? 0;
  if (oneMinute > 1.5) {
    console.log(`WARNING: the 1-minute load average is ${oneMinute.toFixed(2)}, so other work competes for the CPU and the numbers below may be low.`);
  }
  console.log("");
  return facts;
}

/** Reads `--name value` from the command line as a positive integer, or returns `fallback`. */
export function integerOption(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index === -1) return fallback;
  const raw = process.argv[index + 1];
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`--${name} must be a positive integer, got ${JSON.stringify(raw)}.`);
  }
  return value;
}

/**
 * Runs `operation(0..total-1)` with at most `concurrency` in flight and returns the elapsed
 * milliseconds. The first failure stops new operations and is rethrown.
 */
export async function runConcurrently(total: number, concurrency: number, operation: (index: number) => Promise<void>): Promise<number> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < total) {
      const index = next;
      next += 1;
      try {
        await operation(index);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  const start = nowMs();
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  if (failure !== undefined) throw failure;
  return nowMs() - start;
}
