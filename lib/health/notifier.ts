import type { Env } from "@/lib/config/env";
import type { PrismaClient } from "@/lib/db/generated/client";
import type { KeyEventSink } from "@/lib/health/service";

let cached: KeyEventSink | null | undefined;

/** Returns the process-wide sender of key notifications. */
export function notifierFrom(_config: Env, _prisma: PrismaClient): KeyEventSink | null {
  // TODO: wire lib/notifications once it lands; until then events are only logged by the health service.
  cached ??= null;
  return cached;
}
