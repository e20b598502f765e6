import { createScratchDatabase as createDatabase } from "@/lib/db/scratch-database";

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

/** Creates an empty database for one test and returns its URL and a function that drops it. */
export function createScratchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  return createDatabase(ADMIN_URL, "byok_scratch");
}
