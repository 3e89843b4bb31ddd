import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { queryKeys } from '../api/queries.ts';
import { subscribeAuthEvents, postAuthEvent } from './channel.ts';
import { useSession } from './useSession.ts';

/**
 * Keeps every open tab's idea of the session in step. A tab announces what it sees when it first
 * learns the session state (that is how "just came back from sign-in / sign-out" is detected,
 * since both are full-page loads) and whenever it changes; the others re-read /auth/session.
 * It settles: a tab only announces when its own view changed.
 */
export function useAuthSync(): void {
  const client = useQueryClient();
  const { data } = useSession();
  const identity = data === undefined ? undefined : data.authenticated ? data.user.sub : null;
  const seen = useRef<string | null | undefined>(undefined);

  useEffect(
    () =>
      subscribeAuthEvents(() => {
        void client.invalidateQueries({ queryKey: queryKeys.session });
      }),
    // Stryker disable next-line ArrayDeclaration: React Query's hooks keep the client they first saw, so an app can only swap clients by remounting, which re-runs this effect anyway.
    [client],
  );

  useEffect(() => {
    if (identity === undefined || identity === seen.current) return;
    const before = seen.current;
    seen.current = identity;
    if (before !== undefined) {
      // A different user (or nobody) now: the previous user's API data must not linger.
      void client.resetQueries({ queryKey: queryKeys.api });
    }
    postAuthEvent({ type: identity === null ? 'signed-out' : 'signed-in' });
  }, [client, identity]);
}
