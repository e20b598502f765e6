import "server-only";

import type { ApiDeps } from "@/lib/api/handlers";
import { db } from "@/lib/db/client";
import { tenantData } from "@/lib/tenant-data/runtime";

export function apiDeps(): ApiDeps {
  return { prisma: db(), tenantDb: tenantData().client };
}
