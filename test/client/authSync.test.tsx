// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://localhost:3000/"}
import { useQuery } from '@tanstack/react-query';
import { renderHook, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { meQuery, queryKeys } from '../../client/api/queries.ts';
import { postAuthEvent } from '../../client/bff/channel.ts';
import { BffProvider, sessionQueryOptions } from '../../client/bff/index.ts';
import { alice, ORIGIN, signedIn } from './support/bff.ts';
import { renderWithBff, setupClientTests, testQueryClient } from './support/setup.tsx';

const t = setupClientTests();

const tabs: BroadcastChannel[] = [];
afterEach(() => {
  for (const tab of tabs.splice(0)) tab.close();
});

/** Another tab, recording what this one announces. */
function otherTab() {
  const channel = new BroadcastChannel('bff-auth');
  tabs.push(channel);
  const heard: unknown[] = [];
  channel.onmessage = (event: MessageEvent) => heard.push(event.data);
  return { heard, post: (message: unknown) => channel.postMessage(message) };
}

/** `/api/me` answering as the mock does, counted. */
function countMeCalls() {
  const seen = { calls: 0 };
  t.server.use(
    http.get(`${ORIGIN}/api/me`, () => {
      seen.calls += 1;
      return HttpResponse.json({ sub: 'alice-sub' });
    }),
  );
  return seen;
}

/** `/auth/session` held until `release()`: the session stays unknown meanwhile. */
function holdSession() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  t.server.use(
    http.get(`${ORIGIN}/auth/session`, async () => {
      await released;
      return HttpResponse.json(t.bff.state.session);
    }),
  );
  return release;
}

/** Rendered under `<BffProvider>`, which runs the sync. */
function useSyncedApp() {
  return { session: useQuery(sessionQueryOptions()), me: useQuery(meQuery()) };
}

describe('what this tab announces', () => {
  it('a tab that loads signed out says so', async () => {
    t.bff.state.session = { authenticated: false };
    const tab = otherTab();
    renderWithBff(useSyncedApp);
    await waitFor(() => expect(tab.heard).toEqual([{ type: 'signed-out' }]));
  });

  it('nothing while the session is still unknown, then what it finds', async () => {
    const release = holdSession();
    const tab = otherTab();
    const { client } = renderWithBff(useSyncedApp);
    await waitFor(() => expect(client.getQueryData(queryKeys.me)).toEqual({ sub: 'alice-sub', roles: ['editor'], scope: expect.any(String) }));
    expect(tab.heard).toEqual([]);
    release();
    await waitFor(() => expect(tab.heard).toEqual([{ type: 'signed-in' }]));
  });

  it('nothing when the app resets its cache and the session comes back the same', async () => {
    const tab = otherTab();
    const { client, result } = renderWithBff(useSyncedApp);
    await waitFor(() => expect(tab.heard).toEqual([{ type: 'signed-in' }]));
    const release = holdSession();
    const reset = client.resetQueries();
    await waitFor(() => expect(result.current.session.data).toBeUndefined());
    release();
    await reset;
    await waitFor(() => expect(client.isFetching()).toBe(0));
    // News this tab posts arrives in order: once this marker is heard, anything before it was too.
    postAuthEvent({ type: 'signed-out' });
    await waitFor(() => expect(tab.heard).toHaveLength(2));
    expect(tab.heard).toEqual([{ type: 'signed-in' }, { type: 'signed-out' }]);
  });
});

describe('API data', () => {
  it('fetched before the first session read is kept (nobody changed)', async () => {
    const me = countMeCalls();
    const release = holdSession();
    const tab = otherTab();
    const { client, result } = renderWithBff(useSyncedApp);
    await waitFor(() => expect(result.current.me.data).toEqual({ sub: 'alice-sub' }));
    release();
    await waitFor(() => expect(tab.heard).toEqual([{ type: 'signed-in' }]));
    await waitFor(() => expect(client.isFetching()).toBe(0));
    expect(me.calls).toBe(1);
    expect(result.current.me.data).toEqual({ sub: 'alice-sub' });
  });

  it("is not refetched when another tab's news turns out to be about the same user", async () => {
    const me = countMeCalls();
    const tab = otherTab();
    const { client, result } = renderWithBff(useSyncedApp);
    await waitFor(() => expect(result.current.me.data).toEqual({ sub: 'alice-sub' }));
    await waitFor(() => expect(tab.heard).toEqual([{ type: 'signed-in' }]));
    const sessionCalls = t.bff.state.sessionCalls;
    tab.post({ type: 'signed-in' });
    await waitFor(() => expect(t.bff.state.sessionCalls).toBe(sessionCalls + 1));
    await waitFor(() => expect(client.isFetching()).toBe(0));
    expect(me.calls).toBe(1);
  });

  it("survives React's StrictMode double effects on a remount with the session cached", async () => {
    const client = testQueryClient();
    client.setQueryData(sessionQueryOptions().queryKey, signedIn(alice));
    client.setQueryData(queryKeys.me, { sub: 'alice-sub' });
    const tab = otherTab();
    const wrapper = ({ children }: { children: ReactNode }) => <BffProvider client={client}>{children}</BffProvider>;
    renderHook(() => undefined, { wrapper, reactStrictMode: true });
    await waitFor(() => expect(tab.heard).toContainEqual({ type: 'signed-in' }));
    expect(client.getQueryData(queryKeys.me)).toEqual({ sub: 'alice-sub' });
  });
});
