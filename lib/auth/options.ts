import "server-only";

import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";

import { recordAuditEvent } from "@/lib/audit/record";
import { verifyPassword } from "@/lib/auth/password";
import { clearSignInFailures, isSignInBlocked, recordSignInFailure } from "@/lib/auth/sign-in-throttle";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/client";

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
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials) {
          const email = credentials?.email?.trim().toLowerCase() ?? "";
          const password = credentials?.password ?? "";
          if (!email || !password) return null;
          if (isSignInBlocked(email)) {
            await recordAuditEvent(db(), { accountId: null, actor: { type: "USER", email }, action: "auth.sign_in", outcome: "DENIED", errorCode: "TOO_MANY_ATTEMPTS" });
            // next-auth passes the message of an error thrown here to the client as `error`.
            throw new Error("TOO_MANY_ATTEMPTS");
          }

          const user = await db().user.findUnique({ where: { email } });
          const ok = await verifyPassword(user?.passwordHash, password);
          if (!user || !ok) {
            recordSignInFailure(email);
            await recordAuditEvent(db(), {
              accountId: null,
              actor: { type: "USER", userId: user?.id, email },
              action: "auth.sign_in",
              outcome: "DENIED",
              errorCode: "INVALID_CREDENTIALS",
            });
            return null;
          }
          clearSignInFailures(email);
          return { id: user.id, email: user.email, name: user.name };
        },
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
