import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestBff, type TestBff } from '../support/bff.ts';
import { problemsOf, MINIMAL_ENV } from '../support/config.ts';
import { loadConfig } from '../../bff/config.ts';

/**
 * The RFC 8628 device flow through the BFF: `POST /auth/device` and `POST /auth/token` relay single
 * steps to the msw provider with the BFF's client, answer OAuth JSON (never problem+json), never
 * touch cookies, and are limited per client address.
 */

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
let bff: TestBff;

function post(path: string, form: Record<string, string> = {}, headers: Record<string, string> = {}, base = bff.url): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
  });
}

async function start(): Promise<{ device_code: string; user_code: string }> {
  const res = await post('/auth/device');
  expect(res.status).toBe(200);
  return (await res.json()) as { device_code: string; user_code: string };
}

const poll = (device_code: string) => post('/auth/token', { grant_type: DEVICE_GRANT, device_code });

async function oauthError(res: Response): Promise<string> {
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  return ((await res.json()) as { error: string }).error;
}

beforeAll(async () => {
  bff = await startTestBff({ env: { DEVICE_FLOW: 'true' }, idpOptions: { accessTokenFormat: 'jwt' } });
});
afterAll(async () => {
  await bff?.close();
});
beforeEach(() => bff.idp.reset());

describe('POST /auth/device', () => {
  it('starts a device authorization with the BFF\'s client and answers the provider\'s JSON, no-store, no cookie', async () => {
    const res = await post('/auth/device', {}, { cookie: 'bff_session=whatever' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.getSetCookie()).toEqual([]);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['device_code', 'expires_in', 'interval', 'user_code', 'verification_uri', 'verification_uri_complete']);
    expect(body).toMatchObject({ verification_uri: `${bff.idp.issuer}/device`, expires_in: 600, interval: 5 });
    expect(bff.idp.calls.deviceAuthorization).toBe(1);
  });

  it('refuses a scope the BFF is not configured with, without asking the provider', async () => {
    expect(await oauthError(await post('/auth/device', { scope: 'openid admin' }))).toBe('invalid_scope');
    expect(bff.idp.calls.deviceAuthorization).toBe(0);
  });
});

describe('POST /auth/token, device_code grant', () => {
  it('pending, then slow_down when polled faster than the interval, then the tokens once approved', async () => {
    const { device_code, user_code } = await start();
    expect(await oauthError(await poll(device_code))).toBe('authorization_pending');
    expect(await oauthError(await poll(device_code))).toBe('slow_down');
    bff.idp.decideDevice(user_code, 'approve');
    const res = await poll(device_code);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.getSetCookie()).toEqual([]);
    const tokens = (await res.json()) as Record<string, unknown>;
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 300 });
    expect(typeof tokens.access_token).toBe('string');
    expect(typeof tokens.refresh_token).toBe('string');
    // One-time: the code is spent.
    expect(await oauthError(await poll(device_code))).toBe('invalid_grant');
  });

  it('access_denied when the user says no, expired_token when the code ran out, invalid_grant for an unknown one', async () => {
    const denied = await start();
    bff.idp.decideDevice(denied.user_code, 'deny');
    expect(await oauthError(await poll(denied.device_code))).toBe('access_denied');
    const expired = await start();
    bff.idp.decideDevice(expired.user_code, 'expire');
    expect(await oauthError(await poll(expired.device_code))).toBe('expired_token');
    expect(await oauthError(await poll('dc_made-up'))).toBe('invalid_grant');
  });

  it('refuses a missing device_code or an unknown grant_type without asking the provider', async () => {
    expect(await oauthError(await post('/auth/token', { grant_type: DEVICE_GRANT }))).toBe('invalid_request');
    expect(await oauthError(await post('/auth/token', { grant_type: 'password', username: 'a', password: 'b' }))).toBe('unsupported_grant_type');
    expect(await oauthError(await post('/auth/token', {}))).toBe('invalid_request');
    expect(bff.idp.calls.tokenDeviceCode + bff.idp.calls.tokenRefresh).toBe(0);
  });
});

describe('POST /auth/token, refresh_token grant', () => {
  it('refreshes with the BFF\'s client authentication; a spent or unknown refresh token is invalid_grant', async () => {
    const { device_code, user_code } = await start();
    bff.idp.decideDevice(user_code, 'approve');
    const first = (await (await poll(device_code)).json()) as { refresh_token: string; access_token: string };
    const res = await post('/auth/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(res.status).toBe(200);
    const second = (await res.json()) as { refresh_token: string; access_token: string };
    expect(second.access_token).not.toBe(first.access_token);
    expect(bff.idp.calls.tokenRefresh).toBe(1);
    expect(await oauthError(await post('/auth/token', { grant_type: 'refresh_token', refresh_token: 'rt_unknown' }))).toBe('invalid_grant');
  });
});

describe('limits and defaults', () => {
  it('limits each client address, so the routes cannot hammer the provider', async () => {
    const limited = await startTestBff({ idp: bff.idp, env: { DEVICE_FLOW: 'true', LOGIN_RATE_LIMIT_PER_MIN: '2' } });
    try {
      expect((await post('/auth/device', {}, {}, limited.url)).status).toBe(200);
      expect((await post('/auth/token', { grant_type: DEVICE_GRANT, device_code: 'dc_x' }, {}, limited.url)).status).toBe(400);
      const third = await post('/auth/device', {}, {}, limited.url);
      expect(third.status).toBe(429);
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await third.json()) as { error: string }).error).toBe('slow_down');
      expect(bff.idp.calls.deviceAuthorization).toBe(1);
    } finally {
      await limited.close();
    }
  });

  it('serves neither route unless deviceFlow is on (404)', async () => {
    const off = await startTestBff({ idp: bff.idp });
    try {
      for (const path of ['/auth/device', '/auth/token']) {
        const res = await post(path, {}, {}, off.url);
        expect(res.status).toBe(404);
        expect(res.headers.get('content-type')).toBe('application/problem+json');
      }
      expect(bff.idp.calls.deviceAuthorization).toBe(0);
    } finally {
      await off.close();
    }
  });

  it('takes deviceFlow from the file or DEVICE_FLOW, and refuses anything but true or false', () => {
    expect(loadConfig(MINIMAL_ENV).deviceFlow).toBe(false);
    expect(loadConfig({ ...MINIMAL_ENV, DEVICE_FLOW: 'true' }).deviceFlow).toBe(true);
    expect(loadConfig({ SESSION_SECRET: MINIMAL_ENV.SESSION_SECRET }, { file: { deviceFlow: true, providers: { default: { issuer: 'https://idp.example.com', clientId: 'a', clientSecret: 'b' } } } }).deviceFlow).toBe(true);
    expect(problemsOf({ ...MINIMAL_ENV, DEVICE_FLOW: 'yes' })).toEqual(['DEVICE_FLOW: must be true or false']);
  });
});
