// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://localhost:3000/"}
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MockInstance } from 'vitest';
import { currentPath, loginUrl, signIn, signOut } from '../../client/bff/index.ts';
import { ORIGIN } from './support/bff.ts';

let assign: MockInstance<(url: string | URL) => void>;
let news: unknown[];
let otherTab: BroadcastChannel;

beforeEach(() => {
  window.history.replaceState(null, '', '/');
  // Full-page navigations must not happen inside the test DOM; record them instead.
  assign = vi.spyOn(window.location, 'assign').mockImplementation(() => {});
  news = [];
  otherTab = new BroadcastChannel('bff-auth');
  otherTab.onmessage = (event: MessageEvent) => news.push(event.data);
});
afterEach(() => {
  otherTab.close();
  vi.restoreAllMocks();
});

/** Where a navigation to `url` would really take the browser. */
function destination(url: string | URL): URL {
  return new URL(url, window.location.href);
}

describe('signOut', () => {
  it('navigates to the same-origin logout URL and tells the other tabs', async () => {
    signOut('/auth/logout?sid=abc');
    expect(assign).toHaveBeenCalledTimes(1);
    expect(destination(assign.mock.calls[0]![0]).href).toBe(`${ORIGIN}/auth/logout?sid=abc`);
    await vi.waitFor(() => expect(news).toEqual([{ type: 'signed-out' }]), { timeout: 5_000 });
  });

  it('accepts the logout URL in absolute form on its own origin', () => {
    signOut(`${ORIGIN}/auth/logout?sid=abc`);
    expect(destination(assign.mock.calls[0]![0]).href).toBe(`${ORIGIN}/auth/logout?sid=abc`);
  });

  it.each([
    'https://evil.example/auth/logout?sid=abc',
    '//evil.example/auth/logout',
    '/\\evil.example/auth/logout',
    '\\\\evil.example/auth/logout',
    'javascript:alert(document.cookie)',
    'data:text/html,<script>alert(1)</script>',
    'http://localhost.evil.example:3000/auth/logout',
    'http://localhost:3000@evil.example/auth/logout',
    'http://localhost:3001/auth/logout',
    'https://localhost:3000/auth/logout',
  ])('never follows %s', (logoutUrl) => {
    expect(() => signOut(logoutUrl)).toThrow(/same-origin/);
    expect(assign).not.toHaveBeenCalled();
  });

  it.each(['/.//evil.example/auth/logout', `${ORIGIN}//evil.example/auth/logout`, '/auth/..//evil.example'])(
    'stays on the origin when a same-origin URL has a path starting with // (%s)',
    (logoutUrl) => {
      signOut(logoutUrl);
      expect(assign).toHaveBeenCalledTimes(1);
      expect(destination(assign.mock.calls[0]![0]).origin).toBe(ORIGIN);
    },
  );

  it('announces nothing when it refuses', async () => {
    expect(() => signOut('https://evil.example/')).toThrow();
    // A message posted now arrives after any message the refused call could have posted.
    const marker = new BroadcastChannel('bff-auth');
    marker.postMessage({ type: 'signed-in' });
    marker.close();
    await vi.waitFor(() => expect(news).toContainEqual({ type: 'signed-in' }), { timeout: 5_000 });
    expect(news).toEqual([{ type: 'signed-in' }]);
  });
});

describe('signIn', () => {
  it('returns to the page the user is on', () => {
    window.history.replaceState(null, '', '/api-panel?tab=notes#x');
    expect(currentPath()).toBe('/api-panel?tab=notes');
    signIn();
    expect(assign).toHaveBeenCalledWith('/auth/login?returnTo=%2Fapi-panel%3Ftab%3Dnotes');
  });

  it('returns home rather than to the page that explained the last failure', () => {
    window.history.replaceState(null, '', '/login-error?error=access_denied');
    signIn();
    expect(assign).toHaveBeenCalledWith('/auth/login?returnTo=%2F');
  });

  it('goes where it is told', () => {
    window.history.replaceState(null, '', '/login-error');
    signIn('/api-panel');
    expect(assign).toHaveBeenCalledWith('/auth/login?returnTo=%2Fapi-panel');
  });
});

describe('loginUrl', () => {
  it('defaults to the home page', () => {
    expect(loginUrl()).toBe('/auth/login?returnTo=%2F');
  });

  it.each(['https://evil.example/', '//evil.example/', '/\\evil.example/', 'evil', '', 'javascript:alert(1)'])(
    'never builds a returnTo that leaves the app (%s)',
    (returnTo) => {
      expect(loginUrl(returnTo)).toBe('/auth/login?returnTo=%2F');
    },
  );

  it('keeps a same-origin path with its query, encoded', () => {
    expect(loginUrl('/a/b?x=1&y=2')).toBe('/auth/login?returnTo=%2Fa%2Fb%3Fx%3D1%26y%3D2');
  });

  it('carries the provider and every login parameter of the contract, encoded', () => {
    const url = new URL(
      loginUrl('/p', { provider: 'partner', prompt: 'select_account', max_age: 0, acr_values: 'mfa urn:x', login_hint: 'a&b=c@x', ui_locales: 'de fr' }),
      ORIGIN,
    );
    expect(url.pathname).toBe('/auth/login');
    expect([...url.searchParams]).toEqual([
      ['returnTo', '/p'],
      ['provider', 'partner'],
      ['prompt', 'select_account'],
      ['max_age', '0'],
      ['acr_values', 'mfa urn:x'],
      ['login_hint', 'a&b=c@x'],
      ['ui_locales', 'de fr'],
    ]);
  });

  it('leaves out what is not set, and never lets one parameter smuggle in another', () => {
    expect(loginUrl('/', { provider: undefined, prompt: undefined, login_hint: '' })).toBe('/auth/login?returnTo=%2F');
    const url = new URL(loginUrl('/', { login_hint: 'x&prompt=none&returnTo=https://evil.example' }), ORIGIN);
    expect(url.searchParams.getAll('prompt')).toEqual([]);
    expect(url.searchParams.getAll('returnTo')).toEqual(['/']);
  });

  it('ignores options that are not login parameters', () => {
    const options = { provider: 'p', client_id: 'other', redirect_uri: 'https://evil.example/' } as Parameters<typeof loginUrl>[1];
    expect(loginUrl('/', options)).toBe('/auth/login?returnTo=%2F&provider=p');
  });
});

describe('signIn with options', () => {
  it('navigates to the login URL with them', () => {
    signIn('/x', { provider: 'partner', prompt: 'login' });
    expect(assign).toHaveBeenCalledWith('/auth/login?returnTo=%2Fx&provider=partner&prompt=login');
  });

  it('returns to the current page when only options are given', () => {
    window.history.replaceState(null, '', '/reports?id=7');
    signIn(undefined, { acr_values: 'mfa' });
    expect(assign).toHaveBeenCalledWith('/auth/login?returnTo=%2Freports%3Fid%3D7&acr_values=mfa');
  });
});
