import { migrateDatabase } from "@/lib/db/migrate";

// Applies pending migrations to DATABASE_URL without Prisma's native schema engine.
const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is missing: set it to the PostgreSQL database to migrate.");
  process.exit(1);
}
const result = await migrateDatabase(url);
console.log(`Applied ${result.applied.length} migration(s): ${result.applied.join(", ") || "none"}; ${result.skipped.length} already applied.`);
