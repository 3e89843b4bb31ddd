import type { QueryClient } from '@tanstack/react-query';
import { queryOptions, skipToken, useQuery } from '@tanstack/react-query';
import type { SessionResponse } from '../../shared/session.ts';
import { isSignInAgainError } from './errors.ts';
import { BFF_META } from './keep.ts';
import { SESSION_KEY } from './session-query.ts';

/** The codes after which only signing in again helps. */
export type SignInAgainCode = 'unauthenticated' | 'session_expired';

/**
 * "Your session ended, sign in again" is state that belongs to one QueryClient (one app, one
 * test), so it lives in that client's cache under a never-fetched key instead of a module global.
 */
const signInAgainNotice = queryOptions<SignInAgainCode>({
  queryKey: ['bff', 'sign-in-again'],
  queryFn: skipToken,
  staleTime: Infinity,
  gcTime: Infinity,
  meta: BFF_META,
});

const isSessionQuery = (queryKey: readonly unknown[] | undefined) =>
  queryKey?.length === SESSION_KEY.length && queryKey.every((part, i) => part === SESSION_KEY[i]);

/**
 * Wired into QueryCache/MutationCache `onError` (see `createBffQueryClient`), and callable by an
 * app for a call made outside React Query: any error that says the session is gone raises the
 * notice and re-reads the session. `failedQueryKey` is the failed query's key (none for a mutation).
 */
export function reportSessionLoss(client: QueryClient, error: unknown, failedQueryKey?: readonly unknown[]): void {
  if (!isSignInAgainError(error)) return;
  client.setQueryData(signInAgainNotice.queryKey, error.code as SignInAgainCode);
  // Re-reading the session lets the screens fall back to their signed-out state; skipped when the
  // session query itself failed, which would otherwise invalidate itself in a loop.
  if (!isSessionQuery(failedQueryKey)) void client.invalidateQueries({ queryKey: SESSION_KEY });
}

/**
 * Wired into QueryCache `onSuccess`: a session read that finds someone signed in ends the notice,
 * whether the user signed in again in this tab, in another one, or before this tab re-read it.
 */
export function reportSessionRead(client: QueryClient, data: unknown, queryKey: readonly unknown[]): void {
  if (isSessionQuery(queryKey) && (data as SessionResponse).authenticated) {
    void client.resetQueries({ queryKey: signInAgainNotice.queryKey });
  }
}

/** The code that ended the session, or `undefined` while all is well. */
export function useSignInAgainNotice(): SignInAgainCode | undefined {
  return useQuery(signInAgainNotice).data;
}
