import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestBff, type TestBff } from '../support/bff.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { DEFAULT_USER } from '../support/idp/index.ts';
import type { Browser } from '../support/browser.ts';
import { rawExchange, rawRequest } from '../support/raw-http.ts';
import type { FileInput } from '../../bff/options/file-schema.ts';

/**
 * The routes table end to end: the real BFF relays to a recording upstream (a base path per
 * route), and each test asserts the exact `Authorization` (and headers) the upstream received.
 */

const SUBSCRIPTION_KEY = 'sub-key-7f3a9c01-do-not-log';
let bff: TestBff;
let upstream: Upstream;

function routes(base: string): NonNullable<FileInput['apis']> {
  return [
    { path: '/api', upstream: `${base}/root` },
    { path: '/api/user', upstream: `${base}/user`, token: 'user' },
    { path: '/api/optional', upstream: `${base}/optional`, token: 'user-optional' },
    { path: '/api/either', upstream: `${base}/either`, token: 'user-or-client', scope: 'either:read' },
    { path: '/api/client', upstream: `${base}/client`, token: 'client', scope: 'catalog:read', resource: 'https://catalog.example' },
    { path: '/api/none', upstream: `${base}/none`, token: 'none' },
    // Client tokens are cached across tests: these two routes are used by one test each.
    { path: '/api/burst', upstream: `${base}/burst`, token: 'client', scope: 'burst:read' },
    { path: '/api/fragile', upstream: `${base}/fragile`, token: 'user-or-client', scope: 'fragile:read' },
    { path: '/api/editors', upstream: `${base}/editors`, require: { claims: { roles: 'editor' } } },
    { path: '/api/admins', upstream: `${base}/admins`, require: { claims: { roles: ['admin', 'owner'], department: 'sales' } } },
    { path: '/api/realm', upstream: `${base}/realm`, require: { claims: { 'realm_access.roles': 'auditor' } } },
    { path: '/api/scoped', upstream: `${base}/scoped`, require: { scopes: ['email', 'notes:write'] } },
    { path: '/api/public-but-guarded', upstream: `${base}/guarded`, token: 'none', require: { claims: { roles: 'editor' } } },
    { path: '/api/keyed', upstream: `${base}/keyed`, token: 'none', headers: { 'X-Api-Key': '${NOTES_KEY}', 'X-Tenant': 'acme' } },
    { path: '/api/slow', upstream: `${base}/slow`, timeoutMs: 300 },
  ];
}

beforeAll(async () => {
  upstream = await startUpstream();
  bff = await startTestBff({
    idpOptions: { user: { ...DEFAULT_USER, roles: ['editor', 'reader'], department: 'it', realm_access: { roles: ['auditor'] } } },
    env: { NOTES_KEY: SUBSCRIPTION_KEY },
    file: { apis: routes(upstream.url) },
  });
});
afterAll(async () => {
  await bff?.close();
  await upstream?.close();
});
beforeEach(() => {
  bff.idp.reset();
  upstream.clear();
});

async function signedIn(): Promise<Browser> {
  const b = bff.browser();
  expect((await bff.signIn(b)).status).toBe(302);
  return b;
}

/** What the upstream saw for one call: its path and Authorization. */
async function relayed(b: Browser, path: string) {
  upstream.clear();
  const res = await b.api(path);
  const seen = upstream.seen[0];
  return { status: res.status, res, url: seen?.url, authorization: seen?.headers.authorization, seen };
}

describe('token kinds', () => {
  it('user: the user token when signed in; 401 unauthenticated and nothing relayed when anonymous', async () => {
    const alice = await signedIn();
    const signed = await relayed(alice, '/api/user/notes?x=1');
    expect(signed.status).toBe(200);
    expect(signed.url).toBe('/user/notes?x=1');
    expect(signed.authorization).toMatch(/^Bearer at_/);
    const anon = await relayed(bff.browser(), '/api/user/notes');
    expect(anon.status).toBe(401);
    expect(((await anon.res.json()) as { code: string }).code).toBe('unauthenticated');
    expect(anon.seen).toBeUndefined();
  });

  it('user-optional: the user token when signed in; no Authorization when anonymous', async () => {
    const alice = await signedIn();
    const userToken = (await relayed(alice, '/api/user')).authorization;
    expect((await relayed(alice, '/api/optional')).authorization).toBe(userToken);
    const anon = await relayed(bff.browser(), '/api/optional/feed');
    expect(anon.status).toBe(200);
    expect(anon.url).toBe('/optional/feed');
    expect(anon.authorization).toBeUndefined();
  });

  it("user-or-client: the user token when signed in; the BFF's client token (never a browser's) when anonymous", async () => {
    const alice = await signedIn();
    const userToken = (await relayed(alice, '/api/user')).authorization;
    expect((await relayed(alice, '/api/either')).authorization).toBe(userToken);
    const anon = await relayed(bff.browser(), '/api/either');
    expect(anon.authorization).toMatch(/^Bearer cc_/);
    expect(bff.idp.calls.tokenClientCredentials).toEqual([{ client_id: 'bff', scope: 'either:read', resource: null }]);
  });

  it("client: the BFF's client token, signed in or not, with the route's scope and resource", async () => {
    const alice = await signedIn();
    const userToken = (await relayed(alice, '/api/user')).authorization;
    const signed = await relayed(alice, '/api/client/items');
    const anon = await relayed(bff.browser(), '/api/client/items');
    expect(signed.authorization).toMatch(/^Bearer cc_/);
    expect(signed.authorization).not.toBe(userToken);
    expect(anon.authorization).toBe(signed.authorization);
    expect(bff.idp.calls.tokenClientCredentials).toEqual([{ client_id: 'bff', scope: 'catalog:read', resource: 'https://catalog.example' }]);
  });

  it('none: no Authorization, signed in or not, whatever the browser sends', async () => {
    const alice = await signedIn();
    for (const b of [alice, bff.browser()]) {
      upstream.clear();
      const res = await b.api('/api/none', { headers: { authorization: 'Bearer forged' } });
      expect(res.status).toBe(200);
      expect(upstream.seen[0]?.headers.authorization).toBeUndefined();
    }
  });

  it('a burst of 30 on a client route makes one client-credentials grant', async () => {
    const anon = bff.browser();
    const results = await Promise.all(Array.from({ length: 30 }, () => anon.api('/api/burst/x')));
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect(bff.idp.calls.tokenClientCredentials).toHaveLength(1);
    expect(new Set(upstream.seen.map((s) => s.headers.authorization)).size).toBe(1);
  });

  it('a provider that cannot issue the client token: 503 provider_unavailable, nothing relayed, and the next request tries again', async () => {
    const anon = bff.browser();
    for (const fault of ['invalid_scope', 'server_error', 'network'] as const) {
      bff.idp.faults.clientCredentials = fault;
      const res = await relayed(anon, '/api/fragile/x');
      expect(res.status, fault).toBe(503);
      expect(((await res.res.json()) as { code: string }).code).toBe('provider_unavailable');
      expect(res.seen).toBeUndefined();
    }
    bff.idp.faults.clientCredentials = undefined;
    expect((await relayed(anon, '/api/fragile/x')).authorization).toMatch(/^Bearer cc_/);
  });
});

describe('require', () => {
  it('is met by equality, array membership, any-of and dotted names', async () => {
    const alice = await signedIn();
    expect((await relayed(alice, '/api/editors')).status).toBe(200);
    expect((await relayed(alice, '/api/realm')).status).toBe(200);
  });

  it('unmet claims: 403 forbidden naming them in missing, nothing relayed, never 401', async () => {
    const alice = await signedIn();
    const res = await relayed(alice, '/api/admins/report');
    expect(res.status).toBe(403);
    expect(res.res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.res.json()).toMatchObject({ code: 'forbidden', status: 403, missing: ['roles', 'department'] });
    expect(res.seen).toBeUndefined();
  });

  it('unmet scopes: 403 forbidden naming the scope, judged on the scopes granted to the token', async () => {
    const alice = await signedIn();
    const res = await relayed(alice, '/api/scoped');
    expect(res.status).toBe(403);
    expect(((await res.res.json()) as { missing: string[] }).missing).toEqual(['notes:write']);
  });

  it('any requirement needs a session, whatever the token kind: 401 unauthenticated when anonymous', async () => {
    for (const path of ['/api/editors', '/api/public-but-guarded']) {
      const anon = await relayed(bff.browser(), path);
      expect(anon.status).toBe(401);
      expect(anon.seen).toBeUndefined();
    }
    const alice = await signedIn();
    const guarded = await relayed(alice, '/api/public-but-guarded');
    expect(guarded.status).toBe(200);
    expect(guarded.authorization).toBeUndefined();
  });

  it('cannot be dodged by spelling the path another way', async () => {
    const alice = await signedIn();
    expect((await relayed(alice, '/api/ADMINS/report')).status).toBe(403);
    expect((await relayed(alice, '/api/admins;x=1/report')).status).toBe(403);
    const encoded = await relayed(alice, '/api/%61dmins/report');
    expect(encoded.status).toBe(400);
    expect(encoded.seen).toBeUndefined();
  });
});

describe('static headers', () => {
  it("replace the client's same-named header, and reach neither the logs nor the response", async () => {
    upstream.respond = (_s, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    };
    const anon = bff.browser();
    const res = await anon.api('/api/keyed', { headers: { 'x-api-key': 'attacker-key', 'X-TENANT': 'evil' } });
    expect(res.status).toBe(200);
    const seen = upstream.seen[0]!;
    const keyLines = seen.rawHeaders.filter((_, i) => i % 2 === 0 && seen.rawHeaders[i]!.toLowerCase() === 'x-api-key');
    expect(keyLines).toHaveLength(1);
    expect(seen.headers['x-api-key']).toBe(SUBSCRIPTION_KEY);
    expect(seen.headers['x-tenant']).toBe('acme');
    expect(JSON.stringify([...res.headers])).not.toContain(SUBSCRIPTION_KEY);
    expect(await res.text()).not.toContain(SUBSCRIPTION_KEY);
    expect(bff.logs.join('\n')).not.toContain(SUBSCRIPTION_KEY);
  });
});

describe('first-part relay rules on every route', () => {
  it('path safety holds before matching: a traversal out of a route is refused and never sent', async () => {
    const alice = await signedIn();
    // A raw socket: fetch would resolve the dot segments itself before the BFF saw them.
    for (const path of ['/api/user/..%2fadmins', '/api/user/%2e%2e/admins', '/api/user/a/../../admins', '/api/none/..;/x']) {
      upstream.clear();
      const { responses } = await rawExchange(bff.url, rawRequest('GET', path, ['Host: localhost:3000', `Cookie: ${alice.cookieHeader()}`, 'X-CSRF: 1']));
      expect(responses[0]?.status, path).toBe(400);
      expect(upstream.seen, path).toEqual([]);
    }
  });

  it("keeps each route's base path, the rest of the path and the query byte for byte", async () => {
    const alice = await signedIn();
    expect((await relayed(alice, '/api/user/a%20b/c?q=%2F&x=1')).url).toBe('/user/a%20b/c?q=%2F&x=1');
    expect((await relayed(alice, '/api/none?only=query')).url).toBe('/none?only=query');
    expect((await relayed(alice, '/api/notes-app')).url).toBe('/root/notes-app');
  });
});

describe('matching and timeouts', () => {
  it('no route: 404 not_found', async () => {
    const only = await startTestBff({ idp: bff.idp, file: { apis: [{ path: '/api/notes', upstream: upstream.url }] } });
    try {
      const res = await only.browser().api('/api/notesx');
      expect(res.status).toBe(404);
      expect(((await res.json()) as { code: string }).code).toBe('not_found');
      expect(upstream.seen).toHaveLength(0);
    } finally {
      await only.close();
    }
  });

  it("a route's timeoutMs: 504 upstream_timeout on that route, while the default route waits for the same slow API", async () => {
    upstream.respond = (_s, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      }, 800);
    };
    const alice = await signedIn();
    const [slow, patient] = await Promise.all([alice.api('/api/slow'), alice.api('/api/user')]);
    expect(slow.status).toBe(504);
    expect(((await slow.json()) as { code: string }).code).toBe('upstream_timeout');
    expect(patient.status).toBe(200);
  });
});
