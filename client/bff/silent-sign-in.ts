import type { QueryClient } from '@tanstack/react-query';
import { queryOptions, skipToken, useQuery } from '@tanstack/react-query';
import { paths } from '../../shared/paths.ts';
import { BFF_META } from './keep.ts';
import { isFresh, mark } from './marker.ts';
import { currentPath, signIn } from './navigation.ts';
import { SILENT_ATTEMPT, SILENT_DONE, SILENT_MARKER } from './silent-marker.ts';

/**
 * Silent sign-in: on a page's first load, a signed-out user is sent once through
 * `/auth/login?prompt=none`; a provider session signs them in without a page of its own, and
 * otherwise the BFF brings them back with `?error=login_required` (or the code received).
 * The marker (sessionStorage, with its time) makes the attempt once per window, so it can never
 * loop; signing out sets it too.
 * @see OpenID Connect Core 1.0 §3.1.2.1 (`prompt=none`) and §3.1.2.6 (its errors)
 */
const SILENT_RETRY_MS = 5 * 60_000;

/**
 * Where silent sign-in stands for one QueryClient (one app): decided once, on the first session
 * read. Kept in that client's cache so every `useSession` re-renders when it settles.
 */
type Stage = 'navigating' | 'settled';
const stageOptions = queryOptions<Stage>({
  queryKey: ['bff', 'silent-sign-in'],
  queryFn: skipToken,
  staleTime: Infinity,
  gcTime: Infinity,
  meta: BFF_META,
});

export type SilentDecision = 'try' | 'returned' | 'skip';

/** What a signed-out first load should do now; reads only (render-safe). */
export function decideSilentSignIn(): SilentDecision {
  // The sign-in error page explains a failure; an automatic round trip would replace it.
  if (window.location.pathname === paths.loginError) return 'skip';
  // Only the load right after an attempt is its return: an `error` parameter then is the provider's answer.
  if (isFresh(SILENT_MARKER, SILENT_RETRY_MS, SILENT_ATTEMPT)) {
    return new URLSearchParams(window.location.search).has('error') ? 'returned' : 'skip';
  }
  return isFresh(SILENT_MARKER, SILENT_RETRY_MS, SILENT_DONE) ? 'skip' : 'try';
}

/** Whether the page is (or is about to be) on its way to a silent sign-in: the session then still reads as loading. */
export function useSilentSignInPending(enabled: boolean): boolean {
  const stage = useQuery(stageOptions).data;
  if (!enabled) return false;
  return stage === 'navigating' || (stage === undefined && decideSilentSignIn() === 'try');
}

/** Runs the decision once per QueryClient, on the first session read. */
export function settleSilentSignIn(client: QueryClient, signedIn: boolean): void {
  if (client.getQueryData(stageOptions.queryKey) !== undefined) return;
  const decision = signedIn ? 'skip' : decideSilentSignIn();
  if (decision === 'try' && mark(SILENT_MARKER, SILENT_ATTEMPT)) {
    client.setQueryData(stageOptions.queryKey, 'navigating');
    signIn(currentPath(), { prompt: 'none' });
    return;
  }
  client.setQueryData(stageOptions.queryKey, 'settled');
  if (decision === 'returned') {
    mark(SILENT_MARKER, SILENT_DONE);
    dropErrorParameter();
  }
}

/** The provider's answer has done its job: the address the user sees goes back to what it was. */
function dropErrorParameter(): void {
  const url = new URL(window.location.href);
  url.searchParams.delete('error');
  url.searchParams.delete('error_description');
  window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
}
