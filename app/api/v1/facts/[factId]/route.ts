import { handleGetFact } from "@/lib/api/handlers";
import { apiDeps } from "@/lib/api/runtime";

export async function GET(request: Request, { params }: { params: Promise<{ factId: string }> }) {
  return handleGetFact(apiDeps(), request, (await params).factId);
}
