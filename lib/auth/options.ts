import "server-only";

import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";

import { authorizeCredentials } from "@/lib/auth/credentials";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { log } from "@/lib/log";

/**
 * next-auth configuration. Sessions are JWTs that carry only the user id: roles and
 * memberships are read from the database on every sensitive action, so a demotion
 * takes effect on the next request. Email and password (argon2id) is always on; an
 * OpenID Connect provider is added when OIDC_ISSUER and its client are configured.
 * OIDC sign-in is accepted only for emails that already belong to a user.
 */

const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

interface OidcProfile {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

function oidcProvider(): OAuthConfig<OidcProfile> | null {
  const config = env();
  if (!config.OIDC_ISSUER || !config.OIDC_CLIENT_ID || !config.OIDC_CLIENT_SECRET) return null;
  return {
    id: "oidc",
    name: config.OIDC_NAME,
    type: "oauth",
    wellKnown: `${config.OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
    clientId: config.OIDC_CLIENT_ID,
    clientSecret: config.OIDC_CLIENT_SECRET,
    authorization: { params: { scope: "openid email profile" } },
    idToken: true,
    checks: ["pkce", "state"],
    profile: (profile) => ({ id: profile.sub, email: profile.email?.toLowerCase() ?? null, name: profile.name ?? null }),
  };
}

export function authOptions(): NextAuthOptions {
  const oidc = oidcProvider();
  return {
    secret: env().AUTH_SECRET,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: "/sign-in" },
    // One JSON line per event instead of next-auth's multi-line stack traces; a forged or
    // stale session cookie is an expected event, not a crash.
    logger: {
      error: (code, metadata) => log.warn(`next_auth.${code}`, { message: metadata instanceof Error ? metadata.message : (metadata as { message?: string })?.message }),
      warn: (code) => log.warn(`next_auth.${code}`),
      debug: () => undefined,
    },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        authorize: (credentials) => authorizeCredentials(db(), credentials),
      }),
      ...(oidc ? [oidc] : []),
    ],
    callbacks: {
      async signIn({ user, account }) {
        if (account?.provider !== "oidc") return true;
        const email = user.email?.toLowerCase();
        const known = email ? await db().user.findUnique({ where: { email }, select: { id: true } }) : null;
        return known !== null;
      },
      async jwt({ token, user, account }) {
        if (user && account?.provider === "oidc" && user.email) {
          const known = await db().user.findUnique({ where: { email: user.email.toLowerCase() }, select: { id: true } });
          token.uid = known?.id;
        } else if (user) {
          token.uid = user.id;
        }
        return token;
      },
      async session({ session, token }) {
        if (session.user && typeof token.uid === "string") session.user.id = token.uid;
        return session;
      },
    },
  };
}
