import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBff, type TestBff } from '../support/bff.ts';
import { location } from '../support/browser.ts';
import { createMockIdp } from '../support/idp/index.ts';

describe('health and readiness', () => {
  let bff: TestBff;
  beforeAll(async () => {
    const idp = await createMockIdp();
    idp.faults.discovery = 'server_error';
    bff = await startTestBff({ idp });
  });
  afterAll(() => bff.close());

  it('/healthz answers 200 while the process serves, provider or not', async () => {
    const res = await bff.browser().get('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('/readyz is 503 not_ready while discovery fails, and 200 once it succeeds (a failure is not cached)', async () => {
    const down = await bff.browser().get('/readyz');
    expect(down.status).toBe(503);
    expect(((await down.json()) as { code: string }).code).toBe('not_ready');
    // Sign-in while the provider is down: the SPA's error page, not a JSON 5xx.
    const login = await bff.browser().get('/auth/login');
    expect(location(login).pathname).toBe('/login-error');
    expect(location(login).searchParams.get('error')).toBe('provider_unavailable');

    bff.idp.faults.discovery = undefined;
    const calls = bff.idp.calls.discovery;
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await bff.browser().get('/readyz')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(200);
    expect(bff.idp.calls.discovery).toBeGreaterThan(calls);
  });

  it('unknown /auth routes are problem+json 404, wrong methods 405', async () => {
    const b = bff.browser();
    const nf = await b.get('/auth/nope');
    expect(nf.status).toBe(404);
    expect(nf.headers.get('content-type')).toMatch(/problem\+json/);
    const post = await b.request('/auth/login', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(post.headers.get('x-powered-by')).toBeNull();
  });
});
