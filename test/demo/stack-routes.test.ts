import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedStack, type EmbeddedStack } from '../../demo/stack.ts';
import { Browser, location } from '../support/browser.ts';
import { CookieJar } from '../support/cookie-jar.ts';
import { walkToCallback } from './oidc-flow.ts';

// The embedded default's routes table through the real BFF, provider and demo API: for alice
// (an editor), bob (a reader) and anonymous, what each route answers and whom the API saw.

let stack: EmbeddedStack;
const users: Record<'alice' | 'bob' | 'anonymous', Browser> = {} as never;

async function signIn(username: string): Promise<Browser> {
  const bff = new Browser(stack.bff.url);
  const { callback } = await walkToCallback(new CookieJar(), location(await bff.get('/auth/login')), username, stack.config.redirectUri);
  expect((await bff.get(callback.pathname + callback.search)).status).toBe(302);
  return bff;
}

beforeAll(async () => {
  stack = await startEmbeddedStack({ PORT: '0', DEMO_PROVIDER_PORT: '0', DEMO_API_PORT: '0', LOG_LEVEL: 'silent' });
  [users.alice, users.bob] = await Promise.all([signIn('alice'), signIn('bob')]);
  users.anonymous = new Browser(stack.bff.url);
});
afterAll(() => stack?.close());

/** `caller` when the API answered, else the status and the error or problem code. */
async function outcome(res: Response): Promise<string> {
  const body = (await res.json()) as { caller?: string; code?: string; error?: string; missing?: string[] } | unknown[];
  if (res.status === 200) return `saw ${res.headers.get('x-demo-caller') ?? (body as { caller?: string }).caller}`;
  const b = body as { code?: string; error?: string; missing?: string[] };
  return `${res.status} ${b.code ?? b.error}${b.missing ? ` missing ${b.missing.join(',')}` : ''}`;
}

const ROUTES = ['/api/notes', '/api/catalog', '/api/public', '/api/partner', '/api/reports', '/api/audit', '/api/me'] as const;

describe('the embedded default’s routes table', () => {
  it.each([
    // A password sign-in meets no route's step-up: /api/audit asks for a security key (acr mfa).
    ['alice', ['saw alice', 'saw the app', 'saw anonymous', 'saw alice', 'saw alice', '401 step_up_required', 'saw alice']],
    ['bob', ['saw bob', 'saw the app', 'saw anonymous', 'saw bob', '403 forbidden missing roles', '401 step_up_required', 'saw bob']],
    ['anonymous', ['401 unauthenticated', 'saw the app', 'saw anonymous', 'saw anonymous', '401 unauthenticated', '401 unauthenticated', '401 unauthenticated']],
  ] as const)('answers %s on each route as expected', async (who, expected) => {
    const got: string[] = [];
    for (const path of ROUTES) got.push(await outcome(await users[who].api(path)));
    expect(Object.fromEntries(ROUTES.map((p, i) => [p, got[i]]))).toEqual(Object.fromEntries(ROUTES.map((p, i) => [p, expected[i]])));
  });

  it('lets the demo API refuse writing to bob with its own 403, relayed as is', async () => {
    const res = await users.bob.api('/api/notes', { method: 'POST', body: JSON.stringify({ text: 'bob was here' }), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'insufficient_scope' });
  });

  it('sends no Authorization on the public route, even when the client sends one', async () => {
    const res = await users.alice.api('/api/public', { headers: { authorization: 'Bearer from-the-browser' } });
    expect(await res.json()).toMatchObject({ caller: 'anonymous', authorizationReceived: false });
  });

  it('puts its own subscription key on the partner route over a key the client sends, and never shows it', async () => {
    const key = stack.config.routes.find((r) => r.path === '/api/partner')?.headers?.['x-demo-subscription-key'];
    expect(key).toBeTruthy();
    const res = await users.anonymous.api('/api/partner/orders', { headers: { 'x-demo-subscription-key': 'guessed' } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ caller: 'anonymous', subscriptionKey: 'accepted' });
    expect(text).not.toContain(key);
    expect([...res.headers.values()].join('\n')).not.toContain(key);
  });

  it('never hands the app’s token to the browser', async () => {
    const res = await users.anonymous.api('/api/catalog');
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
  });
});
