import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair, importJWK } from 'jose';
import type { JWK, JWTPayload } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoApi } from '../../demo/api/index.ts';
import type { DemoApi } from '../../demo/api/index.ts';
import type { DemoProvider } from '../../demo/provider/index.ts';
import { SEED_NOTES } from '../../demo/api/notes.ts';
import { jwksFile } from '../../demo/provider/keys.ts';
import { API_AUDIENCE, CLIENT, discover, login, startProvider } from './oidc-flow.ts';

let keysDir: string;
let provider: DemoProvider;
let api: DemoApi;
let alice: string; // access tokens obtained through the real login flow
let bob: string;
let aliceIdToken: string;
let providerJwk: JWK; // the provider's private signing key, read from keysDir

beforeAll(async () => {
  keysDir = await mkdtemp(join(tmpdir(), 'demo-keys-'));
  provider = await startProvider({ keysDir });
  api = await startDemoApi({ host: '127.0.0.1', port: 0, issuer: provider.issuer, audience: API_AUDIENCE });
  const config = await discover(provider.issuer);
  const [a, b] = await Promise.all([login(config, 'alice'), login(config, 'bob')]);
  alice = a.tokens.access_token;
  aliceIdToken = a.tokens.id_token ?? '';
  bob = b.tokens.access_token;
  const jwks = JSON.parse(await readFile(jwksFile(keysDir), 'utf8')) as { keys: JWK[] };
  providerJwk = jwks.keys[0] ?? {};
});
afterAll(async () => {
  await api?.close();
  await provider?.close();
  if (keysDir) await rm(keysDir, { recursive: true, force: true });
});

function call(path: string, token?: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  return fetch(new URL(path, api.url), { ...init, headers });
}

function postNote(token: string, body: unknown): Promise<Response> {
  return call('/notes', token, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** A well-formed API access token signed with `jwk` (the provider's key unless told otherwise). */
async function mint(overrides: JWTPayload = {}, jwk: JWK = providerJwk): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: provider.issuer, aud: API_AUDIENCE, sub: 'alice', roles: ['editor'], scope: 'openid api', iat: now, exp: now + 60, ...overrides };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: providerJwk.kid ?? '' })
    .sign(await importJWK(jwk, 'RS256'));
}

async function expectInvalidToken(res: Response): Promise<void> {
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  expect(await res.json()).toMatchObject({ error: 'invalid_token' });
}

describe('demo API', () => {
  it('answers /health without a token', async () => {
    const res = await call('/health');
    expect(res.status).toBe(200);
  });

  it('shows the caller as the API sees it on /me', async () => {
    const res = await call('/me', alice);
    expect(res.status).toBe(200);
    const me = await res.json();
    expect(me).toMatchObject({ sub: 'alice', roles: ['editor'], aud: API_AUDIENCE, client_id: CLIENT.client_id });
    expect(me.scope).toMatch(/\bapi\b/);
  });

  it('accepts an access token minted by a refresh', async () => {
    const config = await discover(provider.issuer);
    const { tokens } = await login(config, 'bob');
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token ?? '');
    const res = await call('/me', refreshed.access_token);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ sub: 'bob', roles: ['reader'] });
  });

  it('shares one seeded notebook: what alice adds, bob reads', async () => {
    const seeded = await (await call('/notes', bob)).json();
    expect(seeded.length).toBeGreaterThanOrEqual(SEED_NOTES.length);
    expect(seeded.map((n: { text: string }) => n.text)).toEqual(expect.arrayContaining(SEED_NOTES.map((n) => n.text)));

    const created = await postNote(alice, { text: 'buy milk' });
    expect(created.status).toBe(201);
    const note = await created.json();
    expect(note).toEqual({ id: expect.any(String), text: 'buy milk', author: 'alice', createdAt: expect.any(String) });
    expect(Number.isNaN(Date.parse(note.createdAt))).toBe(false);
    expect(await (await call('/notes', alice)).json()).toContainEqual(note);
    expect(await (await call('/notes', bob)).json()).toContainEqual(note);
  });

  it('validates the note text', async () => {
    for (const body of [{}, { text: '' }, { text: '   ' }, { text: 42 }, { text: 'x'.repeat(501) }, null]) {
      const res = await postNote(alice, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    }
    expect((await postNote(alice, { text: 'x'.repeat(500) })).status).toBe(201);
    const notJson = await call('/notes', alice, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
    expect(notJson.status).toBe(400);
  });

  it('refuses a reader adding a note with 403 insufficient_scope, before looking at the body', async () => {
    const before = await (await call('/notes', bob)).json();
    for (const body of [{ text: 'bob was here' }, { text: '' }]) {
      const denied = await postNote(bob, body);
      expect(denied.status).toBe(403);
      expect(denied.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
      expect(await denied.json()).toMatchObject({ error: 'insufficient_scope' });
    }
    expect(await (await call('/notes', bob)).json()).toEqual(before);
  });

  it('lets editors delete (204, then 404) and refuses readers with 403 insufficient_scope', async () => {
    const target = await (await postNote(alice, { text: 'keep me' })).json();
    const denied = await call(`/notes/${target.id}`, bob, { method: 'DELETE' });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
    expect(await denied.json()).toMatchObject({ error: 'insufficient_scope' });
    expect(await (await call('/notes', bob)).json()).toContainEqual(target);
    // Same answer for an id that does not exist: a reader cannot probe.
    expect((await call('/notes/does-not-exist', bob, { method: 'DELETE' })).status).toBe(403);

    expect((await call(`/notes/${target.id}`, alice, { method: 'DELETE' })).status).toBe(204);
    expect(await (await call('/notes', bob)).json()).not.toContainEqual(target);
    expect((await call(`/notes/${target.id}`, alice, { method: 'DELETE' })).status).toBe(404);
  });

  it('asks for a token with a bare Bearer challenge', async () => {
    const res = await call('/me');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('accepts a locally minted token with the provider key (control for the refusals below)', async () => {
    const res = await call('/me', await mint());
    expect(res.status).toBe(200);
  });

  it('refuses a token for another audience', async () => {
    await expectInvalidToken(await call('/me', await mint({ aud: 'urn:some-other-api' })));
  });

  it('refuses an expired token', async () => {
    const past = Math.floor(Date.now() / 1000) - 600;
    await expectInvalidToken(await call('/me', await mint({ iat: past - 60, exp: past })));
  });

  it('refuses a token from another issuer', async () => {
    await expectInvalidToken(await call('/me', await mint({ iss: 'http://localhost:1' })));
  });

  it('refuses an unsigned (alg: none) token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = new UnsecuredJWT({ iss: provider.issuer, aud: API_AUDIENCE, sub: 'alice', roles: ['editor'], iat: now, exp: now + 60 }).encode();
    await expectInvalidToken(await call('/me', unsigned));
  });

  it('refuses a token signed by an unknown key, even under the provider key id', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    await expectInvalidToken(await call('/me', await mint({}, await exportJWK(privateKey))));
  });

  it('refuses the ID token used as an access token', async () => {
    await expectInvalidToken(await call('/me', aliceIdToken));
  });
});

describe('GET /notes/events (the live feed)', () => {
  it('streams the note count now and after every change, to any signed-in caller, and refuses anonymous ones', async () => {
    expect((await call('/notes/events')).status).toBe(401);
    const ac = new AbortController();
    const res = await call('/notes/events', bob, { signal: ac.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const next = async (): Promise<{ count: number }> => {
      while (!/\n\n/.test(text)) text += (await reader.read()).value ?? '';
      const end = text.indexOf('\n\n');
      const event = text.slice(0, end);
      text = text.slice(end + 2);
      expect(event).toMatch(/^event: notes\ndata: /);
      return JSON.parse(event.slice(event.indexOf('data: ') + 6)) as { count: number };
    };
    const first = await next();
    const created = await postNote(alice, { text: 'live feed' });
    expect(created.status).toBe(201);
    expect(await next()).toEqual({ count: first.count + 1 });
    const { id } = (await created.json()) as { id: string };
    expect((await call(`/notes/${id}`, alice, { method: 'DELETE' })).status).toBe(204);
    expect(await next()).toEqual({ count: first.count });
    ac.abort();
  });
});
