import { env } from "./lib/config/env";

try {
  env();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
