import { afterEach, describe, expect, it } from 'vitest';
import { startTestBff, type TestBff } from '../support/bff.ts';
import { location } from '../support/browser.ts';
import type { MockIdpOptions } from '../support/idp/index.ts';

/**
 * Providers whose profile claims come only from UserInfo (OIDC Core §5.4), and providers that sign
 * ID tokens with the client secret (HS256/384/512, OIDC Core §10.1), faked by the msw kit.
 */

let bff: TestBff | undefined;
afterEach(async () => {
  await bff?.close();
  bff = undefined;
});

async function start(idpOptions: MockIdpOptions, env: Record<string, string> = {}): Promise<TestBff> {
  bff = await startTestBff({ idpOptions, env });
  return bff;
}

async function signedInUser(b: TestBff): Promise<Record<string, unknown> | undefined> {
  const browser = b.browser();
  const res = await b.signIn(browser);
  if (location(res).pathname === '/login-error') return undefined;
  const body = (await (await browser.get('/auth/session')).json()) as { user?: Record<string, unknown> };
  return body.user;
}

describe('UserInfo', () => {
  it('auto: a provider whose ID token carries only sub gets the profile and email claims from UserInfo', async () => {
    const b = await start({ idTokenClaims: 'minimal' });
    const user = await signedInUser(b);
    expect(user).toMatchObject({ sub: 'alice', name: 'Alice Example', email: 'alice@example.test', preferred_username: 'alice' });
    expect(b.idp.calls.userinfo).toBe(1);
  });

  it('auto: no UserInfo call when the ID token already has the claims', async () => {
    const b = await start({});
    expect(await signedInUser(b)).toMatchObject({ name: 'Alice Example' });
    expect(b.idp.calls.userinfo).toBe(0);
  });

  it('never: the ID token is all there is', async () => {
    const b = await start({ idTokenClaims: 'minimal' }, { OIDC_USERINFO: 'never' });
    const user = await signedInUser(b);
    expect(user?.sub).toBe('alice');
    expect(user?.name).toBeUndefined();
    expect(b.idp.calls.userinfo).toBe(0);
  });

  it('always: called even when the ID token has the claims', async () => {
    const b = await start({}, { OIDC_USERINFO: 'always' });
    expect(await signedInUser(b)).toMatchObject({ sub: 'alice', name: 'Alice Example' });
    expect(b.idp.calls.userinfo).toBe(1);
  });

  it('ignores a UserInfo answer about another sub (OIDC Core §5.3.2), and the sign-in still succeeds', async () => {
    const b = await start({ idTokenClaims: 'minimal' });
    b.idp.faults.userinfo = 'wrong_sub';
    const user = await signedInUser(b);
    expect(user).toEqual({ sub: 'alice', auth_time: expect.any(Number) });
    expect(b.logs.some((l) => l.includes('userinfo_failed'))).toBe(true);
  });

  it('a failing UserInfo never fails the sign-in', async () => {
    const b = await start({ idTokenClaims: 'minimal' });
    b.idp.faults.userinfo = 'server_error';
    expect(await signedInUser(b)).toEqual({ sub: 'alice', auth_time: expect.any(Number) });
  });
});

describe('ID tokens signed with the client secret (HS256/384/512)', () => {
  it.each(['HS256', 'HS384', 'HS512'] as const)('%s: sign-in works, verified with the client secret (no JWKS fetched)', async (alg) => {
    const b = await start({ idTokenAlg: alg });
    const browser = b.browser();
    expect(location(await b.signIn(browser)).pathname).toBe('/');
    expect(((await (await browser.get('/auth/session')).json()) as { authenticated: boolean }).authenticated).toBe(true);
    expect(b.idp.calls.jwks).toBe(0);
  });

  it('a forged HS512 signature (another secret) is refused', async () => {
    const b = await start({ idTokenAlg: 'HS512' });
    b.idp.faults.idToken = 'bad_signature';
    expect(await signedInUser(b)).toBeUndefined();
  });

  it('an RS256 token with a bad signature is still refused, and alg none too', async () => {
    const b = await start({});
    b.idp.faults.idToken = 'bad_signature';
    expect(await signedInUser(b)).toBeUndefined();
    b.idp.faults.idToken = 'alg_none';
    expect(await signedInUser(b)).toBeUndefined();
  });
});
