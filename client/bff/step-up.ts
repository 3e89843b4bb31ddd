import { paths } from '../../shared/paths.ts';
import { isFresh, mark } from './marker.ts';
import { currentPath } from './navigation.ts';

const STEP_UP_MARKER = 'bff:step-up';
/**
 * A provider that cannot meet the request (or a user who edits it) sends the browser straight
 * back to a page whose call asks again: the same step-up within this window is not followed twice.
 */
const STEP_UP_RETRY_MS = 60_000;

/**
 * Follows a `step_up_required` problem's `loginUrl` with a full-page navigation, when it is this
 * origin's `/auth/login` (a relayed upstream could forge the problem, so anything else is refused)
 * and the same step-up was not just tried. `returnTo` becomes the current page. Returns whether the navigation started.
 * @see RFC 9470 §3 (the challenge) and CONTRACT.md "Step-up"
 */
export function followStepUp(loginUrl: string | undefined): boolean {
  if (!loginUrl) return false;
  let url: URL;
  try {
    url = new URL(loginUrl, window.location.origin);
  } catch {
    return false;
  }
  if (url.origin !== window.location.origin || url.pathname !== paths.login) return false;
  // The BFF can only guess the page from a Referer (which its own Referrer-Policy withholds): the
  // page that made the call is here, so the user comes back to it after the stronger sign-in.
  url.searchParams.set('returnTo', currentPath());
  if (isFresh(STEP_UP_MARKER, STEP_UP_RETRY_MS, url.href)) return false;
  if (!mark(STEP_UP_MARKER, url.href)) return false;
  window.location.assign(url.href);
  return true;
}
