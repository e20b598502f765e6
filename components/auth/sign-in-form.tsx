"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";

import { Button } from "@/components/ui/button";

const signInSchema = z.object({
  email: z.email("Enter the email address you were invited with."),
  password: z.string().min(1, "Enter your password."),
});
type SignInInput = z.infer<typeof signInSchema>;

export function SignInForm({ callbackUrl, oidcName }: { callbackUrl: string; oidcName?: string }) {
  const router = useRouter();
  const [formError, setFormError] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    formState: { errors, isSubmitting },
  } = useForm<SignInInput>({ resolver: zodResolver(signInSchema), defaultValues: { email: "", password: "" } });

  const submit = handleSubmit(async ({ email, password }) => {
    setFormError(null);
    const result = await signIn("credentials", { email, password, redirect: false, callbackUrl });
    if (result?.error === "SIGN_IN_FAILED") {
      setFormError("Sign-in failed on the platform's side. Try again in a minute.");
      return;
    }
    if (result?.error === "TOO_MANY_ATTEMPTS") {
      setFormError("Too many failed sign-ins for this email. Wait 15 minutes, then try again.");
      return;
    }
    if (!result || result.error) {
      setFormError("The email or password is incorrect.");
      return;
    }
    router.replace(callbackUrl);
    router.refresh();
  });

  return (
    <div className="mt-6 space-y-6">
      <form
        onSubmit={(event) => {
          // A message about the previous attempt must not stay beside this attempt's field errors.
          setFormError(null);
          void submit(event);
        }}
        noValidate
      >
        <fieldset disabled={isSubmitting} className="space-y-4">
          <Field id="email" label="Email" error={errors.email?.message}>
            <input id="email" type="email" autoComplete="username" {...register("email")} {...describedBy("email", errors.email?.message)} className={INPUT} />
          </Field>
          <Field id="password" label="Password" error={errors.password?.message}>
            <input id="password" type="password" autoComplete="current-password" {...register("password")} {...describedBy("password", errors.password?.message)} className={INPUT} />
          </Field>
          {formError ? (
            <p role="alert" className="text-sm text-red-700">
              {formError}
            </p>
          ) : null}
          <Button type="submit" pending={isSubmitting} pendingLabel="Signing in…" className="w-full">
            Sign in
          </Button>
        </fieldset>
      </form>
      {oidcName ? (
        <Button type="button" variant="secondary" className="w-full" onClick={() => signIn("oidc", { callbackUrl })}>
          Continue with {oidcName}
        </Button>
      ) : null}
    </div>
  );
}

const INPUT =
  "mt-1 block w-full rounded-md border-0 px-3 py-2 text-sm text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-inset focus:ring-indigo-600 aria-[invalid=true]:ring-red-400";

function describedBy(id: string, error?: string) {
  return error ? { "aria-invalid": true, "aria-describedby": `${id}-error` } : {};
}

function Field({ id, label, error, children }: { id: string; label: string; error?: string; children: React.ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-900">
        {label}
      </label>
      {children}
      {error ? (
        <p id={`${id}-error`} className="mt-1 text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
