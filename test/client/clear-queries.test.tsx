// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://localhost:3000/"}
import { useQuery } from '@tanstack/react-query';
import { act, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { BFF_META, bffQueryOptions, clearUserQueries, providersQueryOptions, sessionQueryOptions, useSession } from '../../client/bff/index.ts';
import { alice, bob, ORIGIN, signedIn } from './support/bff.ts';
import { renderWithBff, setupClientTests } from './support/setup.tsx';

// When the user changes or signs out, the previous user's cached data goes, whatever the app
// keyed it under: the module resets every query but its own (tagged with meta), rather than rely
// on a key prefix every app would have to remember.

const t = setupClientTests();

const orders = z.array(z.string());
/** An app's queries under keys that share nothing with each other, nor with `['api']`. */
const ORDERS_KEY = ['orders', { page: 1 }] as const;
const PROFILE_KEY = ['profile-card'] as const;

function otherTab(message: unknown): void {
  const channel = new BroadcastChannel('bff-auth');
  channel.postMessage(message);
  channel.close();
}

async function appWithCachedData() {
  t.server.use(http.get(`${ORIGIN}/orders`, () => HttpResponse.json(['alice-order'])));
  const app = renderWithBff(() => ({ session: useSession(), orders: useQuery(bffQueryOptions(ORDERS_KEY, '/orders', orders)) }));
  await waitFor(() => expect(app.result.current.orders.data).toEqual(['alice-order']));
  await waitFor(() => expect(app.result.current.session.status).toBe('signedIn'));
  // Not mounted anywhere: cached data an inactive screen left behind.
  app.client.setQueryData(PROFILE_KEY, { name: 'Alice Example' });
  return app;
}

describe('the previous user’s queries, whatever their key', () => {
  it('are emptied on sign-out seen from another tab; mounted ones are asked again as nobody', async () => {
    const app = await appWithCachedData();
    let askedSignedOut = 0;
    t.server.use(
      http.get(`${ORIGIN}/orders`, () => {
        askedSignedOut += 1;
        return HttpResponse.json([]);
      }),
    );
    t.bff.state.session = { authenticated: false };
    otherTab({ type: 'signed-out' });
    await waitFor(() => expect(app.result.current.session.status).toBe('signedOut'));
    await waitFor(() => expect(app.client.getQueryData(PROFILE_KEY)).toBeUndefined());
    await waitFor(() => expect(app.result.current.orders.data).toEqual([]));
    expect(askedSignedOut).toBe(1);
  });

  it('are emptied when another user signs in (alice → bob)', async () => {
    const app = await appWithCachedData();
    t.server.use(http.get(`${ORIGIN}/orders`, () => HttpResponse.json(['bob-order'])));
    t.bff.state.session = signedIn(bob);
    otherTab({ type: 'signed-in' });
    await waitFor(() => expect(app.result.current.session.status === 'signedIn' && app.result.current.session.user.sub).toBe('bob-sub'));
    await waitFor(() => expect(app.client.getQueryData(PROFILE_KEY)).toBeUndefined());
    await waitFor(() => expect(app.result.current.orders.data).toEqual(['bob-order']));
  });

  it('stay when the session is re-read and it is the same user', async () => {
    const app = await appWithCachedData();
    const calls = t.bff.state.sessionCalls;
    otherTab({ type: 'signed-in' });
    await waitFor(() => expect(t.bff.state.sessionCalls).toBe(calls + 1));
    await waitFor(() => expect(app.client.isFetching()).toBe(0));
    expect(app.client.getQueryData(PROFILE_KEY)).toEqual({ name: 'Alice Example' });
    expect(app.result.current.orders.data).toEqual(['alice-order']);
  });
});

describe('clearUserQueries', () => {
  it("keeps the module's own queries (the session, the providers) and those tagged BFF_META, and resets every other", async () => {
    const app = await appWithCachedData();
    await app.client.prefetchQuery(providersQueryOptions());
    app.client.setQueryData(['api', 'me'], { sub: 'alice-sub' });
    app.client.setQueryData(['public-config'], { theme: 'dark' });
    await app.client.prefetchQuery({ queryKey: ['kept'], queryFn: () => 'public', meta: BFF_META });
    await act(() => clearUserQueries(app.client));
    expect(app.client.getQueryData(sessionQueryOptions().queryKey)).toEqual(signedIn(alice));
    expect(app.client.getQueryData(providersQueryOptions().queryKey)).toEqual(t.bff.state.providers);
    expect(app.client.getQueryData(['kept'])).toBe('public');
    expect(app.client.getQueryData(['public-config'])).toBeUndefined();
    expect(app.client.getQueryData(PROFILE_KEY)).toBeUndefined();
    expect(app.client.getQueryData(['api', 'me'])).toBeUndefined();
  });

  it('resets a query an app keyed like the module’s own, unless it carries the meta', async () => {
    const app = await appWithCachedData();
    app.client.setQueryData(['bff', 'my-app-data'], 'secret');
    await act(() => clearUserQueries(app.client));
    expect(app.client.getQueryData(['bff', 'my-app-data'])).toBeUndefined();
  });
});
