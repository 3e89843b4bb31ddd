import { describe, expect, it } from 'vitest';
import { useBffAndUpstream } from '../support/fixture.ts';
import type { TestBff } from '../support/bff.ts';
import type { Upstream } from '../support/upstream.ts';
import type { Browser } from '../support/browser.ts';
import { createMockIdp, type LogoutTokenOptions } from '../support/idp/index.ts';

/** Moved forward to sign in "later" than a logout by `sub`; the provider's `iat` stays real time. */
let offsetMs = 0;
let bff: TestBff;
let upstream: Upstream;
useBffAndUpstream({ clock: () => Date.now() + offsetMs }, (s) => ({ bff, upstream } = s));

const nowS = () => Math.floor(Date.now() / 1000);

async function signedIn(): Promise<{ b: Browser; psid: string }> {
  const b = bff.browser();
  await bff.signIn(b);
  return { b, psid: bff.idp.issuedSids().at(-1)! };
}

function postLogout(body: string, contentType = 'application/x-www-form-urlencoded'): Promise<Response> {
  return fetch(new URL('/auth/backchannel-logout', bff.url), { method: 'POST', headers: { 'content-type': contentType }, body });
}

const postToken = (token: string) => postLogout(new URLSearchParams({ logout_token: token }).toString());

async function isAuthenticated(b: Browser): Promise<boolean> {
  return ((await (await b.get('/auth/session')).json()) as { authenticated: boolean }).authenticated;
}

async function expectRefused(res: Response): Promise<void> {
  expect(res.status).toBe(400);
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(await res.json()).toEqual({ error: 'invalid_request' });
}

describe('POST /auth/backchannel-logout: a valid logout token', () => {
  it('with the sid answers 200 no-store, and that session is over at its next request (/api 401 session_expired, /auth/session anonymous)', async () => {
    offsetMs = 0;
    const { b, psid } = await signedIn();
    expect((await b.api('/api/me')).status).toBe(200);
    const res = await postToken(await bff.idp.logoutToken({ sid: psid }));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toBe('');
    const before = b.cookieHeader();
    const api = await b.api('/api/me');
    expect(api.status).toBe(401);
    expect(((await api.json()) as { code: string }).code).toBe('session_expired');
    const replayed = (await (await bff.browser().get('/auth/session', { cookie: before })).json()) as { authenticated: boolean };
    expect(replayed.authenticated).toBe(false);
    expect(upstream.seen).toHaveLength(1);
  });

  it('its refresh token is never used again: a stale session ended by sid is not refreshed', async () => {
    offsetMs = 0;
    const { b, psid } = await signedIn();
    expect((await postToken(await bff.idp.logoutToken({ sid: psid }))).status).toBe(200);
    offsetMs = 3600_000; // the access token is long stale: the next /api call would refresh
    const api = await b.api('/api/me');
    expect(api.status).toBe(401);
    expect(bff.idp.calls.tokenRefresh).toBe(0);
    offsetMs = 0;
  });

  it('by sid leaves the same user\'s other session alive (not every session of the sub)', async () => {
    offsetMs = 0;
    const one = await signedIn();
    const other = await signedIn();
    expect(other.psid).not.toBe(one.psid);
    expect((await postToken(await bff.idp.logoutToken({ sid: one.psid, sub: 'alice' }))).status).toBe(200);
    expect(await isAuthenticated(one.b)).toBe(false);
    expect(await isAuthenticated(other.b)).toBe(true);
  });

  it('by sub alone ends every session of that user signed in before iat; signing in again afterwards is not ended by it', async () => {
    offsetMs = 0;
    bff.idp.settings = { ...bff.idp.settings, user: { sub: 'carol', name: 'Carol' } }; // her own sub: the logout outlives this test
    const one = await signedIn();
    const two = await signedIn();
    expect((await postToken(await bff.idp.logoutToken({ sub: 'carol' }))).status).toBe(200);
    expect(await isAuthenticated(one.b)).toBe(false);
    expect(await isAuthenticated(two.b)).toBe(false);
    offsetMs = 2000; // a sign-in after the logout
    const again = await signedIn();
    expect(await isAuthenticated(again.b)).toBe(true);
    offsetMs = 0;
  });

  it('by sub ends nobody else\'s session', async () => {
    offsetMs = 0;
    const { b } = await signedIn();
    expect((await postToken(await bff.idp.logoutToken({ sub: 'mallory' }))).status).toBe(200);
    expect(await isAuthenticated(b)).toBe(true);
  });
});

describe('POST /auth/backchannel-logout: what an attacker would send is refused with 400 invalid_request, and ends nothing', () => {
  const broken: [string, (psid: string) => LogoutTokenOptions][] = [
    ['alg: none', (sid) => ({ sid, signing: 'none' })],
    ['a forged signature (same kid, another key)', (sid) => ({ sid, signing: 'rogue' })],
    ['iss of no configured provider', (sid) => ({ sid, claims: { iss: 'https://attacker.example.test' } })],
    ['aud without our client id', (sid) => ({ sid, claims: { aud: 'someone-else' } })],
    ['iat long past', (sid) => ({ sid, claims: { iat: nowS() - 3600, exp: nowS() + 60 } })],
    ['iat in the future', (sid) => ({ sid, claims: { iat: nowS() + 3600, exp: nowS() + 7200 } })],
    ['no iat', (sid) => ({ sid, claims: { iat: undefined } })],
    ['exp passed', (sid) => ({ sid, claims: { exp: nowS() - 3600 } })],
    ['typ JWT (an ID token is not a logout token)', (sid) => ({ sid, typ: 'JWT' })],
    ['no events member', (sid) => ({ sid, claims: { events: undefined } })],
    ['events without the back-channel logout event', (sid) => ({ sid, claims: { events: { 'http://schemas.openid.net/event/other': {} } } })],
    ['the event not an object', (sid) => ({ sid, claims: { events: { 'http://schemas.openid.net/event/backchannel-logout': 'yes' } } })],
    ['neither sid nor sub', () => ({})],
    ['a nonce', (sid) => ({ sid, claims: { nonce: 'n-0S6_WzA2Mj' } })],
    ['no jti', (sid) => ({ sid, claims: { jti: undefined } })],
    ['sid not a string', () => ({ claims: { sid: 42 } })],
  ];

  it.each(broken)('%s', async (_name, options) => {
    offsetMs = 0;
    const { b, psid } = await signedIn();
    await expectRefused(await postToken(await bff.idp.logoutToken(options(psid))));
    expect(await isAuthenticated(b)).toBe(true);
  });

  it('the same token twice (jti replay): the second is refused', async () => {
    offsetMs = 0;
    const first = await signedIn();
    const token = await bff.idp.logoutToken({ sid: first.psid });
    expect((await postToken(token)).status).toBe(200);
    expect(await isAuthenticated(first.b)).toBe(false);
    await expectRefused(await postToken(token));
  });

  it('a token signed by another provider\'s key, claiming our issuer', async () => {
    offsetMs = 0;
    const { b, psid } = await signedIn();
    const other = await createMockIdp({ issuer: 'https://other-idp.example.test' });
    await expectRefused(await postToken(await other.logoutToken({ sid: psid, claims: { iss: bff.idp.issuer } })));
    expect(await isAuthenticated(b)).toBe(true);
  });

  it('no logout_token, garbage, or JSON instead of a form', async () => {
    await expectRefused(await postLogout(''));
    await expectRefused(await postLogout('logout_token=not.a.jwt'));
    await expectRefused(await postLogout(JSON.stringify({ logout_token: await bff.idp.logoutToken({ sub: 'nobody' }) }), 'application/json'));
  });

  it('GET is 405 with Allow: POST', async () => {
    const res = await fetch(new URL('/auth/backchannel-logout', bff.url));
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});
