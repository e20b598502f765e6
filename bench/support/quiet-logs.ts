/**
 * Imported first by the database benchmarks: lib/log reads LOG_LEVEL once at load, and
 * its info lines (one per data key made) would interleave with the result tables.
 * Warnings and errors still print. Set LOG_LEVEL to override.
 */
process.env.LOG_LEVEL ??= "warn";
