import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedStack, type EmbeddedStack } from '../../demo/stack.ts';
import { Browser, location } from '../support/browser.ts';
import { CookieJar } from '../support/cookie-jar.ts';
import { formAction, walkToCallback } from './oidc-flow.ts';
import { waitForAsync } from '../support/wait.ts';

// The embedded default started the way `npm start` starts it (demo/start.ts → startEmbeddedStack),
// walked by an HTTP client through the real provider's login form and the real BFF.

let stack: EmbeddedStack;
beforeAll(async () => {
  stack = await startEmbeddedStack({ PORT: '0', DEMO_PROVIDER_PORT: '0', DEMO_API_PORT: '0', LOG_LEVEL: 'silent' });
});
afterAll(() => stack?.close());

interface User {
  bff: Browser;
  provider: CookieJar;
}

async function signIn(username: string, returnTo = '/'): Promise<User> {
  const bff = new Browser(stack.bff.url);
  const provider = new CookieJar();
  const login = await bff.get(`/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
  const authorize = location(login);
  expect(authorize.origin).toBe(stack.provider.issuer);
  const { callback, sawLoginPage } = await walkToCallback(provider, authorize, username, stack.config.redirectUri);
  expect(sawLoginPage).toBe(true);
  const done = await bff.get(callback.pathname + callback.search);
  expect(done.status).toBe(302);
  expect(done.headers.get('location')).toBe(returnTo);
  return { bff, provider };
}

const json = async <T>(res: Response) => (await res.json()) as T;

describe('the embedded default', () => {
  it('signs alice in through the provider login form; session, /api/me, notes and logout work', async () => {
    const alice = await signIn('alice', '/notes');
    const session = await json<{ authenticated: boolean; user: { sub: string; name?: string; roles?: string[] }; logoutUrl: string }>(await alice.bff.get('/auth/session'));
    expect(session.authenticated).toBe(true);
    expect(session.user.sub).toBe('alice');
    expect(session.user.roles).toEqual(['editor']);

    const me = await alice.bff.api('/api/me');
    expect(me.status).toBe(200);
    expect(await json<{ sub: string; roles: string[] }>(me)).toMatchObject({ sub: 'alice', roles: ['editor'] });

    const created = await alice.bff.api('/api/notes', { method: 'POST', body: JSON.stringify({ text: 'hello from alice' }), headers: { 'content-type': 'application/json' } });
    expect(created.status).toBe(201);
    const note = await json<{ id: string; text: string }>(created);
    expect(note.text).toBe('hello from alice');
    const list = await json<{ id: string }[]>(await alice.bff.api('/api/notes'));
    expect(list.map((n) => n.id)).toContain(note.id);
    expect((await alice.bff.api(`/api/notes/${note.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await json<{ id: string }[]>(await alice.bff.api('/api/notes'))).map((n) => n.id)).not.toContain(note.id);

    // Logout: BFF → provider's end-session (auto-submitted confirmation) → back to the app.
    const out = await alice.bff.get(session.logoutUrl);
    expect(out.status).toBe(302);
    const endSession = location(out);
    expect(endSession.origin).toBe(stack.provider.issuer);
    const page = await alice.provider.fetch(endSession);
    const html = await page.text();
    const form = new URLSearchParams();
    for (const [, name, value] of html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)"/g)) form.set(name ?? '', value ?? '');
    const back = await alice.provider.fetch(formAction(html, endSession), { method: 'POST', body: form });
    expect(new URL(back.headers.get('location')!).href.startsWith(`${stack.config.publicOrigin}/`)).toBe(true);
    expect(await json<{ authenticated: boolean }>(await alice.bff.get('/auth/session'))).toEqual({ authenticated: false });
    expect((await alice.bff.api('/api/me')).status).toBe(401);
  });

  it('signing out at the provider (its end-session endpoint) ends the BFF session by back-channel logout', async () => {
    const alice = await signIn('alice');
    expect(await json<{ authenticated: boolean }>(await alice.bff.get('/auth/session'))).toMatchObject({ authenticated: true });
    // The user goes to the provider and signs out there, not through the app.
    const endSession = new URL('/session/end', stack.provider.issuer);
    const page = await alice.provider.fetch(endSession);
    const html = await page.text();
    const form = new URLSearchParams();
    for (const [, name, value] of html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)"/g)) form.set(name ?? '', value ?? '');
    expect((await alice.provider.fetch(formAction(html, endSession), { method: 'POST', body: form })).status).toBeLessThan(400);
    await waitForAsync(async () => !(await json<{ authenticated: boolean }>(await alice.bff.get('/auth/session'))).authenticated, 5000);
    expect((await alice.bff.api('/api/me')).status).toBe(401);
  });

  it('bob, a reader, reads the shared notes but is refused adding and deleting with the API’s 403', async () => {
    const bob = await signIn('bob');
    const notes = await json<{ id: string }[]>(await bob.bff.api('/api/notes'));
    expect(notes.length).toBeGreaterThan(0);
    const created = await bob.bff.api('/api/notes', { method: 'POST', body: JSON.stringify({ text: 'bob was here' }), headers: { 'content-type': 'application/json' } });
    expect(created.status).toBe(403);
    expect(await json<{ error: string }>(created)).toMatchObject({ error: 'insufficient_scope' });
    const del = await bob.bff.api(`/api/notes/${notes[0]!.id}`, { method: 'DELETE' });
    expect(del.status).toBe(403);
    expect(await json<{ error: string }>(del)).toMatchObject({ error: 'insufficient_scope' });
    expect(await json<{ sub: string }>(await bob.bff.api('/api/me'))).toMatchObject({ sub: 'bob' });
  });

  it('refreshes against the real provider (rotation with reuse detection) without ever breaking the grant', async () => {
    // Every request finds the token inside the refresh window: refresh ahead rotates the refresh
    // token for real behind each call, and the next call carries the successor's cookie out.
    const eager = await startEmbeddedStack({ PORT: '0', DEMO_PROVIDER_PORT: '0', DEMO_API_PORT: '0', LOG_LEVEL: 'silent', TOKEN_REFRESH_SKEW_S: '3600' });
    try {
      const b = new Browser(eager.bff.url);
      const login = await b.get('/auth/login');
      const { callback } = await walkToCallback(new CookieJar(), location(login), 'alice', eager.config.redirectUri);
      await b.get(callback.pathname + callback.search);
      const stale = b.cookieHeader();
      const seen = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const res = await b.api('/api/me');
        expect(res.status).toBe(200);
        seen.add(b.jar.get('bff-session')!);
        // The background refresh this call started is done before the next call (as a person's clicks would be).
        await new Promise((r) => setTimeout(r, 150));
      }
      expect(seen.size).toBeGreaterThanOrEqual(3);
      // A burst: one refresh shared by all, and a straggler with a cookie three rotations old.
      const burst = await Promise.all([...Array.from({ length: 10 }, () => b.api('/api/me')), b.api('/api/me', { headers: { cookie: stale } })]);
      expect(burst.map((r) => r.status)).toEqual(Array(11).fill(200));
      expect((await b.api('/api/me')).status).toBe(200);
    } finally {
      await eager.close();
    }
  });
});
