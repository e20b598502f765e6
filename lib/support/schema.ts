import { z } from "zod";

/** Minimum length of the written reason for disabling BYOK, so the tenant learns why. */
export const MIN_DISABLE_REASON_LENGTH = 10;

/**
 * Builds the one schema of the "disable BYOK" form, used by react-hook-form in the browser
 * and by the server action. The operator confirms by typing the account's exact name.
 */
export function disableByokSchema(accountName: string) {
  return z.object({
    reason: z
      .string({ error: "Write why BYOK is being disabled." })
      .trim()
      .min(MIN_DISABLE_REASON_LENGTH, `Write a reason of at least ${MIN_DISABLE_REASON_LENGTH} characters; the tenant's admins will read it.`)
      .max(2_000, "Shorten the reason to at most 2,000 characters."),
    confirmName: z
      .string({ error: `Type the account name, ${accountName}, to confirm.` })
      .trim()
      .refine((typed) => typed === accountName, `Type the account name exactly as shown, ${accountName}, to confirm.`),
  });
}

export type DisableByokInput = z.input<ReturnType<typeof disableByokSchema>>;
export type DisableByok = z.output<ReturnType<typeof disableByokSchema>>;

/** Outcome of a support form action: success, or errors for fields plus one message for the form. */
export type SupportFormResult =
  | { status: "idle" }
  | { status: "success"; message: string }
  | { status: "error"; fieldErrors?: Partial<Record<keyof DisableByokInput, string>>; formError?: { code: string; message: string } };

export const SUPPORT_FORM_IDLE: SupportFormResult = { status: "idle" };
