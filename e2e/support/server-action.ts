import { expect, type APIRequestContext, type Page, type Request } from "@playwright/test";

import { E2E } from "./settings";

/**
 * Replays a server action outside the page, the way an attacker with a session cookie
 * would call it. Next.js routes a POST to the action whose id is in the `Next-Action`
 * header. React encodes the arguments as multipart form data and puts a prefix (such as
 * `_1_`) before the form's field names. The request is captured from a real submit, so
 * the test does not depend on how React names the parts.
 */
export interface CapturedServerAction {
  /** Page path the action was posted to. */
  path: string;
  actionId: string;
  /** The captured body, parsed. */
  body: FormData;
  /** Prefix that React put before the form's field names. */
  fieldPrefix: string;
}

/** Runs `submit` and returns the first server-action request it makes. */
export async function captureServerAction(page: Page, submit: () => Promise<void>): Promise<CapturedServerAction> {
  const requestPromise = page.waitForRequest((request) => request.method() === "POST" && request.headers()["next-action"] !== undefined);
  await submit();
  return parseServerActionRequest(await requestPromise);
}

async function parseServerActionRequest(request: Request): Promise<CapturedServerAction> {
  const headers = request.headers();
  const actionId = headers["next-action"];
  const contentType = headers["content-type"];
  const raw = request.postDataBuffer();
  if (actionId === undefined || contentType === undefined || raw === null) {
    throw new Error(`The request to ${request.url()} is not a server action with a form body.`);
  }

  const body = await new Response(new Uint8Array(raw), { headers: { "content-type": contentType } }).formData();
  const keyArnField = [...body.keys()].find((name) => name.endsWith("keyArn"));
  if (keyArnField === undefined) {
    throw new Error(`The server action body has no keyArn field. Its fields are ${[...body.keys()].join(", ")}.`);
  }
  return { path: new URL(request.url()).pathname, actionId, body, fieldPrefix: keyArnField.slice(0, -"keyArn".length) };
}

/** Status and form error of a form action's result (FormResult in lib/byok/schema.ts). */
export interface ServerActionResult {
  status: string;
  message?: string;
  formError?: { code: string; message: string; causes: string[]; keyArn?: string };
  fieldErrors?: Record<string, string>;
}

/**
 * Posts the captured action again through `api` (whose cookies decide who is signed in),
 * with the form fields in `fields` replacing or adding to the captured ones.
 */
export async function postServerAction(
  api: APIRequestContext,
  action: CapturedServerAction,
  fields: Record<string, string>,
): Promise<ServerActionResult> {
  // React decodes the reply while it streams in and collects the form's fields when it
  // reaches the part that refers to them, so every form field must come before the other parts.
  const formFields = new Map<string, FormDataEntryValue>();
  const otherParts: [string, FormDataEntryValue][] = [];
  for (const [name, value] of action.body.entries()) {
    if (name.startsWith(action.fieldPrefix)) formFields.set(name, value);
    else otherParts.push([name, value]);
  }
  for (const [name, value] of Object.entries(fields)) formFields.set(`${action.fieldPrefix}${name}`, value);

  const body = new FormData();
  for (const [name, value] of [...formFields, ...otherParts]) body.append(name, value);

  const response = await api.post(action.path, {
    headers: { "Next-Action": action.actionId, Accept: "text/x-component", Origin: E2E.baseUrl },
    multipart: body,
    maxRedirects: 0,
  });
  const text = await response.text();
  expect(response.status(), `server action reply: ${text.slice(0, 500)}`).toBe(200);
  return readActionResult(text);
}

/**
 * Finds the action's result in a React Server Components payload. The payload has one
 * row a line, `<row id>:<JSON>`, and the result is the row with a `status` field.
 */
function readActionResult(payload: string): ServerActionResult {
  for (const line of payload.split("\n")) {
    const json = line.replace(/^[0-9a-f]+:/, "");
    if (!json.startsWith("{")) continue;
    let row: unknown;
    try {
      row = JSON.parse(json);
    } catch {
      continue;
    }
    if (typeof row === "object" && row !== null && "status" in row && typeof row.status === "string") {
      return row as ServerActionResult;
    }
  }
  throw new Error(`The server action reply contains no form result: ${payload.slice(0, 500)}`);
}
