import { useQuery } from '@tanstack/react-query';
import type { UserClaims } from '../../shared/session.ts';
import { useBffSettings } from './context.ts';
import { signOut } from './navigation.ts';
import { sessionQueryOptions } from './session-query.ts';
import type { SignInAgainCode } from './sign-in-again.ts';
import { useSignInAgainNotice } from './sign-in-again.ts';
import { useSilentSignInPending } from './silent-sign-in.ts';

interface SessionBase {
  /** True while `/auth/session` is being (re-)read, in any state. */
  isFetching: boolean;
  /** Reads `/auth/session` again (e.g. a "Try again" button in the `error` state). */
  refetch: () => void;
  /**
   * Set when a call to the BFF said the session is gone (`unauthenticated`, `session_expired`):
   * show "sign in again". Cleared by the next read that finds someone signed in.
   */
  signInAgain: SignInAgainCode | undefined;
}

/**
 * Who is signed in, as the React developer expects it: `loading` (first read, or a silent
 * sign-in under way), `error` (the BFF could not be asked), `signedOut`, or `signedIn` with the
 * user's claims, the provider they signed in with (when the BFF says), and `signOut()`.
 * @see CONTRACT.md "Routes of the BFF", `GET /auth/session`
 */
export type BffSession =
  | (SessionBase & { status: 'loading' })
  | (SessionBase & { status: 'error'; error: Error })
  | (SessionBase & { status: 'signedOut' })
  | (SessionBase & {
      status: 'signedIn';
      /** The user's claims (never a token): `sub`, and whatever the provider shared. */
      user: UserClaims;
      /** The configured provider's name, when the BFF has several. */
      provider: string | undefined;
      /** The BFF's logout URL for this session (`/auth/logout?sid=…`). */
      logoutUrl: string;
      /** Epoch seconds at which the session ends unless used again. */
      expiresAt: number;
      /** Signs out: a full-page navigation to `logoutUrl`. */
      signOut: () => void;
    });

/** The session hook: needs a QueryClientProvider (or `<BffProvider>`) above it. */
export function useSession(): BffSession {
  const query = useQuery(sessionQueryOptions());
  const signInAgain = useSignInAgainNotice();
  const silent = useSilentSignInPending(useBffSettings().silentSignIn);
  const base: SessionBase = { isFetching: query.isFetching, refetch: () => void query.refetch(), signInAgain };
  if (query.isPending) return { ...base, status: 'loading' };
  if (query.isError) return { ...base, status: 'error', error: query.error };
  const data = query.data;
  if (!data.authenticated) return silent ? { ...base, status: 'loading' } : { ...base, status: 'signedOut' };
  return {
    ...base,
    status: 'signedIn',
    user: data.user,
    provider: data.provider,
    logoutUrl: data.logoutUrl,
    expiresAt: data.expiresAt,
    signOut: () => signOut(data.logoutUrl),
  };
}
