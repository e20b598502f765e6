import "server-only";

import type { Env } from "@/lib/config/env";
import type { PrismaClient } from "@/lib/db/generated/client";
import type { KeyEventSink } from "@/lib/health/service";
import { createNotifier, createSmtpTransport } from "@/lib/notifications";

const globalForNotifier = globalThis as unknown as { keyNotifier?: KeyEventSink };

/**
 * Returns the process-wide sender of key notifications: email through SMTP_URL when it is
 * set, otherwise only a recorded SUPPRESSED notification.
 */
export function notifierFrom(config: Env, prisma: PrismaClient): KeyEventSink {
  globalForNotifier.keyNotifier ??= createNotifier({
    prisma,
    transport: config.SMTP_URL ? createSmtpTransport(config.SMTP_URL) : null,
    from: config.SMTP_FROM,
    dashboardUrl: config.NEXTAUTH_URL ?? "http://localhost:3000",
    repeatAfterMs: config.NOTIFY_REPEAT_MINUTES * 60_000,
  });
  return globalForNotifier.keyNotifier;
}
