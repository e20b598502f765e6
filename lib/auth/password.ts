import { hash, verify } from "@node-rs/argon2";

/**
 * Password hashing with argon2id, with OWASP's first recommended parameter set: 19 MiB
 * memory, 2 iterations, parallelism 1. The PHC string stores the parameters, so they
 * can be raised later without breaking existing hashes.
 */
// `algorithm: 2` is Argon2id in @node-rs/argon2 (its Algorithm enum is a const enum, which isolatedModules cannot import).
const OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

// A hash of a random password, verified when the user does not exist so that the
// response time does not reveal which emails have accounts.
const DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$Gm1qCNe1iIGmbAjp1JB3IQ$7wjYfclwdmj8uMX2SbB7eYF4reX4YK0mLDhWnpZi6ls";

/** Checks `password` against a stored PHC string; a missing hash still costs one verification. */
export async function verifyPassword(passwordHash: string | null | undefined, password: string): Promise<boolean> {
  try {
    const ok = await verify(passwordHash ?? DUMMY_HASH, password);
    return ok && Boolean(passwordHash);
  } catch {
    return false;
  }
}
