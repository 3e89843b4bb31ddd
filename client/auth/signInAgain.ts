import type { QueryClient } from '@tanstack/react-query';
import { hashKey, queryOptions, skipToken, useQuery } from '@tanstack/react-query';
import type { ProblemCode } from '../../shared/problem.ts';
import type { SessionResponse } from '../../shared/session.ts';
import { isSignInAgainError } from '../api/errors.ts';
import { queryKeys } from '../api/queries.ts';

/**
 * "Your session ended, sign in again" is state that belongs to one QueryClient (one app, one
 * test), so it lives in that client's cache under a never-fetched key instead of a module global.
 */
const signInAgainNotice = queryOptions<ProblemCode>({
  queryKey: ['auth', 'sign-in-again'],
  queryFn: skipToken,
  staleTime: Infinity,
  gcTime: Infinity,
});

const sessionQueryHash = hashKey(queryKeys.session);

/**
 * Wired into QueryCache/MutationCache `onError`: any call that says the session is gone.
 * `failedQueryHash` is the failed query's `queryHash` (none for a mutation).
 */
export function reportAuthError(client: QueryClient, error: unknown, failedQueryHash?: string): void {
  if (!isSignInAgainError(error)) return;
  client.setQueryData(signInAgainNotice.queryKey, error.code);
  // Re-reading the session lets the screens fall back to their signed-out state; skipped when the
  // session query itself failed, which would otherwise invalidate itself in a loop.
  if (failedQueryHash !== sessionQueryHash) void client.invalidateQueries({ queryKey: queryKeys.session });
}

/**
 * Wired into QueryCache `onSuccess`: a session read that finds someone signed in ends the notice,
 * whether the user signed in again in this tab, in another one, or before this tab re-read it.
 */
export function reportSessionRead(client: QueryClient, data: unknown, queryHash: string): void {
  if (queryHash === sessionQueryHash && (data as SessionResponse).authenticated) clearSignInAgain(client);
}

function clearSignInAgain(client: QueryClient): void {
  void client.resetQueries({ queryKey: signInAgainNotice.queryKey });
}

/** The code that ended the session, or `undefined` while all is well. */
export function useSignInAgainNotice(): ProblemCode | undefined {
  return useQuery(signInAgainNotice).data;
}
