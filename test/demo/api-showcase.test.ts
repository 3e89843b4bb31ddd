import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoApi } from '../../demo/api/index.ts';
import type { DemoApi } from '../../demo/api/index.ts';
import type { DemoProvider } from '../../demo/provider/index.ts';
import { API_AUDIENCE, CLIENT, discover, login, startProvider } from './oidc-flow.ts';

// The demo API's routes for the routes table (catalog, reports, public, partner): each answer says
// who the API saw, from a real token of the demo provider.

const KEY = 'test-subscription-key-0123456789';
let provider: DemoProvider;
let api: DemoApi;
let alice: string;
let bob: string;
let app: string; // the client's own client-credentials token

beforeAll(async () => {
  provider = await startProvider();
  api = await startDemoApi({ host: '127.0.0.1', port: 0, issuer: provider.issuer, audience: API_AUDIENCE, subscriptionKey: KEY });
  const config = await discover(provider.issuer);
  const [a, b, c] = await Promise.all([
    login(config, 'alice'),
    login(config, 'bob'),
    client.clientCredentialsGrant(config, { scope: 'catalog:read', resource: API_AUDIENCE }),
  ]);
  alice = a.tokens.access_token;
  bob = b.tokens.access_token;
  app = c.access_token;
});
afterAll(async () => {
  await api?.close();
  await provider?.close();
});

function call(path: string, headers: Record<string, string> = {}, init: RequestInit = {}): Promise<Response> {
  return fetch(new URL(path, api.url), { ...init, headers });
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function expectCaller(res: Response, caller: string): Promise<Record<string, unknown>> {
  expect(res.status).toBe(200);
  expect(res.headers.get('x-demo-caller')).toBe(caller);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body.caller).toBe(caller);
  return body;
}

describe('demo API: GET /catalog', () => {
  it('names the app for a client-credentials token, and the user for a user token', async () => {
    const body = await expectCaller(await call('/catalog', bearer(app)), 'the app');
    expect(body.items).toEqual(expect.arrayContaining([expect.objectContaining({ sku: expect.any(String) })]));
    await expectCaller(await call('/catalog', bearer(alice)), 'alice');
    await expectCaller(await call('/catalog', bearer(bob)), 'bob');
  });

  it('refuses a missing token with a bare challenge and an invalid one with invalid_token', async () => {
    const missing = await call('/catalog');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    const tampered = await call('/catalog', bearer(`${app.slice(0, -4)}AAAA`));
    expect(tampered.status).toBe(401);
    expect(tampered.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('refuses to write', async () => {
    const res = await call('/catalog', bearer(app), { method: 'POST' });
    expect(res.status).toBe(405);
  });
});

describe('demo API: GET /reports', () => {
  it('answers any valid token with its caller, and refuses none', async () => {
    await expectCaller(await call('/reports', bearer(alice)), 'alice');
    expect((await call('/reports')).status).toBe(401);
  });
});

describe('demo API: GET /public/…', () => {
  it('answers without a token and says that none arrived', async () => {
    const body = await expectCaller(await call('/public/hello'), 'anonymous');
    expect(body.authorizationReceived).toBe(false);
    await expectCaller(await call('/public'), 'anonymous');
  });

  it('says so when an Authorization header arrives', async () => {
    const body = await expectCaller(await call('/public', bearer(alice)), 'anonymous');
    expect(body.authorizationReceived).toBe(true);
  });

  it('does not match a path that only starts with /public', async () => {
    expect((await call('/publicity')).status).toBe(404);
  });
});

describe('demo API: GET /partner/…', () => {
  const key = { 'x-demo-subscription-key': KEY };

  it('refuses a call without the subscription key, even with a valid token', async () => {
    const res = await call('/partner/orders', bearer(alice));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_subscription_key' });
  });

  it.each([
    ['a wrong key', 'not-the-key'],
    ['the key with a suffix', `${KEY}x`],
    ['a prefix of the key', KEY.slice(0, -1)],
    ['an empty key', ''],
  ])('refuses %s', async (_name, value) => {
    const res = await call('/partner', { 'x-demo-subscription-key': value });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-demo-caller')).toBeNull();
  });

  it('answers with the key: anonymous without a token, the user or the app with one', async () => {
    const body = await expectCaller(await call('/partner/orders', key), 'anonymous');
    expect(body.subscriptionKey).toBe('accepted');
    await expectCaller(await call('/partner', { ...key, ...bearer(alice) }), 'alice');
    await expectCaller(await call('/partner', { ...key, ...bearer(app) }), 'the app');
  });

  it('refuses an invalid token even with the key', async () => {
    const res = await call('/partner', { ...key, authorization: 'Bearer not.a.jwt' });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_token' });
  });

  it('refuses everyone when the API was started without a key', async () => {
    const keyless = await startDemoApi({ host: '127.0.0.1', port: 0, issuer: provider.issuer, audience: API_AUDIENCE });
    try {
      expect((await fetch(new URL('/partner', keyless.url), { headers: { 'x-demo-subscription-key': '' } })).status).toBe(401);
      expect((await fetch(new URL('/partner', keyless.url), { headers: { 'x-demo-subscription-key': 'undefined' } })).status).toBe(401);
    } finally {
      await keyless.close();
    }
  });
});

describe('demo API: who the API saw on /me and /notes', () => {
  it('names the user on /me and in the header of /notes', async () => {
    const me = await call('/me', bearer(alice));
    expect(((await me.json()) as { caller?: string }).caller).toBe('alice');
    const notes = await call('/notes', bearer(bob));
    expect(notes.status).toBe(200);
    expect(notes.headers.get('x-demo-caller')).toBe('bob');
    expect(Array.isArray(await notes.json())).toBe(true);
  });

  it('does not take a user named like the client for the app', async () => {
    const config = await discover(provider.issuer);
    const impostor = (await login(config, CLIENT.client_id)).tokens.access_token;
    await expectCaller(await call('/catalog', bearer(impostor)), CLIENT.client_id);
  });
});
