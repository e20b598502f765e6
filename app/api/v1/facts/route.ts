import { handleCreateFact, handleListFacts } from "@/lib/api/handlers";
import { apiDeps } from "@/lib/api/runtime";

export function GET(request: Request) {
  return handleListFacts(apiDeps(), request);
}

export function POST(request: Request) {
  return handleCreateFact(apiDeps(), request);
}
