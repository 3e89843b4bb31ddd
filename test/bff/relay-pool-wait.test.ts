import { describe, expect, it } from 'vitest';
import http from 'node:http';
import { collect, problemCode, useRelayFront } from '../support/relay-front.ts';
import { createUpstreamAgent } from '../../bff/relay/agent.ts';
import { UpstreamPoolTimeout, UpstreamTimeout } from '../../bff/errors.ts';
import { countError, NO_METRICS, type Metrics, type UpstreamErrorKind } from '../../bff/metrics.ts';
import { waitFor } from '../support/wait.ts';

// "Waited for a free upstream connection" and "the upstream was slow" are different failures: the
// first is our pool (API_UPSTREAM_MAX_SOCKETS), the second the API. Both are 504 upstream_timeout
// (the contract's code), told apart by the detail, the error class and the metrics kind.

const h = useRelayFront();

const detailOf = (body: Buffer) => (JSON.parse(body.toString()) as { detail?: string }).detail;

describe('pool wait vs slow upstream', () => {
  it('a request that never got a connection (the only one held by another request) is a pool wait', async () => {
    const base = new URL(`${h.upstream.url}/v1`);
    const agent = createUpstreamAgent(base, 1);
    // The first request holds the pool's one connection with a long timeout of its own…
    h.use(base.href, { timeoutMs: 60_000, agent, ownsAgent: false });
    const held: http.ServerResponse[] = [];
    h.upstream.handle = (_req, res) => void held.push(res); // never answers
    const holder = h.send('/api/holder').catch(() => undefined);
    await waitFor(() => h.upstream.arrived === 1);
    // …while the second waits in the queue for longer than its timeout.
    h.use(base.href, { timeoutMs: 300, agent });
    const queued = await h.send('/api/queued');
    expect(queued.status).toBe(504);
    expect(problemCode(queued)).toBe('upstream_timeout');
    expect(detailOf(queued.body)).toMatch(/connection to the API stayed busy/);
    expect(h.outcomesOf('/api/queued')[0]).toBeInstanceOf(UpstreamPoolTimeout);
    expect(h.upstream.arrived).toBe(1); // it never reached the upstream
    for (const res of held) res.destroy();
    await holder;
  });

  it('a request the upstream is slow to answer is an upstream timeout, not a pool wait', async () => {
    h.useDefault({ timeoutMs: 300 });
    const held: http.ServerResponse[] = [];
    h.upstream.handle = (_req, res) => void held.push(res);
    const slow = await h.send('/api/slow');
    expect(slow.status).toBe(504);
    expect(detailOf(slow.body)).toBe('The API did not answer in time.');
    const [outcome] = h.outcomesOf('/api/slow');
    expect(outcome).toBeInstanceOf(UpstreamTimeout);
    expect(outcome).not.toBeInstanceOf(UpstreamPoolTimeout);
    for (const res of held) res.destroy();
  });

  it('an upload queued behind a busy pool is a pool wait, not the browser\'s slow upload', async () => {
    const base = new URL(`${h.upstream.url}/v1`);
    const agent = createUpstreamAgent(base, 1);
    h.use(base.href, { timeoutMs: 60_000, agent, ownsAgent: false });
    const held: http.ServerResponse[] = [];
    h.upstream.handle = (_req, res) => void held.push(res);
    const holder = h.send('/api/holder').catch(() => undefined);
    await waitFor(() => h.upstream.arrived === 1);
    h.use(base.href, { timeoutMs: 60_000, bodyIdleTimeoutMs: 300, agent });
    // 256 KiB: more than the request's buffer, so the browser's upload is held back by the relay.
    const reply = await new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: h.frontPort, path: '/api/upload', method: 'POST', agent: false, headers: { 'content-length': String(256 * 1024) } });
      req.on('response', (res) => collect(res).then(resolve, reject));
      req.on('error', reject);
      req.end(Buffer.alloc(256 * 1024, 1));
    });
    expect(reply.status).toBe(504);
    expect(h.outcomesOf('/api/upload')[0]).toBeInstanceOf(UpstreamPoolTimeout);
    expect(h.upstream.arrived).toBe(1);
    for (const res of held) res.destroy();
    await holder;
  });

  it('is counted under its own metrics kind, pool_wait', () => {
    const kinds: UpstreamErrorKind[] = [];
    const metrics: Metrics = { ...NO_METRICS, enabled: true, upstreamError: (_route, kind) => void kinds.push(kind) };
    const res = {} as http.ServerResponse;
    countError(metrics, res, new UpstreamPoolTimeout());
    countError(metrics, res, new UpstreamTimeout());
    expect(kinds).toEqual(['pool_wait', 'timeout']);
  });
});
