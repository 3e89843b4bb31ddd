// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://localhost:3000/"}
import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { useProviders } from '../../client/bff/index.ts';
import { ORIGIN, problem } from './support/bff.ts';
import { renderApp, renderWithBff, setupClientTests } from './support/setup.tsx';

// GET /auth/providers, and the sign-in screens offering a choice when there is more than one.

const t = setupClientTests();

const TWO = [
  { name: 'default', label: 'Company sign-in' },
  { name: 'partner', label: 'Partner' },
];

describe('useProviders', () => {
  it('reads the list from /auth/providers', async () => {
    t.bff.state.providers = TWO;
    const { result } = renderWithBff(useProviders);
    await waitFor(() => expect(result.current.data).toEqual(TWO));
  });

  it('refuses a list of the wrong shape rather than show it', async () => {
    t.server.use(http.get(`${ORIGIN}/auth/providers`, () => HttpResponse.json([{ name: 'x' }])));
    const { result } = renderWithBff(useProviders);
    await waitFor(() => expect(result.current.isError).toBe(true));
    expect(result.current.data).toBeUndefined();
  });
});

describe('the sign-in screens', () => {
  it('with two providers, offer one button each; each signs in with its provider and comes back here', async () => {
    t.bff.state.session = { authenticated: false };
    t.bff.state.providers = TWO;
    const { user } = renderApp('/api-panel');
    const choice = await screen.findByRole('list', { name: 'Sign-in providers' });
    expect(within(choice).getAllByRole('button').map((b) => b.textContent)).toEqual(['Sign in with Company sign-in', 'Sign in with Partner']);
    expect(screen.queryByRole('button', { name: 'Sign in' })).toBeNull();
    await user.click(within(choice).getByRole('button', { name: 'Sign in with Partner' }));
    expect(t.assign).toHaveBeenLastCalledWith('/auth/login?returnTo=%2Fapi-panel&provider=partner');
    await user.click(within(choice).getByRole('button', { name: 'Sign in with Company sign-in' }));
    expect(t.assign).toHaveBeenLastCalledWith('/auth/login?returnTo=%2Fapi-panel&provider=default');
  });

  it('the home page offers the choice too, returning home', async () => {
    t.bff.state.session = { authenticated: false };
    t.bff.state.providers = TWO;
    const { user } = renderApp('/');
    await user.click(await screen.findByRole('button', { name: 'Sign in with Partner' }));
    expect(t.assign).toHaveBeenCalledWith('/auth/login?returnTo=%2F&provider=partner');
  });

  it('with one provider, one plain Sign in button that names no provider', async () => {
    t.bff.state.session = { authenticated: false };
    const { user, client } = renderApp('/');
    const button = await screen.findByRole('button', { name: 'Sign in' });
    await waitFor(() => expect(client.getQueryData(['bff', 'providers'])).toHaveLength(1));
    expect(screen.queryByRole('list', { name: 'Sign-in providers' })).toBeNull();
    await user.click(button);
    expect(t.assign).toHaveBeenCalledWith('/auth/login?returnTo=%2F');
  });

  it('a BFF that does not serve /auth/providers still offers Sign in (its default provider)', async () => {
    t.bff.state.session = { authenticated: false };
    let asked = 0;
    t.server.use(
      http.get(`${ORIGIN}/auth/providers`, () => {
        asked += 1;
        return problem(404, 'not_found', 'Not found');
      }),
    );
    const { user, client } = renderApp('/');
    const button = await screen.findByRole('button', { name: 'Sign in' });
    await waitFor(() => expect(client.isFetching()).toBe(0));
    // Asked once, never retried: the list is configuration, not something that comes back.
    expect(asked).toBe(1);
    await user.click(button);
    expect(t.assign).toHaveBeenCalledWith('/auth/login?returnTo=%2F');
  });
});
