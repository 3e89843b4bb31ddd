// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://localhost:3000/"}
import { useQueryClient } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { meQuery } from '../../client/api/queries.ts';
import { BffProvider, useSession } from '../../client/bff/index.ts';
import { alice, ORIGIN, problem, signedIn } from './support/bff.ts';
import { renderWithBff, setupClientTests } from './support/setup.tsx';

// useSession(), the module's session hook: each state a React developer switches on.

const t = setupClientTests();

describe('useSession', () => {
  it('is loading until /auth/session answers, then signedIn with the user, the provider and the logout URL', async () => {
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    t.server.use(
      http.get(`${ORIGIN}/auth/session`, async () => {
        await answered;
        return HttpResponse.json({ ...signedIn(alice), provider: 'partner' });
      }),
    );
    const { result } = renderWithBff(useSession);
    expect(result.current.status).toBe('loading');
    answer();
    await waitFor(() => expect(result.current.status).toBe('signedIn'));
    const session = result.current;
    if (session.status !== 'signedIn') throw new Error('unreachable');
    expect(session.user).toEqual(alice);
    expect(session.provider).toBe('partner');
    expect(session.logoutUrl).toBe('/auth/logout?sid=sid-alice-sub');
    expect(session.expiresAt).toBe(2_000_000_000);
    expect(session.signInAgain).toBeUndefined();
  });

  it('has no provider when the BFF does not say', async () => {
    const { result } = renderWithBff(useSession);
    await waitFor(() => expect(result.current.status).toBe('signedIn'));
    expect(result.current.status === 'signedIn' && result.current.provider).toBeUndefined();
  });

  it('signOut() navigates to the session’s own logout URL', async () => {
    const { result } = renderWithBff(useSession);
    await waitFor(() => expect(result.current.status).toBe('signedIn'));
    if (result.current.status === 'signedIn') result.current.signOut();
    expect(t.assign).toHaveBeenCalledWith(`${ORIGIN}/auth/logout?sid=sid-alice-sub`);
  });

  it('is signedOut when nobody is signed in', async () => {
    t.bff.state.session = { authenticated: false };
    const { result } = renderWithBff(useSession);
    await waitFor(() => expect(result.current.status).toBe('signedOut'));
    expect(result.current.signInAgain).toBeUndefined();
    expect(t.assign).not.toHaveBeenCalled();
  });

  it('is error when the BFF cannot be reached, and refetch() recovers', async () => {
    t.server.use(http.get(`${ORIGIN}/auth/session`, () => HttpResponse.error(), { once: true }));
    const { result } = renderWithBff(useSession);
    await waitFor(() => expect(result.current.status).toBe('error'));
    expect(result.current.status === 'error' && result.current.error.name).toBe('BffNetworkError');
    act(() => result.current.refetch());
    await waitFor(() => expect(result.current.status).toBe('signedIn'));
  });

  it('is error when /auth/session answers something that is not a session', async () => {
    t.server.use(http.get(`${ORIGIN}/auth/session`, () => HttpResponse.json({ authenticated: 'yes' })));
    const { result } = renderWithBff(useSession);
    await waitFor(() => expect(result.current.status).toBe('error'));
    expect(result.current.status === 'error' && result.current.error.name).toBe('BffResponseError');
  });

  it('session loss: an API call saying session_expired turns it signedOut with signInAgain', async () => {
    const { result, client } = renderWithBff(useSession);
    await waitFor(() => expect(result.current.status).toBe('signedIn'));
    t.bff.state.apiProblem = { status: 401, code: 'session_expired', title: 'Session expired' };
    await expect(client.fetchQuery(meQuery())).rejects.toThrow();
    await waitFor(() => expect(result.current.status).toBe('signedOut'));
    expect(result.current.signInAgain).toBe('session_expired');
  });

  it('session loss while the BFF still reads signed in: signedIn with signInAgain (the banner case)', async () => {
    t.server.use(http.get(`${ORIGIN}/api/me`, () => problem(401, 'unauthenticated', 'Not signed in')));
    const { result, client } = renderWithBff(useSession);
    await waitFor(() => expect(result.current.status).toBe('signedIn'));
    // The session read that follows finds alice again, which ends the notice: hold it back.
    t.server.use(http.get(`${ORIGIN}/auth/session`, () => new Promise<never>(() => {})));
    await expect(client.fetchQuery(meQuery())).rejects.toThrow();
    await waitFor(() => expect(result.current.signInAgain).toBe('unauthenticated'));
    expect(result.current.status).toBe('signedIn');
    expect(result.current.isFetching).toBe(true);
  });
});

describe('<BffProvider> without a client', () => {
  it('makes its own, one that reports session loss (a plain QueryClient would not)', async () => {
    const wrapper = ({ children }: { children: ReactNode }) => <BffProvider>{children}</BffProvider>;
    const { result } = renderHook(() => ({ session: useSession(), client: useQueryClient() }), { wrapper });
    await waitFor(() => expect(result.current.session.status).toBe('signedIn'));
    const first = result.current.client;
    t.bff.state.apiProblem = { status: 401, code: 'unauthenticated', title: 'Not signed in' };
    await expect(result.current.client.fetchQuery({ ...meQuery(), retry: false })).rejects.toThrow();
    await waitFor(() => expect(result.current.session.signInAgain).toBe('unauthenticated'));
    // The same client across renders: the cache is not thrown away.
    expect(result.current.client).toBe(first);
  });
});
