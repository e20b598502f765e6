import { z } from "zod";

/** The API key form's one schema, shared by the browser and the server action. */
export const apiKeyNameSchema = z.object({
  name: z.string().trim().min(1, "Name the key, for example after the service that will use it.").max(100, "Use at most 100 characters."),
});
