import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { postAuthEvent, subscribeAuthEvents } from './channel.ts';
import { clearUserQueries } from './keep.ts';
import { SESSION_KEY, sessionQueryOptions } from './session-query.ts';
import { settleSilentSignIn } from './silent-sign-in.ts';

/**
 * Keeps every open tab's idea of the session in step, and the cache clean. A tab announces what
 * it sees when it first learns the session state (that is how "just came back from sign-in /
 * sign-out" is detected, since both are full-page loads) and whenever it changes; the others
 * re-read /auth/session. It settles: a tab only announces when its own view changed. When the
 * user changes (or signs out), the previous user's queries are reset. With `silentSignIn`, the
 * first read decides whether to try it.
 */
export function useBffSync({ silentSignIn }: { silentSignIn: boolean }): void {
  const client = useQueryClient();
  const { data } = useQuery(sessionQueryOptions());
  const identity = data === undefined ? undefined : data.authenticated ? data.user.sub : null;
  const seen = useRef<string | null | undefined>(undefined);

  useEffect(
    () =>
      subscribeAuthEvents(() => {
        void client.invalidateQueries({ queryKey: SESSION_KEY });
      }),
    // Stryker disable next-line ArrayDeclaration: React Query's hooks keep the client they first saw, so an app can only swap clients by remounting, which re-runs this effect anyway.
    [client],
  );

  useEffect(() => {
    if (identity === undefined) return;
    if (silentSignIn) settleSilentSignIn(client, identity !== null);
    if (identity === seen.current) return;
    const before = seen.current;
    seen.current = identity;
    // A different user (or nobody) now: the previous user's data must not linger.
    if (before !== undefined) void clearUserQueries(client);
    postAuthEvent({ type: identity === null ? 'signed-out' : 'signed-in' });
  }, [client, identity, silentSignIn]);
}
