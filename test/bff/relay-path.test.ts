import { describe, expect, it } from 'vitest';
import type http from 'node:http';
import { BadPath, MethodNotAllowed } from '../../bff/errors.ts';
import { assertRelayableMethod, toUpstreamPath } from '../../bff/relay/path.ts';
import { problemCode, useRelayFront, type Reply } from '../support/relay-front.ts';
import { TRAVERSALS } from '../support/traversals.ts';

// The forwarder's path and method layer (bff/relay/path.ts as used by forward.ts), with no BFF
// around it. Headers: relay-headers.test.ts; failures and timeouts: relay-failures.test.ts.

const h = useRelayFront();
const seenUrl = (r: Reply): string => (JSON.parse(r.body.toString()) as { url: string }).url;

describe('path and query', () => {
  it('relays /api/a/b?x=1 to <base>/a/b?x=1 with the query byte for byte', async () => {
    const r = await h.send("/api/a/b?x=1&y=%20z&z=a+b&w=%2e%2e/&e=%C3%A9&q=?&s='~");
    expect(r.status).toBe(200);
    expect(seenUrl(r)).toBe("/v1/a/b?x=1&y=%20z&z=a+b&w=%2e%2e/&e=%C3%A9&q=?&s='~");
  });

  it('keeps the base path, with or without its trailing slash, and maps /api itself to the base URL', async () => {
    const cases: Array<[string, string, string]> = [
      ['/v1', '/api/a', '/v1/a'],
      ['/v1/', '/api/a', '/v1/a'],
      ['/v1/', '/api/a/', '/v1/a/'],
      ['/', '/api/a', '/a'],
      ['/v1/v2', '/api/a%20b/c.json?x', '/v1/v2/a%20b/c.json?x'],
      ['/v1', '/api', '/v1'],
      ['/v1', '/api?x=1', '/v1?x=1'],
      ['/v1/', '/api', '/v1/'],
      ['/v1', '/api/', '/v1/'],
      ['/', '/api', '/'],
    ];
    for (const [base, target, expected] of cases) {
      h.use(`${h.upstream.url}${base}`);
      const r = await h.send(target);
      expect(r.status, `${base} + ${target}`).toBe(200);
      expect(seenUrl(r), `${base} + ${target}`).toBe(expected);
    }
  });

  // Every traversal (test/support/traversals.ts), and what else a path must not carry.
  const refused = [
    ...TRAVERSALS.map(([, target]) => target),
    // empty segments
    '//api/a',
    '/api//a',
    '/api//evil.example/x',
    '/api/a//b',
    // control characters, raw and encoded
    '/api/a%00b',
    '/api/a%0d%0aX-Injected:%201',
    '/api/a%09',
    '/api/a%7f',
    '/api/a%c2%85',
    '/api/a%e2%80%8b', // zero-width space
    '/api/a%e2%80%ae', // right-to-left override
    '/api/a\tb',
    '/api/a b',
    // invalid percent-encoding and broken UTF-8
    '/api/%zz',
    '/api/a%',
    '/api/a%2',
    '/api/%e0%a4',
    '/api/%ff',
    '/api/%ed%a0%80', // surrogate
    '/api/%f4%90%80%80', // above U+10FFFF
    // not /api/, absolute-form, fragments
    '/apix',
    '/API/a',
    '/',
    '/ap',
    'http://evil.example/api/a',
    'http://127.0.0.1/api/a',
    '*',
    '/api/a#frag',
    '/api/a?x=1#frag',
    '/api/a?x=1 2',
    '/api/a?x=%0a\r',
    '/api/a\u00e9',
  ];

  it.each(refused)('refuses %j with 400 bad_path, and nothing reaches the upstream', async (target) => {
    expect(() => toUpstreamPath(target)).toThrow(BadPath);
    const r = await h.send(target);
    expect(r.status).toBe(400);
    // A few targets (raw controls, spaces) are already refused by node's HTTP parser, with no body.
    if (r.body.length) {
      expect(problemCode(r)).toBe('bad_path');
      expect(r.headers['content-type']).toBe('application/problem+json');
    }
    // The answer is in: anything the relay had sent would have arrived by now or never.
    expect(h.upstream.arrived).toBe(0);
  });

  it('accepts ordinary paths untouched', async () => {
    for (const target of ['/api/users/42', '/api/a.b/.well-known/c..d', "/api/a-b_c~d!$&'()*+,;=:@", '/api/%C3%A9t%C3%A9', '/api/[x]|^', '/api/a%3Fb%23c']) {
      const r = await h.send(target);
      expect(r.status, target).toBe(200);
      expect(seenUrl(r)).toBe('/v1' + target.slice(4));
    }
  });
});

describe('methods', () => {
  it('relays ordinary methods and their bodies', async () => {
    for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      const body = method === 'GET' || method === 'HEAD' ? undefined : 'hello';
      // (node's client sends no framing for a DELETE/OPTIONS body unless told the length)
      const r = await h.send('/api/m', { method, body, headers: body ? { 'content-type': 'text/plain', 'content-length': '5' } : {} });
      expect(r.status, method).toBe(200);
      expect(h.upstream.seen.at(-1)!.method).toBe(method);
      expect(h.upstream.seen.at(-1)!.body.toString()).toBe(body ?? '');
    }
  });

  it('refuses TRACE with 405 and an Allow header, before the upstream', async () => {
    const r = await h.send('/api/a', { method: 'TRACE' });
    expect(r.status).toBe(405);
    expect(problemCode(r)).toBe('method_not_allowed');
    expect(r.headers.allow).toMatch(/GET/);
    expect(r.headers.allow).not.toMatch(/TRACE/);
    expect(h.upstream.arrived).toBe(0);
  });

  it('refuses CONNECT: assertRelayableMethod and forward() both throw 405, and a CONNECT never reaches the upstream', async () => {
    for (const m of ['CONNECT', 'TRACE', 'TRACK', 'trace']) expect(() => assertRelayableMethod(m)).toThrow(MethodNotAllowed);
    for (const m of ['GET', 'POST', 'PROPFIND']) expect(() => assertRelayableMethod(m)).not.toThrow();
    const fake = { method: 'CONNECT', rawHeaders: [], socket: {} } as unknown as http.IncomingMessage;
    await expect(h.forwarder.forward(fake, {} as http.ServerResponse, 't', '/a')).rejects.toBeInstanceOf(MethodNotAllowed);
    // node's server hands CONNECT to 'connect' listeners only (none here): the socket is closed.
    await h.sendRaw('/api/a', 'CONNECT');
    expect(h.upstream.arrived).toBe(0);
  });

  it('drops a method override that would smuggle TRACE, keeps an ordinary one', async () => {
    const r = await h.send('/api/a', { method: 'POST', headers: { 'x-http-method-override': 'trace', 'x-method-override': 'PATCH' }, body: '' });
    expect(r.status).toBe(200);
    expect(h.upstream.seen[0]!.headers['x-http-method-override']).toBeUndefined();
    expect(h.upstream.seen[0]!.headers['x-method-override']).toBe('PATCH');
  });
});

