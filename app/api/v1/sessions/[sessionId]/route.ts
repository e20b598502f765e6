import { handleGetSession } from "@/lib/api/handlers";
import { apiDeps } from "@/lib/api/runtime";

export async function GET(request: Request, { params }: { params: Promise<{ sessionId: string }> }) {
  return handleGetSession(apiDeps(), request, (await params).sessionId);
}
