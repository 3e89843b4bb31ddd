// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://localhost:3000/"}
import { useMutation, useQuery } from '@tanstack/react-query';
import { act, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { meQuery } from '../../client/api/queries.ts';
import { createNote } from '../../client/api/notes.ts';
import { displayName } from '../../client/auth/session.ts';
import { bffJson, sessionQueryOptions, useSession } from '../../client/bff/index.ts';
import { alice, bob, ORIGIN, problem, signedIn } from './support/bff.ts';
import { renderWithBff, renderWithClient, returnToTab, setupClientTests } from './support/setup.tsx';

const t = setupClientTests();

const sessionKey = sessionQueryOptions().queryKey;

/** Under `<BffProvider>` (the cross-tab sync): the session as read, and the "sign in again" notice. */
function useAuthState() {
  return { session: useQuery(sessionQueryOptions()), notice: useSession().signInAgain };
}

async function signedInApp() {
  const app = renderWithBff(useAuthState);
  await waitFor(() => expect(app.result.current.session.data).toEqual(signedIn(alice)));
  return app;
}

/** A call to the API finds the session gone: the BFF answers 401 `session_expired` and clears it. */
async function sessionEndsDuringApiCall(app: Awaited<ReturnType<typeof signedInApp>>) {
  t.bff.state.apiProblem = { status: 401, code: 'session_expired', title: 'Session expired' };
  await expect(app.client.fetchQuery(meQuery())).rejects.toThrow();
  await waitFor(() => expect(app.result.current.session.data).toEqual({ authenticated: false }));
  expect(app.result.current.notice).toBe('session_expired');
  t.bff.state.apiProblem = undefined;
}

/**
 * The notice as the cache holds it now: a hook mounted now reads it at once, where a mounted one
 * hears of a change on a later tick (so asserting "still unchanged" on it proves nothing).
 */
function noticeNow(app: Awaited<ReturnType<typeof signedInApp>>) {
  return renderWithClient(() => useSession().signInAgain, app.client).result.current;
}

function otherTab(message: unknown): void {
  const channel = new BroadcastChannel('bff-auth');
  channel.postMessage(message);
  channel.close();
}

describe('the session is re-read', () => {
  it('when the user comes back to the tab, however fresh the last read', async () => {
    const app = await signedInApp();
    const before = t.bff.state.sessionCalls;
    t.bff.state.session = signedIn(bob);
    act(returnToTab);
    await waitFor(() => expect(app.result.current.session.data).toEqual(signedIn(bob)));
    expect(t.bff.state.sessionCalls).toBe(before + 1);
  });

  it('when another tab signs in or out', async () => {
    const app = await signedInApp();
    t.bff.state.session = { authenticated: false };
    otherTab({ type: 'signed-out' });
    await waitFor(() => expect(app.result.current.session.data).toEqual({ authenticated: false }));
    t.bff.state.session = signedIn(bob);
    otherTab({ type: 'signed-in' });
    await waitFor(() => expect(app.result.current.session.data).toEqual(signedIn(bob)));
  });

  it('when a mutation finds the session gone', async () => {
    const app = await signedInApp();
    const mutation = renderWithClient(() => useMutation({ mutationFn: createNote }), app.client);
    t.bff.state.apiProblem = { status: 401, code: 'unauthenticated', title: 'Not signed in' };
    act(() => mutation.result.current.mutate('lost'));
    await waitFor(() => expect(app.result.current.session.data).toEqual({ authenticated: false }));
    expect(app.result.current.notice).toBe('unauthenticated');
  });
});

describe('"sign in again"', () => {
  it.each([
    ['a relay problem', () => problem(502, 'upstream_unavailable', 'Upstream unavailable')],
    ['a CSRF refusal', () => problem(403, 'csrf', 'Forbidden')],
    ["the API's own 401 (not the BFF's problem)", () => HttpResponse.json({ error: 'invalid_token' }, { status: 401 })],
  ])('is not raised by %s, nor is the session re-read', async (_name, answer) => {
    const app = await signedInApp();
    t.server.use(http.get(`${ORIGIN}/api/me`, answer));
    const before = t.bff.state.sessionCalls;
    await expect(app.client.fetchQuery(meQuery())).rejects.toThrow();
    // Re-reading would have started by now: the cache reports errors before the call rejects.
    expect(app.client.isFetching({ queryKey: sessionKey })).toBe(0);
    expect(t.bff.state.sessionCalls).toBe(before);
    expect(noticeNow(app)).toBeUndefined();
  });

  it('is raised by the session endpoint itself answering "sign in again", without a re-read loop', async () => {
    // Only the first answer is a problem, so that a loop would end (and this test fail, not hang).
    let calls = 0;
    t.server.use(
      http.get(`${ORIGIN}/auth/session`, () => {
        calls += 1;
        return calls === 1 ? problem(401, 'unauthenticated', 'Not signed in') : HttpResponse.json({ authenticated: false });
      }),
    );
    const app = renderWithBff(useAuthState);
    await waitFor(() => expect(app.result.current.notice).toBe('unauthenticated'));
    // Invalidating the failed session query would have refetched it at once (and failed again).
    expect(app.client.isFetching({ queryKey: sessionKey })).toBe(0);
    expect(calls).toBe(1);
    expect(app.result.current.session.error).toBeInstanceOf(Error);
  });

  it('stays while the session is still gone, even across re-reads', async () => {
    const app = await signedInApp();
    await sessionEndsDuringApiCall(app);
    const before = t.bff.state.sessionCalls;
    act(returnToTab);
    await waitFor(() => expect(t.bff.state.sessionCalls).toBe(before + 1));
    otherTab({ type: 'signed-out' });
    await waitFor(() => expect(t.bff.state.sessionCalls).toBe(before + 2));
    await waitFor(() => expect(app.client.isFetching()).toBe(0));
    expect(noticeNow(app)).toBe('session_expired');
  });

  it('is cleared when the user signs in again in another tab', async () => {
    const app = await signedInApp();
    await sessionEndsDuringApiCall(app);
    t.bff.state.session = signedIn(alice);
    otherTab({ type: 'signed-in' });
    await waitFor(() => expect(app.result.current.notice).toBeUndefined());
    expect(app.result.current.session.data).toEqual(signedIn(alice));
  });

  it('is cleared by a session read that finds the user signed in (back to the tab)', async () => {
    const app = await signedInApp();
    await sessionEndsDuringApiCall(app);
    t.bff.state.session = signedIn(bob);
    act(returnToTab);
    await waitFor(() => expect(app.result.current.notice).toBeUndefined());
    expect(app.result.current.session.data).toEqual(signedIn(bob));
  });

  it('is not cleared by an API answer that happens to say authenticated: true', async () => {
    const app = await signedInApp();
    await sessionEndsDuringApiCall(app);
    t.server.use(http.get(`${ORIGIN}/api/whoami`, () => HttpResponse.json({ authenticated: true })));
    const whoami = z.object({ authenticated: z.boolean() });
    await app.client.fetchQuery({ queryKey: ['api', 'whoami'], queryFn: () => bffJson('/api/whoami', whoami) });
    expect(noticeNow(app)).toBe('session_expired');
  });

  it('is cleared when the re-read it triggers finds the session already back', async () => {
    // Another tab signed in again before this tab re-read the session (and before its news
    // arrived): the session never looked gone here, yet the notice must not outlive it.
    const app = await signedInApp();
    t.server.use(http.get(`${ORIGIN}/api/me`, () => problem(401, 'session_expired', 'Session expired'), { once: true }));
    const before = t.bff.state.sessionCalls;
    await expect(app.client.fetchQuery(meQuery())).rejects.toThrow();
    await waitFor(() => expect(t.bff.state.sessionCalls).toBe(before + 1));
    await waitFor(() => expect(app.result.current.notice).toBeUndefined());
    expect(app.result.current.session.data).toEqual(signedIn(alice));
  });
});

describe('displayName', () => {
  it('is the first human-friendly claim that is not blank, else the subject', () => {
    expect(displayName({ sub: 's', name: 'Ann', preferred_username: 'ann', email: 'a@x' })).toBe('Ann');
    expect(displayName({ sub: 's', name: '  ', preferred_username: 'ann', email: 'a@x' })).toBe('ann');
    expect(displayName({ sub: 's', preferred_username: '', email: 'a@x' })).toBe('a@x');
    expect(displayName({ sub: 's', name: 42, email: '\t' })).toBe('s');
  });

  it('keeps a name as the provider spelled it', () => {
    expect(displayName({ sub: 's', name: ' Ann Lee ' })).toBe(' Ann Lee ');
  });
});
