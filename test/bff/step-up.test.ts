import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestBff, type TestBff } from '../support/bff.ts';
import type { Browser } from '../support/browser.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';

/**
 * Step-up (after RFC 9470): routes whose `require.acr` / `require.maxAge` the session does not
 * meet answer 401 `step_up_required` with a `loginUrl`; the sign-in it starts is checked against
 * what it asked before the session is upgraded; an upstream's own challenge becomes the same problem.
 */

let bff: TestBff;
let upstream: Upstream;
let nowMs = Date.now();
const PAGE = 'http://localhost:3000/reports?year=2026';

beforeAll(async () => {
  upstream = await startUpstream();
  bff = await startTestBff({
    clock: () => nowMs,
    file: {
      apis: [
        { path: '/api', upstream: upstream.url },
        { path: '/api/reports', upstream: `${upstream.url}/reports`, require: { acr: ['mfa', 'hwk'] } },
        { path: '/api/recent', upstream: `${upstream.url}/recent`, require: { maxAge: 300 } },
        { path: '/api/admin', upstream: `${upstream.url}/admin`, require: { acr: ['mfa'], claims: { roles: 'admin' } } },
      ],
    },
  });
});
afterAll(async () => {
  await bff.close();
  await upstream.close();
});
beforeEach(() => {
  nowMs = Date.now();
  bff.idp.reset();
  upstream.clear();
});

interface StepUpProblem { status: number; code: string; acr_values?: string; max_age?: number; loginUrl: string }

async function signedIn(): Promise<Browser> {
  const b = bff.browser();
  expect((await bff.signIn(b)).status).toBe(302);
  return b;
}

async function problemOf(res: Response): Promise<StepUpProblem> {
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await res.json()) as StepUpProblem;
}

async function session(b: Browser) {
  return (await (await b.get('/auth/session')).json()) as { authenticated: boolean; user: Record<string, unknown>; logoutUrl: string };
}

describe('require.acr', () => {
  it('answers 401 step_up_required with acr_values and a loginUrl back to the calling page; nothing is relayed', async () => {
    const b = await signedIn();
    const res = await b.api('/api/reports/q1', { headers: { referer: PAGE } });
    expect(res.status).toBe(401);
    const problem = await problemOf(res);
    expect(problem.code).toBe('step_up_required');
    expect(problem.acr_values).toBe('mfa hwk');
    expect(problem.max_age).toBeUndefined();
    expect(problem.loginUrl).toBe(`/auth/login?acr_values=mfa+hwk&returnTo=${encodeURIComponent('/reports?year=2026')}`);
    expect(upstream.seen).toHaveLength(0);
  });

  it('a foreign Referer never becomes the returnTo', async () => {
    const b = await signedIn();
    const problem = await problemOf(await b.api('/api/reports', { headers: { referer: 'https://evil.example/x' } }));
    expect(new URL(problem.loginUrl, 'http://localhost:3000').searchParams.get('returnTo')).toBe('/');
  });

  it('following loginUrl signs in with the asked acr, then the route is relayed', async () => {
    const b = await signedIn();
    const { loginUrl } = await problemOf(await b.api('/api/reports', { headers: { referer: PAGE } }));
    const back = await bff.signInVia(b, loginUrl);
    expect(back.headers.get('location')).toBe('/reports?year=2026');
    expect(bff.idp.calls.authorize.at(-1)!.searchParams.get('acr_values')).toBe('mfa hwk');
    const s = await session(b);
    expect(s.user.acr).toBe('mfa');
    expect(typeof s.user.auth_time).toBe('number');
    expect((await b.api('/api/reports')).status).toBe(200);
  });

  it('refuses the acr downgrade: a user who removes acr_values from the authorization URL keeps the old session', async () => {
    const b = await signedIn();
    const before = await session(b);
    const { loginUrl } = await problemOf(await b.api('/api/reports', { headers: { referer: PAGE } }));
    const back = await bff.signInVia(b, loginUrl, (url) => url.searchParams.delete('acr_values'));
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toBe('/reports?year=2026&error=insufficient_user_authentication');
    const after = await session(b);
    expect(after.logoutUrl).toBe(before.logoutUrl); // the same session, not upgraded
    expect(after.user.acr).toBeUndefined();
    expect((await b.api('/api/reports')).status).toBe(401);
  });

  it('refuses an acr the login did not ask for (a provider that ignores acr_values, or an edited value)', async () => {
    const b = await signedIn();
    const { loginUrl } = await problemOf(await b.api('/api/reports'));
    bff.idp.faults.acr = 'pwd';
    const back = await bff.signInVia(b, loginUrl);
    expect(back.headers.get('location')).toBe('/?error=insufficient_user_authentication');
    expect((await b.api('/api/reports')).status).toBe(401);
  });

  it('an unmet claim is still 403 forbidden, before any step-up: a stronger sign-in would not grant the role', async () => {
    const b = await signedIn();
    const res = await b.api('/api/admin');
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe('forbidden');
  });
});

describe('require.maxAge', () => {
  it('is met by a recent sign-in, and answers step_up_required with max_age once auth_time is older', async () => {
    const b = await signedIn();
    expect((await b.api('/api/recent')).status).toBe(200);
    nowMs += 301_000;
    bff.idp.settings = { ...bff.idp.settings, accessTokenTtl: 3600 };
    const res = await b.api('/api/recent');
    expect(res.status).toBe(401);
    const problem = await problemOf(res);
    expect(problem.code).toBe('step_up_required');
    expect(problem.max_age).toBe(300);
    expect(problem.loginUrl).toBe('/auth/login?max_age=300&returnTo=%2F');
  });

  it('refuses a sign-in whose auth_time is older than the max_age it asked (the provider reused an old session)', async () => {
    const b = await signedIn();
    bff.idp.faults.authTimeAgoS = 3600;
    const back = await bff.signInVia(b, '/auth/login?max_age=300&returnTo=%2Frecent');
    expect(back.headers.get('location')).toBe('/recent?error=insufficient_user_authentication');
    expect(bff.idp.calls.authorize.at(-1)!.searchParams.get('max_age')).toBe('300');
  });
});

describe("an upstream's RFC 9470 challenge", () => {
  it('becomes step_up_required with the acr_values and max_age of the challenge', async () => {
    const b = await signedIn();
    upstream.respond = (_s, res) => {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="api", error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="mfa", max_age="120"' });
      res.end();
    };
    const res = await b.api('/api/payments', { headers: { referer: 'http://localhost:3000/pay' } });
    expect(res.status).toBe(401);
    const problem = await problemOf(res);
    expect(problem).toMatchObject({ code: 'step_up_required', acr_values: 'mfa', max_age: 120, loginUrl: '/auth/login?acr_values=mfa&max_age=120&returnTo=%2Fpay' });
  });

  it('any other 401 from the upstream is relayed as it is', async () => {
    const b = await signedIn();
    upstream.respond = (_s, res) => {
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"', 'content-type': 'application/json' });
      res.end('{"upstream":true}');
    };
    const res = await b.api('/api/payments');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ upstream: true });
  });

  it('drops challenge values that could not travel safely, keeping the step-up', async () => {
    const b = await signedIn();
    upstream.respond = (_s, res) => {
      res.writeHead(401, { 'www-authenticate': 'Bearer error="insufficient_user_authentication", acr_values="a\\"b", max_age="soon"' });
      res.end();
    };
    const problem = await problemOf(await b.api('/api/payments'));
    expect(problem.code).toBe('step_up_required');
    expect(problem.acr_values).toBeUndefined();
    expect(problem.max_age).toBeUndefined();
    expect(problem.loginUrl).toBe('/auth/login?returnTo=%2F');
  });
});

describe('the session keeps acr, auth_time and the provider sid', () => {
  it('shows acr and auth_time in user, never the provider sid', async () => {
    const b = bff.browser();
    await bff.signInVia(b, '/auth/login?acr_values=mfa');
    const s = await session(b);
    expect(s.user.acr).toBe('mfa');
    expect(Math.abs((s.user.auth_time as number) - Date.now() / 1000)).toBeLessThan(60);
    expect(JSON.stringify(s)).not.toMatch(/sid_|psid/);
  });
});
