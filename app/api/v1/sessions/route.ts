import { handleCreateSession, handleListSessions } from "@/lib/api/handlers";
import { apiDeps } from "@/lib/api/runtime";

export function GET(request: Request) {
  return handleListSessions(apiDeps(), request);
}

export function POST(request: Request) {
  return handleCreateSession(apiDeps(), request);
}
