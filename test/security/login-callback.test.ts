import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestBff, type TestBff } from '../support/bff.ts';
import { location, type Browser } from '../support/browser.ts';
import { createMockIdp, DEFAULT_CLIENT, WRONG_ISSUER, type IdpFaults, type MockIdp } from '../support/idp/index.ts';
import { http, HttpResponse } from 'msw';
import { decodeJwt, SignJWT } from 'jose';
import { rawExchange, rawRequest, rewriteTokenResponses } from './helpers.ts';

let bff: TestBff;

/** The provider's real metadata document, as its discovery endpoint serves it. */
function providerMetadata(idp: MockIdp): Record<string, unknown> {
  const e = (path: string) => `${idp.issuer}${path}`;
  return {
    issuer: idp.issuer, authorization_endpoint: e('/authorize'), token_endpoint: e('/token'), userinfo_endpoint: e('/userinfo'),
    jwks_uri: e('/jwks'), revocation_endpoint: e('/revoke'), end_session_endpoint: e('/end-session'),
    response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
    code_challenge_methods_supported: ['S256'], authorization_response_iss_parameter_supported: true,
  };
}
beforeAll(async () => {
  bff = await startTestBff();
});
afterAll(() => bff.close());
beforeEach(() => bff.idp.reset());

/** Asserts the user landed on the SPA's error page with `error`, and holds no session. */
async function expectLoginError(b: Browser, res: Response, error: string): Promise<URL> {
  expect(res.status).toBe(302);
  const to = location(res);
  expect(to.pathname).toBe('/login-error');
  expect(to.searchParams.get('error')).toBe(error);
  expect(to.searchParams.get('error_description')).toBeTruthy();
  expect([...b.jar.keys()].filter((k) => k.startsWith('bff-session'))).toEqual([]);
  expect(await (await b.get('/auth/session')).json()).toEqual({ authenticated: false });
  return to;
}

/** The provider's token answer carries `rewrite(id_token)` instead: the sign-in must fail, no session. */
async function expectRewrittenIdTokenRefused(rewrite: (idToken: string) => string | Promise<string>): Promise<void> {
  const undo = rewriteTokenResponses(bff.idp, async (body) => ({ ...body, id_token: await rewrite(body.id_token as string) }));
  try {
    const b = bff.browser();
    const callback = await bff.startLogin(b);
    await expectLoginError(b, await b.get(callback.pathname + callback.search), 'login_failed');
  } finally {
    undo();
  }
}

describe('token_type at sign-in', () => {
  for (const tokenType of ['DPoP', 'dpop', 'MAC']) {
    it(`refuses token_type ${tokenType} (only Bearer is supported): the error page, no session`, async () => {
      const undo = rewriteTokenResponses(bff.idp, (body) => ({ ...body, token_type: tokenType }));
      try {
        const b = bff.browser();
        const callback = await bff.startLogin(b);
        await expectLoginError(b, await b.get(callback.pathname + callback.search), 'login_failed');
      } finally {
        undo();
      }
    });
  }

  it('accepts token_type in any case (BEARER)', async () => {
    const undo = rewriteTokenResponses(bff.idp, (body) => ({ ...body, token_type: 'BEARER' }));
    try {
      const b = bff.browser();
      expect((await bff.signIn(b)).status).toBe(302);
      expect((await (await b.get('/auth/session')).json()) as { authenticated: boolean }).toMatchObject({ authenticated: true });
    } finally {
      undo();
    }
  });
});

describe('GET /auth/callback refuses', () => {
  it('a state that does not match the transaction', async () => {
    const b = bff.browser();
    const callback = await bff.startLogin(b);
    callback.searchParams.set('state', 'attacker-state');
    await expectLoginError(b, await b.get(callback.pathname + callback.search), 'login_failed');
    expect(bff.idp.calls.tokenCode).toBe(0);
  });

  it('a callback without the transaction cookie (login CSRF / another browser)', async () => {
    const victim = bff.browser();
    const callback = await bff.startLogin(bff.browser());
    await expectLoginError(victim, await victim.get(callback.pathname + callback.search), 'login_failed');
    expect(bff.idp.calls.tokenCode).toBe(0);
  });

  it('a replayed transaction cookie, before anything reaches the provider', async () => {
    const b = bff.browser();
    const callback = await bff.startLogin(b);
    const txCookie = b.cookieHeader();
    expect((await b.get(callback.pathname + callback.search)).headers.get('location')).toBe('/');
    const replay = bff.browser();
    const res = await replay.get(callback.pathname + callback.search, { cookie: txCookie });
    await expectLoginError(replay, res, 'login_failed');
    expect(bff.idp.calls.tokenCode).toBe(1);
  });

  it('a transaction cookie sealed with another secret', async () => {
    const b = bff.browser();
    const callback = await bff.startLogin(b);
    const other = await startTestBff({ idp: bff.idp, env: { SESSION_SECRET: 'another-secret-entirely-0123456789abcdef' } });
    try {
      const res = await b.request(new URL(callback.pathname + callback.search, other.url).href);
      await expectLoginError(b, res, 'login_failed');
    } finally {
      await other.close();
    }
  });

  const idTokenFaults: Array<[NonNullable<IdpFaults['idToken']>, string]> = [
    ['wrong_nonce', 'an ID token whose nonce is not the transaction\'s (ID token replay)'],
    ['wrong_iss', 'an ID token issued by another issuer (mix-up)'],
    ['wrong_aud', 'an ID token issued for another client (aud)'],
    ['expired', 'an expired ID token'],
    ['alg_none', 'an unsigned ID token (alg: none)'],
    ['bad_signature', 'an ID token signed with a rogue key under the provider\'s kid'],
    ['missing', 'a token response without an ID token'],
  ];
  for (const [fault, name] of idTokenFaults) {
    it(name, async () => {
      bff.idp.faults.idToken = fault;
      const b = bff.browser();
      const callback = await bff.startLogin(b);
      await expectLoginError(b, await b.get(callback.pathname + callback.search), 'login_failed');
    });
  }

  for (const issParam of ['wrong', 'missing'] as const) {
    it(`an authorization response whose RFC 9207 iss is ${issParam}`, async () => {
      bff.idp.faults.issParam = issParam;
      const b = bff.browser();
      const callback = await bff.startLogin(b);
      await expectLoginError(b, await b.get(callback.pathname + callback.search), 'login_failed');
      expect(bff.idp.calls.tokenCode).toBe(0);
    });
  }

  it('a code the provider rejects (invalid_grant)', async () => {
    bff.idp.faults.token = 'invalid_grant';
    const b = bff.browser();
    const callback = await bff.startLogin(b);
    await expectLoginError(b, await b.get(callback.pathname + callback.search), 'login_failed');
  });

  it('a tampered code (PKCE and code binding are checked by the provider)', async () => {
    const b = bff.browser();
    const callback = await bff.startLogin(b);
    callback.searchParams.set('code', 'forged-code');
    await expectLoginError(b, await b.get(callback.pathname + callback.search), 'login_failed');
  });

  for (const fault of ['server_error', 'network'] as const) {
    it(`a token endpoint ${fault} as provider_unavailable, never a 5xx`, async () => {
      bff.idp.faults.token = fault;
      const b = bff.browser();
      const callback = await bff.startLogin(b);
      await expectLoginError(b, await b.get(callback.pathname + callback.search), 'provider_unavailable');
    });
  }
});

describe('GET /auth/callback refuses, beyond the provider kit\'s switches', () => {
  it('an authorization code injected from another login (code injection: the PKCE verifier does not match)', async () => {
    const victim = bff.browser();
    const victimCallback = await bff.startLogin(victim);
    const attackerCallback = await bff.startLogin(bff.browser());
    // The attacker's code with the victim's own state: only PKCE (and the code's binding) can stop it.
    victimCallback.searchParams.set('code', attackerCallback.searchParams.get('code')!);
    await expectLoginError(victim, await victim.get(victimCallback.pathname + victimCallback.search), 'login_failed');
    expect(bff.idp.calls.tokenCode).toBe(1);
  });

  it('a used authorization code replayed into a fresh transaction', async () => {
    const b = bff.browser();
    const first = await bff.startLogin(b);
    expect((await b.get(first.pathname + first.search)).headers.get('location')).toBe('/');
    const attacker = bff.browser();
    const fresh = await bff.startLogin(attacker);
    fresh.searchParams.set('code', first.searchParams.get('code')!);
    await expectLoginError(attacker, await attacker.get(fresh.pathname + fresh.search), 'login_failed');
    expect(bff.idp.calls.tokenCode).toBe(2);
  });

  it('a callback with the state parameter given twice (parameter pollution)', async () => {
    const b = bff.browser();
    const callback = await bff.startLogin(b);
    const res = await b.get(`${callback.pathname}${callback.search}&state=attacker-state`);
    await expectLoginError(b, res, 'login_failed');
    expect(bff.idp.calls.tokenCode).toBe(0);
  });

  it('an ID token MACed with the client secret (HS256 algorithm confusion)', async () => {
    await expectRewrittenIdTokenRefused(async (idToken) => {
      const claims = decodeJwt(idToken);
      return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(DEFAULT_CLIENT.client_secret));
    });
  });

  it('an ID token whose signature is stripped (header alg RS256, empty signature)', async () => {
    await expectRewrittenIdTokenRefused((idToken) => {
      const [header, payload] = idToken.split('.');
      return `${header}.${payload}.`;
    });
  });

  it('provider metadata whose issuer is not exactly OIDC_ISSUER (impersonation through discovery)', async () => {
    const idp = await createMockIdp();
    idp.handlers.unshift(
      http.get(`${idp.issuer}/.well-known/openid-configuration`, () => HttpResponse.json({ ...providerMetadata(idp), issuer: WRONG_ISSUER })),
    );
    const impostor = await startTestBff({ idp });
    try {
      expect((await impostor.browser().get('/readyz')).status).toBe(503);
      const res = await impostor.browser().get('/auth/login');
      expect(location(res).pathname).toBe('/login-error');
      expect(location(res).searchParams.get('error')).toBe('provider_unavailable');
      expect(idp.calls.authorize).toHaveLength(0);
    } finally {
      await impostor.close();
    }
  });

  it('spoofed Host and X-Forwarded-* headers never change the redirect_uri or where the user lands', async () => {
    const spoof = ['Host: evil.example', 'X-Forwarded-Host: evil.example', 'X-Forwarded-Proto: https', 'Forwarded: host=evil.example;proto=https'];
    const login = (await rawExchange(bff.url, rawRequest('GET', '/auth/login?returnTo=/notes', spoof))).responses[0]!;
    expect(login.status).toBe(302);
    const authorize = new URL(login.headers.get('location')![0]!);
    expect(authorize.origin).toBe(bff.idp.issuer);
    expect(authorize.searchParams.get('redirect_uri')).toBe('http://localhost:3000/auth/callback');
    const txCookie = login.headers.get('set-cookie')![0]!.split(';')[0]!;
    const callback = await bff.idp.authorize(authorize.href);
    const done = (await rawExchange(bff.url, rawRequest('GET', callback.pathname + callback.search, [...spoof, `Cookie: ${txCookie}`]))).responses[0]!;
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toEqual(['/notes']);
  });
});

describe('a provider error at the callback', () => {
  it('shows the provider error and description on the SPA page', async () => {
    bff.idp.faults.authorize = { error: 'access_denied', error_description: 'The user said no' };
    const b = bff.browser();
    const callback = await bff.startLogin(b);
    const to = await expectLoginError(b, await b.get(callback.pathname + callback.search), 'access_denied');
    expect(to.searchParams.get('error_description')).toBe('The user said no');
  });

  it('drops error values outside the RFC 6749 character set instead of reflecting them', async () => {
    const b = bff.browser();
    const callback = await bff.startLogin(b);
    const q = new URLSearchParams({ error: 'x"\u00e9\n<script>', state: callback.searchParams.get('state')!, iss: bff.idp.issuer });
    const res = await b.get(`/auth/callback?${q}`);
    const to = await expectLoginError(b, res, 'login_failed');
    expect(to.searchParams.get('error_description')).not.toMatch(/[<"\n]/);
    expect(to.search).not.toMatch(/%3Cscript|<script/i);
  });

  it('answers a callback with no parameters at all with the error page', async () => {
    const b = bff.browser();
    await expectLoginError(b, await b.get('/auth/callback'), 'login_failed');
  });
});
