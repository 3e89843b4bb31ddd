import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedStack, type EmbeddedStack } from '../../demo/stack.ts';
import { Browser, location } from '../support/browser.ts';
import { CookieJar } from '../support/cookie-jar.ts';
import { walkToCallback } from './oidc-flow.ts';

// Step-up against the embedded default, over HTTP: the real provider (a security-key choice on
// its login page yields acr `mfa`), the real BFF and the demo API's `/api/audit` route, which
// requires `acr: ["mfa"]`. The browser test of the same story is test/e2e/step-up.e2e.test.ts.

let stack: EmbeddedStack;
beforeAll(async () => {
  stack = await startEmbeddedStack({ PORT: '0', DEMO_PROVIDER_PORT: '0', DEMO_API_PORT: '0', LOG_LEVEL: 'silent' });
});
afterAll(() => stack?.close());

interface Person { bff: Browser; provider: CookieJar }

async function signIn(username: string): Promise<Person> {
  const person = { bff: new Browser(stack.bff.url), provider: new CookieJar() };
  const { callback } = await walkToCallback(person.provider, location(await person.bff.get('/auth/login')), username, stack.config.redirectUri);
  expect((await person.bff.get(callback.pathname + callback.search)).status).toBe(302);
  return person;
}

async function stepUpProblem(person: Person): Promise<{ code: string; acr_values: string; loginUrl: string }> {
  const res = await person.bff.api('/api/audit', { headers: { referer: `${stack.config.publicOrigin}/api-panel` } });
  expect(res.status).toBe(401);
  return (await res.json()) as { code: string; acr_values: string; loginUrl: string };
}

async function user(person: Person): Promise<Record<string, unknown>> {
  return ((await (await person.bff.get('/auth/session')).json()) as { user: Record<string, unknown> }).user;
}

describe('step-up with the embedded provider', () => {
  it('a password sign-in gets step_up_required; the provider asks again, and the security key opens /api/audit', async () => {
    const alice = await signIn('alice');
    expect((await user(alice)).acr).toBeUndefined(); // oidc-provider names an acr only when one was asked for
    const problem = await stepUpProblem(alice);
    expect(problem).toMatchObject({ code: 'step_up_required', acr_values: 'mfa' });
    expect(problem.loginUrl).toBe('/auth/login?acr_values=mfa&returnTo=%2Fapi-panel');

    const authorize = location(await alice.bff.get(problem.loginUrl));
    // The provider already has alice's password session: only the acr check brings its login page back.
    const { callback, sawLoginPage } = await walkToCallback(alice.provider, authorize, 'alice', stack.config.redirectUri, 'key');
    expect(sawLoginPage).toBe(true);
    const back = await alice.bff.get(callback.pathname + callback.search);
    expect(back.headers.get('location')).toBe('/api-panel');
    expect((await user(alice)).acr).toBe('mfa');
    const audit = await alice.bff.api('/api/audit');
    expect(audit.status).toBe(200);
    expect(audit.headers.get('x-demo-caller')).toBe('alice');
  });

  it('refuses the downgrade: without acr_values the provider answers from its password session, and the BFF keeps the old session', async () => {
    const bob = await signIn('bob');
    const { logoutUrl } = (await (await bob.bff.get('/auth/session')).json()) as { logoutUrl: string };
    const problem = await stepUpProblem(bob);
    const authorize = location(await bob.bff.get(problem.loginUrl));
    authorize.searchParams.delete('acr_values');
    const { callback, sawLoginPage } = await walkToCallback(bob.provider, authorize, 'bob', stack.config.redirectUri);
    expect(sawLoginPage).toBe(false);
    const back = await bob.bff.get(callback.pathname + callback.search);
    expect(back.headers.get('location')).toBe('/api-panel?error=insufficient_user_authentication');
    expect(((await (await bob.bff.get('/auth/session')).json()) as { logoutUrl: string }).logoutUrl).toBe(logoutUrl);
    expect((await bob.bff.api('/api/audit')).status).toBe(401);
  });

  it('the provider insists: a password chosen on the step-up page brings its login page back', async () => {
    const carol = await signIn('carol');
    const problem = await stepUpProblem(carol);
    let url = location(await carol.bff.get(problem.loginUrl));
    const pages: string[] = [];
    for (let hop = 0; hop < 12 && pages.length < 2; hop += 1) {
      const res = await carol.provider.fetch(url);
      if (res.status >= 300 && res.status < 400) {
        url = new URL(res.headers.get('location')!, url);
        continue;
      }
      const html = await res.text();
      pages.push(html);
      if (pages.length === 1) {
        const action = new URL(/<form[^>]*\saction="([^"]+)"/.exec(html)![1]!.replaceAll('&amp;', '&'), url);
        const posted = await carol.provider.fetch(action, { method: 'POST', body: new URLSearchParams({ username: 'carol', password: 'x' }) });
        url = new URL(posted.headers.get('location')!, action);
      }
    }
    expect(pages).toHaveLength(2);
    for (const html of pages) expect(html).toContain('The app asks for a security key');
    expect((await carol.bff.api('/api/audit')).status).toBe(401);
  });

  it('max_age=0 makes the provider ask again although it has a session; the session has the new auth_time', async () => {
    const dave = await signIn('dave');
    const before = (await user(dave)).auth_time as number;
    expect(typeof before).toBe('number');
    const { callback, sawLoginPage } = await walkToCallback(dave.provider, location(await dave.bff.get('/auth/login?max_age=0')), 'dave', stack.config.redirectUri);
    expect(sawLoginPage).toBe(true);
    expect((await dave.bff.get(callback.pathname + callback.search)).headers.get('location')).toBe('/');
    expect((await user(dave)).auth_time as number).toBeGreaterThanOrEqual(before);
  });
});
