import { z } from "zod";

import { parseKeyArn } from "@/lib/arn";

/**
 * Builds the one schema of the "connect a key" form, used by react-hook-form in the
 * browser and by the server action. It wraps the shared ARN parser, so both sides give the same
 * reason for a bad ARN, and its output is the parsed key.
 */
export function keyConfigurationSchema(serviceRegion: string) {
  return z.object({
    keyArn: z.string({ error: "Paste the key ARN of your AWS KMS key." }).transform((value, context) => {
      const parsed = parseKeyArn(value, { serviceRegion });
      if (!parsed.ok) {
        context.addIssue({ code: "custom", message: parsed.problem.message });
        return z.NEVER;
      }
      return parsed.key;
    }),
  });
}

export type KeyConfigurationInput = z.input<ReturnType<typeof keyConfigurationSchema>>;
export type KeyConfiguration = z.output<ReturnType<typeof keyConfigurationSchema>>;

/** Outcome of a form action: success, or errors for fields plus one message for the form. */
export type FormResult =
  | { status: "idle" }
  | { status: "success"; message: string }
  | {
      status: "error";
      fieldErrors?: Partial<Record<keyof KeyConfigurationInput, string>>;
      formError?: { code: string; message: string; causes: string[]; keyArn?: string };
    };

/** Parses the form's fields on the server into a key, or into the field errors to show. */
export function parseKeyConfiguration(
  input: { keyArn: unknown },
  serviceRegion: string,
): { ok: true; value: KeyConfiguration } | { ok: false; result: FormResult } {
  const parsed = keyConfigurationSchema(serviceRegion).safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const message = parsed.error.issues[0]?.message ?? "Paste the key ARN of your AWS KMS key.";
  return { ok: false, result: { status: "error", fieldErrors: { keyArn: message } } };
}
