// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://localhost:3000/"}
import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { bob, ORIGIN, signedIn } from './support/bff.ts';
import { renderApp, setupClientTests } from './support/setup.tsx';

const t = setupClientTests();

describe('signed out', () => {
  it('shows a loading state, then a Sign in button that navigates to the BFF login', async () => {
    t.bff.state.session = { authenticated: false };
    const { user } = renderApp('/');
    expect(screen.getByRole('status').textContent).toContain('Checking your session');

    const signIn = await screen.findByRole('button', { name: 'Sign in' });
    expect(screen.getByRole('heading', { level: 1, name: 'Welcome' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Sign out' })).toBeNull();

    await user.click(signIn);
    expect(t.assign).toHaveBeenCalledWith('/auth/login?returnTo=%2F');
  });

  it('a screen that needs a session offers sign-in that returns to it', async () => {
    t.bff.state.session = { authenticated: false };
    const { user } = renderApp('/api-panel');
    await user.click(await screen.findByRole('button', { name: 'Sign in' }));
    expect(t.assign).toHaveBeenCalledWith('/auth/login?returnTo=%2Fapi-panel');
  });
});

describe('signed in', () => {
  it("shows the user's name and claims, never a token", async () => {
    renderApp('/profile');
    expect(await screen.findByRole('heading', { level: 1, name: 'Alice Example' })).toBeTruthy();
    const claims = screen.getByRole('region', { name: 'Your claims' });
    expect(within(claims).getByText('alice@example.com')).toBeTruthy();
    expect(within(claims).getByText('editor')).toBeTruthy();
    expect(within(claims).getByText('alice-sub')).toBeTruthy();
    expect(document.title).toBe('Alice Example · React BFF');
  });

  it('Sign out navigates to the logoutUrl from the session', async () => {
    const { user } = renderApp('/');
    await user.click(await screen.findByRole('button', { name: /^Alice Example/ }));
    await user.click(await screen.findByRole('button', { name: 'Sign out' }));
    expect(t.assign).toHaveBeenCalledWith(`${ORIGIN}/auth/logout?sid=sid-alice-sub`);
  });

  it('falls back to another claim when the provider sends no name', async () => {
    t.bff.state.session = signedIn({ sub: 'only-sub', preferred_username: 'carol' });
    renderApp('/');
    expect(await screen.findByRole('heading', { level: 1, name: 'carol' })).toBeTruthy();
  });
});

describe('session unreachable', () => {
  it('says so and lets the user retry', async () => {
    t.server.use(http.get(`${ORIGIN}/auth/session`, () => HttpResponse.error(), { once: true }));
    const { user } = renderApp('/');
    expect((await screen.findByRole('alert')).textContent).toContain('could not check whether you are signed in');
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Alice Example' })).toBeTruthy();
  });
});

describe('cross-tab sync', () => {
  it('re-reads the session when another tab announces a sign-out', async () => {
    renderApp('/');
    await screen.findByRole('heading', { level: 1, name: 'Alice Example' });
    const callsBefore = t.bff.state.sessionCalls;

    // The "other tab": a separate channel instance with the same name.
    t.bff.state.session = { authenticated: false };
    const otherTab = new BroadcastChannel('bff-auth');
    try {
      otherTab.postMessage({ type: 'signed-out' });
      expect(await screen.findByRole('button', { name: 'Sign in' })).toBeTruthy();
      expect(t.bff.state.sessionCalls).toBeGreaterThan(callsBefore);
    } finally {
      otherTab.close();
    }
  });

  it('announces what it sees on load, so other tabs learn about a fresh sign-in', async () => {
    const otherTab = new BroadcastChannel('bff-auth');
    const received: unknown[] = [];
    otherTab.onmessage = (event: MessageEvent) => received.push(event.data);
    try {
      renderApp('/');
      await screen.findByRole('heading', { level: 1, name: 'Alice Example' });
      await waitFor(() => expect(received).toContainEqual({ type: 'signed-in' }));
    } finally {
      otherTab.close();
    }
  });

  it("drops the previous user's API data when the user changes", async () => {
    const { client } = renderApp('/');
    await screen.findByRole('heading', { level: 1, name: 'Alice Example' });
    client.setQueryData(['api', 'me'], { sub: 'alice-sub' });

    t.bff.state.session = signedIn(bob);
    const otherTab = new BroadcastChannel('bff-auth');
    try {
      otherTab.postMessage({ type: 'signed-in' });
      await screen.findByRole('heading', { level: 1, name: 'Bob Reader' });
      await waitFor(() => expect(client.getQueryData(['api', 'me'])).toBeUndefined());
    } finally {
      otherTab.close();
    }
  });

  it('ignores messages that are not auth events', async () => {
    renderApp('/');
    await screen.findByRole('heading', { level: 1, name: 'Alice Example' });
    const callsBefore = t.bff.state.sessionCalls;
    const otherTab = new BroadcastChannel('bff-auth');
    try {
      otherTab.postMessage('<img src=x onerror=alert(1)>');
      otherTab.postMessage({ type: 'something-else' });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(t.bff.state.sessionCalls).toBe(callsBefore);
    } finally {
      otherTab.close();
    }
  });
});
