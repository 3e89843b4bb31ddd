// zod/mini: the SPA imports these schemas too, and classic zod would cost it ~23 KB gzipped.
import * as z from 'zod/mini';

/** Claims about the signed-in user, as the BFF's `/auth/session` returns them (never a token). */
export const userClaimsSchema = z.catchall(z.object({ sub: z.string() }), z.unknown());

export const sessionResponseSchema = z.discriminatedUnion('authenticated', [
  z.object({ authenticated: z.literal(false) }),
  z.object({
    authenticated: z.literal(true),
    user: userClaimsSchema,
    logoutUrl: z.string(),
    /** The configured provider the session signed in with (several providers, CONTRACT.md). */
    provider: z.optional(z.string()),
    /**
     * Epoch seconds at which the session ends unless it is used again: the earlier of the idle and
     * the absolute timeout. Not the access token's expiry (the BFF refreshes that transparently).
     */
    expiresAt: z.number(),
  }),
]);

/** What `GET /auth/session` answers: signed out, or the user's claims, logout URL and expiry. */
export type SessionResponse = z.infer<typeof sessionResponseSchema>;
/** The signed-in user's claims: `sub`, and whatever else the provider shared (never a token). */
export type UserClaims = z.infer<typeof userClaimsSchema>;

/** `GET /auth/providers`: the providers sign-in may name (`/auth/login?provider=NAME`). */
export const providerListSchema = z.array(z.object({ name: z.string(), label: z.string() }));

export type ProviderList = z.infer<typeof providerListSchema>;
