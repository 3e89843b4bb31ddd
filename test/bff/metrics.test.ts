import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBff, type TestBff } from '../support/bff.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { freePorts } from '../dev/dev-process.ts';
import { routeIdOf } from '../../bff/metrics.ts';
import { waitFor, waitForAsync } from '../support/wait.ts';

// METRICS_PORT: Prometheus text on its own loopback listener, the contract's instruments, and
// labels that never carry a user, a token or a raw path.

let bff: TestBff;
let upstream: Upstream;
let metricsUrl: string;

beforeAll(async () => {
  upstream = await startUpstream();
  const [port] = await freePorts(1);
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  bff = await startTestBff({
    // 30 s tokens sit inside the 60 s refresh window: every relayed call refreshes first.
    idpOptions: { accessTokenTtl: 30, user: { sub: 'alice-metrics-subject', name: 'Alice' } },
    env: { METRICS_PORT: String(port) },
    file: {
      apis: [
        { path: '/api/items', upstream: upstream.url, token: 'user' },
        { path: '/api/catalog', upstream: upstream.url, token: 'client' },
        { path: '/api/down', upstream: 'http://127.0.0.1:9', token: 'none' },
      ],
    },
  });
});
afterAll(async () => {
  await bff?.close();
  await upstream?.close();
});

async function scrape(): Promise<string> {
  const res = await fetch(metricsUrl);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** The value of one series, e.g. `bff_requests_total{route="/api/items",status_class="2xx"}`; 0 when absent. */
function valueOf(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('metrics', () => {
  it('count sign-ins, relayed requests by route id and status class, refreshes, CSRF refusals, upstream errors, client credentials and sign-outs', async () => {
    const b = bff.browser();
    expect((await bff.signIn(b)).status).toBe(302);
    expect((await b.api('/api/items/secret-path-123?q=token-in-query')).status).toBe(200);
    expect((await b.request('/api/items/1')).status).toBe(403); // no X-CSRF
    expect((await b.api('/api/catalog')).status).toBe(200);
    expect((await b.api('/api/down')).status).toBe(502);
    const session = (await (await b.get('/auth/session')).json()) as { logoutUrl: string };
    expect((await b.get(new URL(session.logoutUrl, bff.url).pathname + new URL(session.logoutUrl, bff.url).search)).status).toBe(302);

    const text = await scrape();
    expect(valueOf(text, 'bff_sign_ins_total{outcome="success"}')).toBe(1);
    expect(valueOf(text, 'bff_requests_total{route="/api/items",status_class="2xx"}')).toBe(1);
    // CSRF is judged before the route is matched: the refusal belongs to no route.
    expect(valueOf(text, 'bff_requests_total{route="api_unmatched",status_class="4xx"}')).toBe(1);
    expect(valueOf(text, 'bff_relay_duration_seconds_count{route="/api/items"}')).toBe(1);
    expect(valueOf(text, 'bff_csrf_refusals_total')).toBe(1);
    expect(valueOf(text, 'bff_token_refreshes_total{outcome="success"}')).toBeGreaterThanOrEqual(1);
    expect(valueOf(text, 'bff_client_credentials_fetches_total{outcome="success"}')).toBe(1);
    expect(valueOf(text, 'bff_upstream_errors_total{route="/api/down",kind="connect"}')).toBe(1);
    expect(valueOf(text, 'bff_requests_total{route="auth_callback",status_class="3xx"}')).toBe(1);
    expect(valueOf(text, 'bff_sign_outs_total{outcome="success"}')).toBe(1);
    // The standard process metrics come along.
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes /m);
  });

  it('labels carry no user, no token and no raw path', async () => {
    const b = bff.browser();
    await bff.signIn(b);
    await b.api('/api/items/another-secret-456');
    const text = await scrape();
    for (const leak of ['alice-metrics-subject', 'secret-path-123', 'another-secret-456', 'token-in-query', ...bff.issuedTokens]) expect(text).not.toContain(leak);
  });

  it('counts a stale token served by a refresh already done as coalesced', async () => {
    const b = bff.browser();
    await bff.signIn(b);
    const before = await scrape();
    const calls = bff.idp.calls.tokenRefresh;
    expect((await b.api('/api/items/one')).status).toBe(200); // starts the refresh in the background
    await waitFor(() => bff.idp.calls.tokenRefresh === calls + 1);
    await waitForAsync(async () => valueOf(await scrape(), 'bff_token_refreshes_total{outcome="success"}') > valueOf(before, 'bff_token_refreshes_total{outcome="success"}'));
    expect((await b.api('/api/items/two')).status).toBe(200); // the successor, from the refresh just done
    const after = await scrape();
    expect(valueOf(after, 'bff_token_refreshes_total{outcome="coalesced"}') - valueOf(before, 'bff_token_refreshes_total{outcome="coalesced"}')).toBe(1);
  });

  it('a failed sign-in is counted as a failure', async () => {
    bff.idp.faults = { token: 'invalid_grant' };
    const b = bff.browser();
    const res = await bff.signIn(b);
    bff.idp.reset();
    expect(res.headers.get('location')).toMatch(/^\/login-error/);
    expect(valueOf(await scrape(), 'bff_sign_ins_total{outcome="failure"}')).toBe(1);
  });

  it('are not served on the public port', async () => {
    const res = await fetch(`${bff.url}/metrics`);
    expect(await res.text()).not.toContain('bff_requests_total');
  });

  it('name the BFF own routes by a fixed id, and anything else `spa` or `auth_other`', () => {
    expect(routeIdOf('/auth/login?returnTo=%2F')).toBe('auth_login');
    expect(routeIdOf('/auth/whatever-an-attacker-sends')).toBe('auth_other');
    expect(routeIdOf('/some/page/with-an-id-123')).toBe('spa');
  });
});
