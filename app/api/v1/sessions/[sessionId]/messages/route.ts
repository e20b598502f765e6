import { handleCreateMessage, handleListMessages } from "@/lib/api/handlers";
import { apiDeps } from "@/lib/api/runtime";

export async function GET(request: Request, { params }: { params: Promise<{ sessionId: string }> }) {
  return handleListMessages(apiDeps(), request, (await params).sessionId);
}

export async function POST(request: Request, { params }: { params: Promise<{ sessionId: string }> }) {
  return handleCreateMessage(apiDeps(), request, (await params).sessionId);
}
