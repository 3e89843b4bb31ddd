// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://localhost:3000/"}
import { act, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { signOut, useSession } from '../../client/bff/index.ts';
import { alice, signedIn } from './support/bff.ts';
import { renderWithBff, setupClientTests } from './support/setup.tsx';

// Silent sign-in (<BffProvider silentSignIn>): a signed-out first load goes once through
// /auth/login?prompt=none; the BFF brings the user back with ?error=login_required when the
// provider has no session (CONTRACT.md "Several providers, login parameters, step-up").

const t = setupClientTests();

const SILENT_LOGIN = '/auth/login?returnTo=%2Fapi-panel%3Ftab%3D2&prompt=none';

/** A full page load of the app at `path`: a new QueryClient, the page's own address. */
function loadPage(path: string, silentSignIn = true) {
  window.history.replaceState(null, '', path);
  return renderWithBff(useSession, { silentSignIn });
}

/** A page load that runs its course (silent sign-in decided), then the browser leaves it. */
async function loadAndLeave(path: string) {
  const app = loadPage(path);
  await settled(app);
  app.unmount();
}

/** Every /auth/session read settled and every effect run: nothing more will happen by itself. */
async function settled(app: ReturnType<typeof loadPage>) {
  await waitFor(() => expect(t.bff.state.sessionCalls).toBeGreaterThan(0));
  await waitFor(() => expect(app.client.isFetching()).toBe(0));
  await act(async () => {});
}

beforeEach(() => {
  window.sessionStorage.clear();
  t.bff.state.session = { authenticated: false };
});

describe('silent sign-in', () => {
  it('is off by default: a signed-out first load just reads signed out', async () => {
    const app = loadPage('/api-panel?tab=2', false);
    await waitFor(() => expect(app.result.current.status).toBe('signedOut'));
    await settled(app);
    expect(t.assign).not.toHaveBeenCalled();
  });

  it('sends a signed-out first load once through prompt=none, back to the same address, and reads loading meanwhile', async () => {
    const app = loadPage('/api-panel?tab=2');
    expect(app.result.current.status).toBe('loading');
    await waitFor(() => expect(t.assign).toHaveBeenCalledExactlyOnceWith(SILENT_LOGIN));
    await settled(app);
    // Never a flash of the signed-out screen before the navigation.
    expect(app.result.current.status).toBe('loading');
    expect(t.assign).toHaveBeenCalledTimes(1);
  });

  it('the return with ?error=login_required reads signed out, tries nothing, and drops the error from the address', async () => {
    const first = loadPage('/api-panel?tab=2');
    await waitFor(() => expect(t.assign).toHaveBeenCalledTimes(1));
    first.unmount();

    const back = loadPage('/api-panel?tab=2&error=login_required&error_description=no+session#top');
    await waitFor(() => expect(back.result.current.status).toBe('signedOut'));
    await settled(back);
    expect(t.assign).toHaveBeenCalledTimes(1);
    expect(window.location.pathname + window.location.search + window.location.hash).toBe('/api-panel?tab=2#top');
  });

  it('is never tried twice: a reload after the failed attempt stays signed out', async () => {
    await loadAndLeave('/api-panel?tab=2');
    await loadAndLeave('/api-panel?tab=2&error=interaction_required');
    const reload = loadPage('/api-panel?tab=2');
    await waitFor(() => expect(reload.result.current.status).toBe('signedOut'));
    await settled(reload);
    expect(t.assign).toHaveBeenCalledTimes(1);
  });

  it('is tried again once its marker is older than five minutes', async () => {
    await loadAndLeave('/');
    expect(t.assign).toHaveBeenCalledTimes(1);
    const [at, value] = window.sessionStorage.getItem('bff:silent-sign-in')!.split(' ');
    window.sessionStorage.setItem('bff:silent-sign-in', `${Number(at) - 5 * 60_000 - 1} ${value}`);
    const later = loadPage('/');
    await waitFor(() => expect(t.assign).toHaveBeenCalledTimes(2));
    await settled(later);
  });

  it('leaves an error parameter alone on any later load (only the return carries the provider’s answer)', async () => {
    await loadAndLeave('/');
    await loadAndLeave('/?error=login_required');
    const later = loadPage('/search?error=mine');
    await waitFor(() => expect(later.result.current.status).toBe('signedOut'));
    await settled(later);
    expect(window.location.search).toBe('?error=mine');
    expect(t.assign).toHaveBeenCalledTimes(1);
  });

  it('leaves an error parameter alone after a sign-out (no attempt was made)', async () => {
    signOut('/auth/logout?sid=x');
    const app = loadPage('/search?error=mine');
    await waitFor(() => expect(app.result.current.status).toBe('signedOut'));
    await settled(app);
    expect(window.location.search).toBe('?error=mine');
  });

  it('does nothing when the first read finds the user signed in, nor when they sign out later', async () => {
    t.bff.state.session = signedIn(alice);
    const app = loadPage('/');
    await waitFor(() => expect(app.result.current.status).toBe('signedIn'));
    t.bff.state.session = { authenticated: false };
    await act(() => app.client.invalidateQueries());
    await waitFor(() => expect(app.result.current.status).toBe('signedOut'));
    await settled(app);
    expect(t.assign).not.toHaveBeenCalled();
  });

  it('is not tried right after signing out (a provider without end-session would sign the user back in)', async () => {
    signOut('/auth/logout?sid=sid-alice-sub');
    t.assign.mockClear();
    const app = loadPage('/');
    await waitFor(() => expect(app.result.current.status).toBe('signedOut'));
    await settled(app);
    expect(t.assign).not.toHaveBeenCalled();
  });

  it('is not tried on the sign-in error page, whose error it would replace', async () => {
    const app = loadPage('/login-error?error=invalid_scope');
    await waitFor(() => expect(app.result.current.status).toBe('signedOut'));
    await settled(app);
    expect(t.assign).not.toHaveBeenCalled();
    expect(window.location.search).toBe('?error=invalid_scope');
  });

  it('is not tried without sessionStorage, since nothing could stop a second try', async () => {
    const storage = Object.getOwnPropertyDescriptor(window, 'sessionStorage');
    Object.defineProperty(window, 'sessionStorage', {
      configurable: true,
      get() {
        throw new DOMException('blocked', 'SecurityError');
      },
    });
    try {
      const app = loadPage('/');
      await waitFor(() => expect(app.result.current.status).toBe('signedOut'));
      await settled(app);
      expect(t.assign).not.toHaveBeenCalled();
    } finally {
      Object.defineProperty(window, 'sessionStorage', storage!);
    }
  });

  it('is not tried when the marker cannot be written (storage full): no marker, no try', async () => {
    const storage = Object.getOwnPropertyDescriptor(window, 'sessionStorage');
    const full = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
    };
    Object.defineProperty(window, 'sessionStorage', { configurable: true, get: () => full });
    try {
      const app = loadPage('/');
      await waitFor(() => expect(app.result.current.status).toBe('signedOut'));
      await settled(app);
      expect(t.assign).not.toHaveBeenCalled();
    } finally {
      Object.defineProperty(window, 'sessionStorage', storage!);
    }
  });
});
