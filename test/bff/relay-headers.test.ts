import { describe, expect, it } from 'vitest';
import http from 'node:http';
import { downstreamResponseHeaders, upstreamRequestHeaders } from '../../bff/relay/headers.ts';
import { problemCode, useRelayFront, type Reply } from '../support/relay-front.ts';

// The forwarder's header layer (bff/relay/headers.ts, cache.ts) end to end through forward(), with
// no BFF around it. The property-based version: test/security/relay-headers.fuzz.test.ts.

const h = useRelayFront();

describe('request headers', () => {
  it('forwards end-to-end headers and replaces credentials, hop-by-hop and forwarding claims', async () => {
    // Raw, so that nothing (node's client included) tidies the attack up; Host is app.example.com.
    const r = await h.sendRaw(
      '/api/h',
      'GET',
      [
        'Cookie: __Host-session=secret',
        'X-CSRF: 1',
        'cOOKIE: second=1',
        'x-csrf: 1',
        'Authorization: Bearer client-chosen',
        'Connection: keep-alive, X-Hop-Secret, Content-Length',
        'X-Hop-Secret: must-not-pass',
        'Keep-Alive: timeout=99',
        'TE: trailers',
        'Trailer: X-T',
        'Upgrade: h2c',
        'Proxy-Authorization: Basic eA==',
        'Proxy-Connection: keep-alive',
        'X-Forwarded-For: 6.6.6.6',
        'X-Forwarded-For: 7.7.7.7',
        'X-Forwarded-Proto: gopher',
        'X-Forwarded-Host: evil.example',
        'X-Forwarded-Port: 1',
        'X-Forwarded-Prefix: /admin',
        'Forwarded: for=6.6.6.6;proto=http;host=evil.example',
        'X-Real-IP: 6.6.6.6',
        'True-Client-IP: 6.6.6.6',
        'X-Original-URL: /admin/delete',
        'X-Rewrite-URL: /admin/delete',
        'Accept: application/json',
        'Accept-Language: fr',
        'If-None-Match: "abc"',
        'X-Custom: one',
        'X-Custom: two',
        'User-Agent: attacker/1.0',
      ]
        .map((line) => line + '\r\n')
        .join(''),
    );
    expect(r.status).toBe(200);
    const s = h.upstream.seen[0]!;
    expect(s.headers.host).toBe(`127.0.0.1:${h.upstream.port}`);
    expect(s.headers.authorization).toBe('Bearer test-token');
    expect(s.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(s.headers['x-forwarded-proto']).toBe('https');
    expect(s.headers['x-forwarded-host']).toBe('app.example.com');
    for (const name of [
      'cookie', 'x-csrf', 'x-hop-secret', 'keep-alive', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-connection',
      'x-forwarded-port', 'x-forwarded-prefix', 'forwarded', 'x-real-ip', 'true-client-ip', 'x-original-url', 'x-rewrite-url',
      'transfer-encoding',
    ]) {
      expect(s.headers[name], name).toBeUndefined();
    }
    // exactly one of each header the relay sets: the client's copies are gone, not merged
    const count = (n: string): number => s.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === n).length;
    for (const n of ['host', 'authorization', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host']) expect(count(n), n).toBe(1);
    expect(s.headers.accept).toBe('application/json');
    expect(s.headers['accept-language']).toBe('fr');
    expect(s.headers['if-none-match']).toBe('"abc"');
    expect(s.headers['user-agent']).toBe('attacker/1.0');
    expect(s.headers['x-custom']).toBe('one, two');
    // Connection cannot remove the framing: GET without body stays without body
    expect(s.headers['content-length']).toBeUndefined();
  });

  it('keeps the body framing: Content-Length passed, chunked re-chunked, empty POST gets Content-Length: 0', async () => {
    await h.send('/api/cl', { method: 'POST', body: 'abc', headers: { 'content-type': 'text/plain' } });
    expect(h.upstream.seen[0]!.headers['content-length']).toBe('3');
    expect(h.upstream.seen[0]!.headers['transfer-encoding']).toBeUndefined();
    expect(h.upstream.seen[0]!.body.toString()).toBe('abc');

    await h.send('/api/empty', { method: 'POST' });
    expect(h.upstream.seen[1]!.headers['content-length']).toBe('0');
    expect(h.upstream.seen[1]!.headers['transfer-encoding']).toBeUndefined();

    await new Promise<void>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: h.frontPort, path: '/api/chunked', method: 'PUT', agent: false }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.write('part1-');
      setTimeout(() => req.end('part2'), 20);
    });
    expect(h.upstream.seen[2]!.headers['transfer-encoding']).toBe('chunked');
    expect(h.upstream.seen[2]!.headers['content-length']).toBeUndefined();
    expect(h.upstream.seen[2]!.body.toString()).toBe('part1-part2');
  });

  it('never lets a chunked GET body be read as a second request by the upstream (no smuggling)', async () => {
    const smuggled = 'GET /v1/smuggled HTTP/1.1\r\nHost: x\r\n\r\n';
    const chunk = `${Buffer.byteLength(smuggled).toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`;
    const r = await h.sendRaw('/api/first', 'GET', `Transfer-Encoding: chunked\r\n\r\n${chunk}`.slice(0, -2));
    expect(r.status).toBe(200);
    // A request on the same pooled connection is answered after anything smuggled before it.
    expect((await h.send('/api/marker')).status).toBe(200);
    expect(h.upstream.seen.map((s) => s.url)).toEqual(['/v1/first', '/v1/marker']);
    expect(h.upstream.seen[0]!.body.toString()).toBe(smuggled);
  });

  it('policy functions are pure and precise', () => {
    const ctx = { upstreamHost: 'api.internal:8080', forwardedProto: 'https', forwardedHost: 'app.example.com' };
    const { headers, hasBody } = upstreamRequestHeaders(
      ['Content-Length', '5', 'Connection', 'X-A', 'x-a', '1', 'X-B', '2'],
      'POST',
      '10.0.0.1',
      'tok',
      ctx,
    );
    expect(hasBody).toBe(true);
    expect(headers).toEqual([
      'host', 'api.internal:8080', 'X-B', '2', 'content-length', '5',
      'x-forwarded-for', '10.0.0.1', 'x-forwarded-proto', 'https', 'x-forwarded-host', 'app.example.com', 'authorization', 'Bearer tok',
    ]);
    expect(upstreamRequestHeaders(['Content-Length', '0'], 'POST', undefined, 't', ctx).hasBody).toBe(false);
    expect(downstreamResponseHeaders(['Set-Cookie', 'a=1', 'Connection', 'close, X-Z', 'X-Z', '1', 'ETag', '"1"', 'Transfer-Encoding', 'chunked'])).toEqual(['ETag', '"1"']);
  });
});

describe('response', () => {
  const rich = (_s: unknown, res: http.ServerResponse): void => {
    res.writeHead(401, [
      'Content-Type', 'application/json',
      'Cache-Control', 'private, max-age=5',
      'ETag', '"v1"',
      'WWW-Authenticate', 'Bearer error="invalid_token"',
      'WWW-Authenticate', 'DPoP',
      'Link', '</a>; rel=a',
      'Link', '</b>; rel=b',
      'Set-Cookie', 'upstream=1; Path=/',
      'Set-Cookie', 'tracker=2',
      'Connection', 'keep-alive, X-Upstream-Hop',
      'X-Upstream-Hop', 'secret',
      'Keep-Alive', 'timeout=5',
      'X-Request-Id', 'r-1',
    ]);
    res.end('{"error":"invalid_token"}');
  };

  function expectRelayed(r: Reply): void {
    expect(r.status).toBe(401);
    expect(r.body.toString()).toBe('{"error":"invalid_token"}');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['cache-control']).toBe('private, max-age=5');
    expect(r.headers.etag).toBe('"v1"');
    expect(r.headers['x-request-id']).toBe('r-1');
    expect(r.headers['x-upstream-hop']).toBeUndefined();
    const all = (n: string): string[] => r.rawHeaders.filter((_h, i) => i % 2 === 1 && r.rawHeaders[i - 1]!.toLowerCase() === n);
    expect(all('www-authenticate')).toEqual(['Bearer error="invalid_token"', 'DPoP']);
    expect(all('link')).toEqual(['</a>; rel=a', '</b>; rel=b']);
  }

  it('passes status and end-to-end headers, never Set-Cookie or hop-by-hop', async () => {
    h.upstream.handle = rich;
    const r = await h.send('/api/r');
    expectRelayed(r);
    expect(r.headers['set-cookie']).toBeUndefined();
    expect(r.headers['keep-alive']).toBeUndefined();
  });

  it('keeps the BFF\'s own headers (a rotated session cookie) and repeated upstream headers when the caller set headers first', async () => {
    h.upstream.handle = rich;
    h.beforeForward = (res) => res.setHeader('set-cookie', '__Host-session=new; Path=/; HttpOnly');
    const r = await h.send('/api/r');
    expectRelayed(r);
    expect(r.headers['set-cookie']).toEqual(['__Host-session=new; Path=/; HttpOnly']);
  });

  it('passes 204, 304 and HEAD responses without a body', async () => {
    h.upstream.respond = ((s, res) => {
      if (s.url.endsWith('/304')) res.writeHead(304, { etag: '"x"' }).end();
      else if (s.url.endsWith('/204')) res.writeHead(204).end();
      else res.writeHead(200, { 'content-length': '10', 'content-type': 'text/plain' }).end(s.method === 'HEAD' ? undefined : '0123456789');
    });
    expect((await h.send('/api/304')).status).toBe(304);
    expect((await h.send('/api/204')).status).toBe(204);
    const head = await h.send('/api/h', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('10');
    expect(head.body.length).toBe(0);
    expect((await h.send('/api/g')).body.toString()).toBe('0123456789');
  });
});


describe('transfer codings', () => {
  // RFC 9112 §6.1: node de-chunks the body but would leave gzip bytes in it; relayed as plain
  // chunked, the API would read them as the body itself.
  it.each([
    ['gzip, chunked', 'Transfer-Encoding: gzip, chunked'],
    ['deflate, chunked', 'Transfer-Encoding: deflate, chunked'],
    ['two header lines, gzip then chunked', 'Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked'],
  ])('a declared transfer coding is refused, never relayed as plain chunked (%s): 501 unsupported_transfer_coding, nothing upstream', async (_name, line) => {
    const r = await h.sendRaw('/api/upload', 'POST', `${line}\r\n\r\n5\r\nhello\r\n0\r\n`);
    expect(r.status).toBe(501);
    expect(problemCode(r)).toBe('unsupported_transfer_coding');
    expect(h.upstream.arrived).toBe(0);
  });

  it('still relays a plain chunked body, whatever its case', async () => {
    const r = await h.sendRaw('/api/upload', 'POST', 'Transfer-Encoding: Chunked\r\n\r\n5\r\nhello\r\n0\r\n');
    expect(r.status).toBe(200);
    expect(h.upstream.seen[0]!.body).toBe('hello');
    expect(h.upstream.seen[0]!.headers['transfer-encoding']).toBe('chunked');
  });
});

describe('shared caches', () => {
  /** Answers with the Cache-Control / Vary named by the path. */
  const CASES: Array<[path: string, upstream: string[], cacheControl: string, vary: string]> = [
    ['/max-age', ['Cache-Control', 'max-age=300'], 'private, max-age=300', 'Cookie'],
    ['/public', ['Cache-Control', 'public, max-age=60'], 'public, max-age=60', 'Cookie'],
    ['/none', [], 'private', 'Cookie'],
    ['/no-store', ['Cache-Control', 'no-store'], 'private, no-store', 'Cookie'],
    ['/private', ['Cache-Control', 'private, max-age=5'], 'private, max-age=5', 'Cookie'],
    ['/private-field', ['Cache-Control', 'private="x-user", max-age=5'], 'private, private="x-user", max-age=5', 'Cookie'],
    ['/s-maxage', ['Cache-Control', 'S-MaxAge=600', 'cache-control', 'must-revalidate'], 'private, S-MaxAge=600, must-revalidate', 'Cookie'],
    ['/vary', ['Cache-Control', 'max-age=1', 'Vary', 'Accept-Encoding', 'vary', 'Accept-Language'], 'private, max-age=1', 'Accept-Encoding, Accept-Language, Cookie'],
    ['/vary-cookie', ['Vary', 'cookie'], 'private', 'cookie'],
    ['/vary-star', ['Vary', '*'], 'private', '*'],
  ];

  it.each(CASES)('a relayed answer is marked private (unless the API said public) and varies on Cookie: %s', async (path, upstreamHeaders, cacheControl, vary) => {
    h.upstream.respond = (_s, res) => {
      res.writeHead(200, ['Content-Type', 'application/json', ...upstreamHeaders]);
      res.end('{"mine":true}');
    };
    const r = await h.send('/api' + path);
    expect(r.status).toBe(200);
    const all = (n: string): string[] => r.rawHeaders.filter((_v, i) => i % 2 === 1 && r.rawHeaders[i - 1]!.toLowerCase() === n);
    expect(all('cache-control')).toEqual([cacheControl]);
    expect(all('vary')).toEqual([vary]);
  });

  it('marks 304 and error answers too, and keeps the BFF\'s own headers', async () => {
    h.upstream.respond = (s, res) => {
      if (s.url.endsWith('/304')) res.writeHead(304, { etag: '"x"', 'cache-control': 'max-age=300' }).end();
      else res.writeHead(500, { 'cache-control': 'max-age=300' }).end('oops');
    };
    h.beforeForward = (res) => res.setHeader('set-cookie', '__Host-session=new; Path=/; HttpOnly');
    for (const path of ['/api/304', '/api/500']) {
      const r = await h.send(path);
      expect(r.headers['cache-control'], path).toBe('private, max-age=300');
      expect(r.headers.vary, path).toBe('Cookie');
      expect(r.headers['set-cookie'], path).toEqual(['__Host-session=new; Path=/; HttpOnly']);
    }
  });
});
