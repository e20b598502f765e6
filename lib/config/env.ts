import { z } from "zod";

import { partitionOfRegion } from "@/lib/arn";

/**
 * Environment variables of the app, validated once. Every variable is listed in
 * .env.example and in the README. `npm run dev` fills DATABASE_URL, AUTH_SECRET and
 * the KMS endpoint with embedded defaults before it starts Next.js.
 */

const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]{1,512}$/;

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();

const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: z
      .string({ error: "is missing: set it to a PostgreSQL URL, or start the app with `npm run dev`, which provides an embedded database" })
      .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL"),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
    AUTH_SECRET: z
      .string({ error: "is missing: set it to a random string of at least 32 characters (openssl rand -base64 32)" })
      .min(32, "must be at least 32 characters long (openssl rand -base64 32)"),
    NEXTAUTH_URL: z.url({ protocol: /^https?$/, error: "must be the absolute URL the dashboard is served at, such as http://localhost:3000" }).optional(),
    SERVICE_NAME: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,62}$/, "must be lowercase letters, digits and hyphens, such as zep")
      .default("zep"),
    SERVICE_REGION: z
      .string()
      .refine((region) => partitionOfRegion(region) !== undefined, "must be an AWS region such as us-west-2")
      .default("us-west-2"),
    PLATFORM_PRINCIPAL_ARN: z
      .string()
      .regex(IAM_ROLE_ARN, "must be an IAM role ARN such as arn:aws:iam::467218391112:role/zep-byok")
      .default("arn:aws:iam::467218391112:role/zep-byok"),
    AWS_ENDPOINT_URL_KMS: z.url({ protocol: /^https?$/, error: "must be an http or https URL such as http://127.0.0.1:4599" }).optional(),
    PLATFORM_KMS_KEY_ARN: z
      .string({ error: "is missing: set it to the key ARN of the platform's own KMS key, which protects tenants without BYOK" })
      .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-z0-9-]+$/, "must be a KMS key ARN such as arn:aws:kms:us-west-2:467218391112:key/<key id>"),
    DEK_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
    DEK_CACHE_MAX_ENTRIES: z.coerce.number().int().min(10).max(10_000_000).default(10_000),
    DEK_MAX_ENCRYPTIONS: z.coerce.number().int().min(1_000).max(1_000_000_000).default(100_000_000),
    DEK_MAX_AGE_HOURS: z.coerce.number().int().min(1).max(24 * 365).default(168),
    HEALTH_CHECK_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
    SUSPEND_AFTER_HOURS: z.coerce.number().min(0).max(24 * 365).default(72),
    DEGRADED_NOTIFY_AFTER_MINUTES: z.coerce.number().min(0).max(24 * 60).default(15),
    SMTP_URL: z.url({ protocol: /^smtps?$/, error: "must be an smtp:// or smtps:// URL such as smtp://user:password@mail.example.com:587" }).optional(),
    SMTP_FROM: z.string().default("BYOK notifications <no-reply@platform.example>"),
    NOTIFY_REPEAT_MINUTES: z.coerce.number().min(0).max(7 * 24 * 60).default(60),
    WORKER_IN_PROCESS: z.enum(["true", "false"]).default("false").transform((value) => value === "true"),
    // When true, a second SUPPORT user must approve a request to disable an account's BYOK.
    SUPPORT_DISABLE_REQUIRES_APPROVAL: z.enum(["true", "false"]).default("true").transform((value) => value === "true"),
    KMS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3_000),
    KMS_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
    DEMO_KEY_ARN: optionalText,
    DEMO_NEXT_KEY_ARN: optionalText,
    DEMO_DENIED_KEY_ARN: optionalText,
    OIDC_ISSUER: z.url({ protocol: /^https?$/, error: "must be the issuer URL of your OpenID Connect provider" }).optional(),
    OIDC_CLIENT_ID: optionalText,
    OIDC_CLIENT_SECRET: optionalText,
    OIDC_NAME: z.string().default("Single sign-on"),
  })
  .superRefine((env, context) => {
    const servicePartition = partitionOfRegion(env.SERVICE_REGION)?.id;
    const principalPartition = env.PLATFORM_PRINCIPAL_ARN.split(":")[1];
    if (servicePartition && principalPartition !== servicePartition) {
      context.addIssue({
        code: "custom",
        path: ["PLATFORM_PRINCIPAL_ARN"],
        message: `must be in the ${servicePartition} partition of SERVICE_REGION ${env.SERVICE_REGION}, because credentials never cross partitions`,
      });
    }
    const oidc = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET];
    if (oidc.some(Boolean) && !oidc.every(Boolean)) {
      context.addIssue({
        code: "custom",
        path: ["OIDC_ISSUER"],
        message: "OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set together, or none of them",
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

/** Parses `source` and throws one error that names every invalid variable and its fix. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ""),
  );
  const result = envSchema.safeParse(cleaned);
  if (result.success) return result.data;

  const lines = result.error.issues.map((issue) => {
    const name = issue.path.join(".") || "environment";
    const value = cleaned[name];
    const displayedValue = value === undefined || /SECRET|PASSWORD|URL/.test(name) ? "" : ` (got "${value}")`;
    return `  ${name}${displayedValue}: ${issue.message}`;
  });
  throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
}

let cached: Env | undefined;

/** Returns the validated environment of this process, parsing it on first use. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
