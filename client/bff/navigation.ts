import { paths } from '../../shared/paths.ts';
import { postAuthEvent } from './channel.ts';
import { mark } from './marker.ts';
import { SILENT_DONE, SILENT_MARKER } from './silent-marker.ts';

/**
 * Sign-in and sign-out are top-level navigations, never fetches: the provider's pages must be
 * shown by the browser, and the BFF sets or clears the cookie on the way back.
 */

/**
 * Login parameters the BFF passes to the provider (it validates them and refuses anything else).
 * @see OpenID Connect Core 1.0 §3.1.2.1 (authentication request parameters)
 */
export interface SignInOptions {
  /** The configured provider to sign in with (a `name` from `GET /auth/providers`); default: the BFF's default. */
  provider?: string;
  /** `none`: no page at the provider (fails unless already signed in there); `login`: ask again even so. */
  prompt?: 'none' | 'login' | 'consent' | 'select_account';
  /** Seconds: the provider must re-authenticate a user who signed in longer ago. */
  max_age?: number;
  /** Space-separated Authentication Context Class References, in order of preference. */
  acr_values?: string;
  /** The login name to suggest on the provider's form. */
  login_hint?: string;
  /** Space-separated BCP 47 language tags for the provider's pages. */
  ui_locales?: string;
}

const PARAMETERS = ['provider', 'prompt', 'max_age', 'acr_values', 'login_hint', 'ui_locales'] as const;

/**
 * The BFF's `/auth/login` URL. `returnTo` (where the BFF sends the browser afterwards) defaults
 * to the home page, as does anything that is not a path of this app.
 */
export function loginUrl(returnTo?: string, options: SignInOptions = {}): string {
  const query = new URLSearchParams({ returnTo: safeReturnTo(returnTo) });
  for (const name of PARAMETERS) {
    const value = options[name];
    if (value !== undefined && value !== '') query.set(name, String(value));
  }
  return `${paths.login}?${query.toString()}`;
}

/**
 * Starts a sign-in: a full-page navigation to the BFF's `/auth/login`, which sends the browser to
 * the provider and back to `returnTo` (default: the current page, or home from the sign-in error page).
 */
export function signIn(returnTo?: string, options?: SignInOptions): void {
  window.location.assign(loginUrl(returnTo ?? defaultReturnTo(), options));
}

/**
 * Signs out: tells the other tabs, then navigates to the session's `logoutUrl` (from
 * `/auth/session`), which ends the session at the BFF and at the provider. The URL must be on
 * this origin; anything else throws, so a tampered answer cannot turn this into an open redirect.
 */
export function signOut(logoutUrl: string): void {
  const url = new URL(logoutUrl, window.location.origin);
  // The checked URL is followed whole: its path alone may read as protocol-relative
  // (`/.//evil.example` has the path `//evil.example`).
  if (url.origin !== window.location.origin) throw new Error('logoutUrl must be same-origin');
  // A provider without an end-session endpoint keeps its own session: silent sign-in must not
  // undo the user's sign-out on the very next page load.
  mark(SILENT_MARKER, SILENT_DONE);
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

/** The BFF re-checks this; checking here too keeps the app from ever building a bad link. */
function safeReturnTo(path: string | undefined): string {
  return path?.startsWith('/') && !path.startsWith('//') && !path.startsWith('/\\') ? path : '/';
}
