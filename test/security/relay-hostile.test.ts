import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestBff } from '../support/bff.ts';
import { useBffAndUpstream, type Upstream } from '../support/fixture.ts';
import type { Browser } from '../support/browser.ts';
import { TRAVERSALS } from '../support/traversals.ts';
import { apiHeaderLines, expectProblem, rawExchange, rawProblemCode, rawRequest, rewriteTokenResponses, signedIn } from './helpers.ts';

// The relay attacked end to end: the real BFF (CSRF, session, path rules, header policy) in front
// of a recording upstream, requests written byte for byte on raw sockets wherever fetch would
// normalise them. The forwarder alone (no BFF around it) is covered in test/bff/relay-core.test.ts
// and test/bff/relay-path.fuzz.test.ts.

let upstream: Upstream;
let bff: TestBff;
let b: Browser;
let upstreamHost: string;

useBffAndUpstream({ basePath: '/v1' }, (s) => ({ bff, upstream } = s));
beforeAll(async () => {
  upstreamHost = new URL(upstream.url).host;
  b = await signedIn(bff);
});
beforeEach(() => {
  upstream.respond = (s, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'upstream=1; Path=/' });
    res.end(JSON.stringify({ url: s.url }));
  };
});

/** One raw request with the session and X-CSRF; returns the first response. */
async function raw(method: string, target: string, extra: string[] = [], body = '') {
  const { responses, text } = await rawExchange(bff.url, rawRequest(method, target, [...apiHeaderLines(b), ...extra], body));
  return { ...responses[0]!, text, responses };
}

/**
 * Nothing reached the upstream: asserted once the BFF's answer is in (a relayed request would have
 * arrived before it), on every request the upstream saw, bodies unread included.
 */
const expectNothingUpstream = () => {
  expect(upstream.seen).toEqual([]);
  expect(upstream.arrived).toBe(0);
};

describe('path traversal, every encoding, through the real BFF', () => {
  it.each(TRAVERSALS)('refuses %s with 400 bad_path and sends nothing upstream', async (_name, target) => {
    const r = await raw('GET', target);
    expect(r.status).toBe(400);
    expect(rawProblemCode(r)).toBe('bad_path');
    expectNothingUpstream();
  });
});

describe('SSRF: the upstream host is fixed', () => {
  it('refuses //host after /api (a protocol-relative path) with 400 bad_path', async () => {
    for (const target of ['/api//evil.example/x', '/api//127.0.0.1:22/', '/api/%2f%2fevil.example/x']) {
      const r = await raw('GET', target);
      expect(r.status, target).toBe(400);
    }
    expectNothingUpstream();
  });

  it('never relays an absolute-form request target (GET http://evil/ HTTP/1.1)', async () => {
    for (const target of ['http://evil.example/', 'http://evil.example/api/x', `http://${upstreamHost}/v1/x`, 'http://localhost:3000/api/x', 'https://evil.example:443/api/x', '//evil.example/api/x']) {
      const r = await raw('GET', target);
      expect(r.status, target).toBeLessThan(500);
      expect(r.headers.get('location'), target).toBeUndefined();
    }
    expectNothingUpstream();
  });

  it('keeps an @-userinfo trick a path on the upstream host (/api/@evil.example/x)', async () => {
    const r = await raw('GET', '/api/@evil.example/x');
    expect(r.status).toBe(200);
    expect(upstream.seen).toHaveLength(1);
    expect(upstream.seen[0]!.url).toBe('/v1/@evil.example/x');
    expect(upstream.seen[0]!.headers.host).toBe(upstreamHost);
  });

  it('does not relay look-alike prefixes (/api@evil.example, /api:@evil.example, /api.evil.example, /API/x)', async () => {
    for (const target of ['/api@evil.example/x', '/api:@evil.example/x', '/api.evil.example/x', '/API/x', '/%61pi/x', '/api%2fx']) {
      const r = await raw('GET', target);
      expect(r.status, target).toBeLessThan(500);
    }
    expectNothingUpstream();
  });

  it('ignores a spoofed Host header: the upstream and X-Forwarded-Host stay as configured', async () => {
    const { responses } = await rawExchange(bff.url, rawRequest('GET', '/api/h', ['Host: evil.example', `Cookie: ${b.cookieHeader()}`, 'X-CSRF: 1']));
    expect(responses[0]!.status).toBe(200);
    expect(upstream.seen[0]!.headers.host).toBe(upstreamHost);
    expect(upstream.seen[0]!.headers['x-forwarded-host']).toBe('localhost:3000');
  });
});

describe('request smuggling is refused by node before the BFF runs', () => {
  const cases: Array<[string, string[], string]> = [
    ['Content-Length together with Transfer-Encoding', ['Content-Length: 4', 'Transfer-Encoding: chunked'], '0\r\n\r\nGET /v1/smuggled HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['two different Content-Length headers', ['Content-Length: 4', 'Content-Length: 40'], 'abcd'],
    ['a duplicated Content-Length', ['Content-Length: 4', 'Content-Length: 4'], 'abcd'],
    ['a Content-Length list', ['Content-Length: 4, 4'], 'abcd'],
    ['a Transfer-Encoding that does not end in chunked', ['Transfer-Encoding: chunked, identity'], '0\r\n\r\n'],
    ['an obfuscated Transfer-Encoding (xchunked)', ['Transfer-Encoding: xchunked'], '0\r\n\r\n'],
    ['whitespace before the colon (Transfer-Encoding : chunked)', ['Transfer-Encoding : chunked'], '0\r\n\r\n'],
    ['an obs-fold continuation line', ['X-Folded: a', ' Transfer-Encoding: chunked'], ''],
    ['a bare LF inside a header (header injection)', ['X-A: a\nX-Injected: 1'], ''],
    ['a bare CR inside a header (header injection)', ['X-A: a\rX-Injected: 1'], ''],
    ['a NUL in a header value', ['X-A: a\u0000b'], ''],
  ];
  it.each(cases)('%s: 400 from node, nothing relayed, the server keeps serving', async (_name, lines, body) => {
    const r = await raw('POST', '/api/a', lines, body);
    expect(r.status).toBe(400);
    expectNothingUpstream();
    expect((await b.api('/api/after')).status).toBe(200);
  });

  it('a chunked body holding a whole second request reaches the upstream as body bytes only', async () => {
    const smuggled = 'GET /v1/admin HTTP/1.1\r\nHost: x\r\n\r\n';
    const chunk = `${Buffer.byteLength(smuggled).toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`;
    const r = await raw('POST', '/api/upload', ['Transfer-Encoding: chunked', 'Content-Type: text/plain'], chunk);
    expect(r.status).toBe(200);
    // The next request on the pooled upstream connection is answered after anything smuggled before it.
    expect((await b.api('/api/marker')).status).toBe(200);
    expect(upstream.seen.map((s) => s.url)).toEqual(['/v1/upload', '/v1/marker']);
    expect(upstream.arrived).toBe(2);
    expect(upstream.seen[0]!.body).toBe(smuggled);
  });

  it('a pipelined second request without X-CSRF on the same connection is refused on its own', async () => {
    const first = `GET /api/one HTTP/1.1\r\nHost: localhost:3000\r\nCookie: ${b.cookieHeader()}\r\nX-CSRF: 1\r\n\r\n`;
    const second = `GET /api/two HTTP/1.1\r\nHost: localhost:3000\r\nCookie: ${b.cookieHeader()}\r\nConnection: close\r\n\r\n`;
    const { responses } = await rawExchange(bff.url, first + second);
    expect(responses.map((r) => r.status)).toEqual([200, 403]);
    expect(upstream.seen.map((s) => s.url)).toEqual(['/v1/one']);
    expect(upstream.arrived).toBe(1);
  });
});

describe('CR/LF injection', () => {
  it('refuses percent-encoded CR/LF in the path (400 bad_path)', async () => {
    const r = await raw('GET', '/api/a%0d%0aX-Injected:%201');
    expect(r.status).toBe(400);
    expectNothingUpstream();
  });

  it('keeps percent-encoded CR/LF in the query as data: the upstream gets no extra header', async () => {
    const r = await raw('GET', '/api/a?x=%0d%0aX-Injected:%201&y=%0aHost:%20evil');
    expect(r.status).toBe(200);
    expect(upstream.seen[0]!.url).toBe('/v1/a?x=%0d%0aX-Injected:%201&y=%0aHost:%20evil');
    expect(upstream.seen[0]!.headers['x-injected']).toBeUndefined();
    expect(upstream.seen[0]!.headers.host).toBe(upstreamHost);
  });

  it('an access token with CR/LF from a malicious provider cannot inject a header upstream', async () => {
    const undo = rewriteTokenResponses(bff.idp, (body) => ({ ...body, access_token: 'at_evil\r\nX-Injected: 1' }));
    try {
      const victim = await signedIn(bff);
      const res = await victim.api('/api/x');
      expect(res.status).toBeGreaterThanOrEqual(500);
      const text = await res.text();
      expect(text).not.toMatch(/at_evil|X-Injected|\bat .+\(.+:\d+:\d+\)/);
      expectNothingUpstream();
    } finally {
      undo();
    }
  });
});

describe('request header policy end to end', () => {
  it('replaces spoofed X-Forwarded-*, Forwarded and client-IP headers with the real peer', async () => {
    const r = await raw('GET', '/api/h', [
      'X-Forwarded-For: 6.6.6.6', 'X-Forwarded-Proto: https', 'X-Forwarded-Host: evil.example', 'X-Forwarded-Port: 1',
      'X-Forwarded-Prefix: /admin', 'Forwarded: for=6.6.6.6;proto=https;host=evil.example', 'X-Real-IP: 6.6.6.6',
      'True-Client-IP: 6.6.6.6', 'CF-Connecting-IP: 6.6.6.6', 'X-Original-URL: /admin', 'X-Rewrite-URL: /admin',
    ]);
    expect(r.status).toBe(200);
    const h = upstream.seen[0]!.headers;
    expect(h['x-forwarded-for']).toBe('127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-forwarded-host']).toBe('localhost:3000');
    for (const name of ['x-forwarded-port', 'x-forwarded-prefix', 'forwarded', 'x-real-ip', 'true-client-ip', 'cf-connecting-ip', 'x-original-url', 'x-rewrite-url']) {
      expect(h[name], name).toBeUndefined();
    }
  });

  it('drops hop-by-hop headers and any header named in Connection (Connection: x-secret)', async () => {
    const r = await raw('GET', '/api/h', ['Connection: keep-alive, X-Secret, x-internal', 'X-Secret: s3cr3t', 'X-Internal: yes', 'Keep-Alive: timeout=999', 'TE: trailers', 'Trailer: X-T', 'Proxy-Connection: keep-alive', 'X-Kept: 1']);
    expect(r.status).toBe(200);
    const h = upstream.seen[0]!.headers;
    for (const name of ['x-secret', 'x-internal', 'keep-alive', 'te', 'trailer', 'proxy-connection']) expect(h[name], name).toBeUndefined();
    expect(h['x-kept']).toBe('1');
  });

  it('drops an h2c upgrade attempt (Upgrade: h2c, HTTP2-Settings): the upstream sees a plain request', async () => {
    const r = await raw('GET', '/api/h', ['Upgrade: h2c', 'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA', 'Connection: Upgrade, HTTP2-Settings']);
    expect(r.status).toBe(200);
    const h = upstream.seen[0]!.headers;
    expect(h.upgrade).toBeUndefined();
    expect(h['http2-settings']).toBeUndefined();
  });

  it("replaces the client's Authorization (and drops Proxy-Authorization): only the session's token goes upstream", async () => {
    const r = await raw('GET', '/api/h', ['Authorization: Bearer attacker-chosen', 'authorization: Basic YWRtaW46YWRtaW4=', 'Proxy-Authorization: Basic eDp5']);
    expect(r.status).toBe(200);
    const h = upstream.seen[0]!.headers;
    expect(h.authorization).toMatch(/^Bearer at_/);
    expect(bff.issuedTokens).toContain(h.authorization!.slice(7));
    expect(h['proxy-authorization']).toBeUndefined();
    expect(upstream.seen[0]!.headers.cookie).toBeUndefined();
  });
});

describe('methods', () => {
  it('refuses TRACE with 405 and an Allow header (TRACK: 400 from node); the upstream never echoes the token', async () => {
    const trace = await raw('TRACE', '/api/a');
    expect(trace.status).toBe(405);
    expect(rawProblemCode(trace)).toBe('method_not_allowed');
    expect(trace.headers.get('allow')?.[0]).toMatch(/GET/);
    expect(trace.headers.get('allow')?.[0]).not.toMatch(/TRACE|TRACK|CONNECT/);
    // node's parser does not know TRACK (IIS's TRACE): refused before any of our code runs.
    expect((await raw('TRACK', '/api/a')).status).toBe(400);
    expectNothingUpstream();
  });

  it('never relays CONNECT (authority-form or /api)', async () => {
    for (const target of ['evil.example:443', `${upstreamHost}`, '/api/a']) {
      const { responses } = await rawExchange(bff.url, `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\nCookie: ${b.cookieHeader()}\r\nX-CSRF: 1\r\n\r\n`, 1_000);
      expect(responses.every((r) => r.status !== 200), target).toBe(true);
    }
    expectNothingUpstream();
  });

  it('does not forward an X-HTTP-Method-Override that would smuggle TRACE', async () => {
    const r = await raw('POST', '/api/a', ['X-HTTP-Method-Override: TRACE', 'X-Method-Override: trace', 'Content-Length: 0']);
    expect(r.status).toBe(200);
    expect(upstream.seen[0]!.method).toBe('POST');
    expect(upstream.seen[0]!.headers['x-http-method-override']).toBeUndefined();
    expect(upstream.seen[0]!.headers['x-method-override']).toBeUndefined();
  });
});

describe('malicious upstream responses', () => {
  it("never passes the upstream's Set-Cookie, even one named like the session cookie", async () => {
    upstream.respond = (_s, res) => {
      res.writeHead(200, [
        'Content-Type', 'application/json',
        'Set-Cookie', 'bff-session=attacker-session; Path=/; HttpOnly',
        'Set-Cookie', '__Host-bff-session=x; Path=/; Secure',
        'set-cookie2', 'legacy=1',
        'Connection', 'X-Hidden',
        'X-Hidden', 'internal',
      ]);
      res.end('{}');
    };
    const res = await b.api('/api/cookies');
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(res.headers.get('set-cookie2')).toBeNull();
    expect(res.headers.get('x-hidden')).toBeNull();
  });

  it('answers 502 to an upstream response that breaks HTTP framing (Content-Length with Transfer-Encoding)', async () => {
    upstream.respond = (_s, res) => {
      res.socket!.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    };
    const res = await b.api('/api/broken');
    await expectProblem(res, 502, 'upstream_unavailable');
  });

  it('answers 502 to an upstream response with a header-injection attempt (bare LF in a header)', async () => {
    upstream.respond = (_s, res) => {
      res.socket!.end('HTTP/1.1 200 OK\r\nX-A: a\nSet-Cookie: bff-session=evil\r\nContent-Length: 2\r\n\r\nok');
    };
    const res = await b.api('/api/broken');
    expect(res.status).toBe(502);
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});
