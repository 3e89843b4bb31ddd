import { paths } from '../../shared/paths.ts';
import { postAuthEvent } from './channel.ts';

/**
 * Sign-in and sign-out are top-level navigations, never fetches: the provider's pages must be
 * shown by the browser, and the BFF sets or clears the cookie on the way back.
 */

/** `returnTo` defaults to the home page, as does anything that is not a path of this app. */
export function loginUrl(returnTo?: string): string {
  return `${paths.login}?returnTo=${encodeURIComponent(safeReturnTo(returnTo))}`;
}

export function signIn(returnTo?: string): void {
  window.location.assign(loginUrl(returnTo ?? defaultReturnTo()));
}

export function signOut(logoutUrl: string): void {
  const url = new URL(logoutUrl, window.location.origin);
  // The URL comes from our own BFF; refusing anything off-origin keeps a tampered response from
  // turning the Sign out button into an open redirect. The checked URL is followed whole: its path
  // alone may read as protocol-relative (`/.//evil.example` has the path `//evil.example`).
  if (url.origin !== window.location.origin) throw new Error('logoutUrl must be same-origin');
  postAuthEvent({ type: 'signed-out' });
  window.location.assign(url.href);
}

/** Where the user is now, as a path the BFF accepts for `returnTo`. */
export function currentPath(): string {
  return window.location.pathname + window.location.search;
}

function defaultReturnTo(): string | undefined {
  // Coming back to the page that explained the last failure would be confusing: home instead.
  return window.location.pathname === paths.loginError ? undefined : currentPath();
}

/** The BFF re-checks this; checking here too keeps the SPA from ever building a bad link. */
function safeReturnTo(path: string | undefined): string {
  return path?.startsWith('/') && !path.startsWith('//') && !path.startsWith('/\\') ? path : '/';
}
