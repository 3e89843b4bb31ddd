import { describe, expect, it } from 'vitest';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { BadPath } from '../../bff/errors.ts';
import { createForwarder } from '../../bff/relay/forward.ts';
import { createUpstreamAgent } from '../../bff/relay/agent.ts';
import { rawExchange } from '../support/raw-http.ts';
import { closedPort, problemCode, PUBLIC_URL, useRelayFront } from '../support/relay-front.ts';
import { makeTestCertificate } from '../support/tls.ts';

// The forwarder when the upstream fails: unreachable, reset, dead pooled connections, broken
// answers, TLS. Timeouts and aborts: relay-timeouts.test.ts.

const h = useRelayFront();

/** A raw TCP upstream that answers every request with `reply` (bytes), then does `after` with the socket. */
async function rawUpstream(reply: string, after: (socket: net.Socket) => void = () => undefined): Promise<net.Server> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => {
      socket.write(reply);
      after(socket);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

describe('upstream failures', () => {
  it('answers 502 upstream_unavailable when the upstream port is closed', async () => {
    h.use(`http://127.0.0.1:${await closedPort()}/v1`);
    const r = await h.send('/api/a');
    expect(r.status).toBe(502);
    expect(problemCode(r)).toBe('upstream_unavailable');
  });

  it('answers 502 when the host does not resolve', async () => {
    h.use('http://relay-test.invalid/v1');
    const r = await h.send('/api/a');
    expect(r.status).toBe(502);
    expect(problemCode(r)).toBe('upstream_unavailable');
  });

  it('answers 502 when the upstream resets the connection before answering, without retrying on a fresh connection', async () => {
    h.useDefault(); // no pooled connection yet: nothing to retry
    h.upstream.handle = (req) => req.socket.destroy();
    const r = await h.send('/api/a');
    expect(r.status).toBe(502);
    expect(problemCode(r)).toBe('upstream_unavailable');
    expect(h.upstream.arrived).toBe(1);
  });

  it('retries an idempotent body-less request (GET, HEAD, OPTIONS) once when a pooled connection turns out dead, never a POST or a GET with a body', async () => {
    // A minimal upstream that keeps connections alive (no Keep-Alive hint) but kills each one when
    // a second request arrives on it: what an upstream closing idle connections looks like.
    const hits: string[] = [];
    const sockets = new Set<net.Socket>();
    const raw = net.createServer((socket) => {
      sockets.add(socket);
      let buffered = '';
      let served = 0;
      socket.on('data', (d) => {
        buffered += d.toString('latin1');
        let end: number;
        while ((end = buffered.indexOf('\r\n\r\n')) !== -1) {
          const head = buffered.slice(0, end);
          buffered = buffered.slice(end + 4);
          hits.push(head.split(' ').slice(0, 2).join(' '));
          if (served++ === 1) {
            socket.destroy();
            return;
          }
          socket.write(head.startsWith('HEAD ') ? 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n' : 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        }
      });
      socket.on('error', () => undefined);
    });
    raw.listen(0, '127.0.0.1');
    await once(raw, 'listening');
    const base = `http://127.0.0.1:${(raw.address() as AddressInfo).port}/v1`;
    h.use(base);
    try {
      expect((await h.send('/api/one')).status).toBe(200);
      const second = await h.send('/api/two');
      expect(second.status).toBe(200);
      expect(second.body.toString()).toBe('ok');
      expect(hits).toEqual(['GET /v1/one', 'GET /v1/two', 'GET /v1/two']);
      // a POST on a reused dead connection is not replayed
      hits.length = 0;
      expect((await h.send('/api/three', { method: 'POST' })).status).toBe(502);
      expect(hits).toEqual(['POST /v1/three']);
      // HEAD and OPTIONS are retried like GET; a GET with a body is not (the body is gone).
      // (each with a forwarder of its own: an empty pool, so the first request opens the connection)
      for (const method of ['HEAD', 'OPTIONS']) {
        h.use(base);
        hits.length = 0;
        expect((await h.send('/api/prime')).status).toBe(200);
        expect((await h.send('/api/again', { method })).status, method).toBe(200);
        expect(hits).toEqual(['GET /v1/prime', `${method} /v1/again`, `${method} /v1/again`]);
      }
      h.use(base);
      hits.length = 0;
      expect((await h.send('/api/prime')).status).toBe(200);
      expect((await h.send('/api/body', { headers: { 'content-length': '2' }, body: 'hi' })).status).toBe(502);
      expect(hits).toEqual(['GET /v1/prime', 'GET /v1/body']);
    } finally {
      for (const socket of sockets) socket.destroy(); // the pools' idle connections
      await new Promise((r) => raw.close(r));
    }
  });

  // The forwarder's own timeout is a minute here: only a prompt answer passes within vitest's 30 s.
  it.each([
    ['with Upgrade', 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'],
    ['without Upgrade', 'HTTP/1.1 101 Switching Protocols\r\n\r\n'],
  ])('an upstream 101 to a plain request (%s) is answered at once with 502 upstream_unavailable, not after the timeout', async (_name, reply) => {
    const raw = await rawUpstream(reply);
    h.use(`http://127.0.0.1:${(raw.address() as AddressInfo).port}/v1`, { timeoutMs: 60_000 });
    try {
      const r = await h.send('/api/ws');
      expect(r.status).toBe(502);
      expect(problemCode(r)).toBe('upstream_unavailable');
      expect(r.headers.upgrade).toBeUndefined();
    } finally {
      raw.close();
    }
  });

  it('an upstream cut in the middle of a chunked body reaches the browser as an incomplete response, never a clean truncated one', async () => {
    const raw = await rawUpstream('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n', (socket) => {
      setImmediate(() => socket.destroy());
    });
    h.use(`http://127.0.0.1:${(raw.address() as AddressInfo).port}/v1`);
    try {
      const { text, responses } = await rawExchange(`http://127.0.0.1:${h.frontPort}`, 'GET /api/partial HTTP/1.1\r\nHost: app.example.com\r\n\r\n');
      expect(responses[0]?.status).toBe(200);
      expect(text).toMatch(/^HTTP\/1\.1 200 [^]*transfer-encoding: chunked\r\n/i);
      // The relay's own chunked framing must not end: no last chunk, so the browser sees an error.
      expect(text).not.toMatch(/\r\n0\r\n\r\n$/);
      await new Promise<void>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port: h.frontPort, path: '/api/partial', agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(expect.fail('a cut body ended cleanly')));
          res.on('error', () => resolve());
          res.on('close', () => {
            expect(res.complete).toBe(false);
            resolve();
          });
        });
        req.on('error', () => resolve());
      });
    } finally {
      raw.close();
    }
  });

  it('cuts the client connection when the upstream dies mid-body', async () => {
    h.upstream.handle = (_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('only-part');
      setTimeout(() => res.destroy(), 30);
    };
    const err = await new Promise<unknown>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: h.frontPort, path: '/api/partial', agent: false }, (res) => {
        res.on('data', () => undefined);
        res.on('error', resolve);
        res.on('end', () => resolve('ended'));
        res.on('close', () => resolve(res.complete ? 'complete' : 'aborted'));
      });
      req.on('error', resolve);
    });
    expect(err).not.toBe('ended');
    expect(err).not.toBe('complete');
  });
});

describe('createForwarder', () => {
  it('accepts http and https upstream URLs, with or without a port and a base path', () => {
    for (const good of ['http://u', 'http://u:8080/v1', 'https://u/v1/', 'https://u:8443', 'http://[::1]:8080/v1']) {
      expect(() => createForwarder({ upstreamUrl: new URL(good), timeoutMs: 1, publicUrl: PUBLIC_URL }).close(), good).not.toThrow();
    }
  });

  it('refuses an upstream URL it cannot honour', () => {
    for (const bad of ['ftp://u/v1', 'http://u/v1?tenant=a', 'http://u/v1#x', 'http://user:pw@u/v1']) {
      expect(() => createForwarder({ upstreamUrl: new URL(bad), timeoutMs: 1, publicUrl: PUBLIC_URL }), bad).toThrow(TypeError);
    }
  });

  it('rejects an upstreamPath that does not come from toUpstreamPath', async () => {
    const fake = { method: 'GET', rawHeaders: [], socket: {} } as unknown as http.IncomingMessage;
    for (const p of ['a/b', '@evil/x', '.', '#']) {
      await expect(h.forwarder.forward(fake, {} as http.ServerResponse, 't', p), p).rejects.toBeInstanceOf(BadPath);
    }
  });
});

describe('https upstream', () => {
  // Made in each test, so that a missing openssl fails both of them (never a silent pass).

  it('relays to an https upstream over a keep-alive TLS agent', async () => {
    const cert = makeTestCertificate();
    const tls = https.createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ url: req.url, host: req.headers.host, authorization: req.headers.authorization, encrypted: (req.socket as { encrypted?: boolean }).encrypted }));
    });
    tls.listen(0, '127.0.0.1');
    await once(tls, 'listening');
    const port = (tls.address() as AddressInfo).port;
    const agent = createUpstreamAgent(new URL(`https://127.0.0.1:${port}`), 256, { ca: cert.cert });
    const forwarder = h.use(`https://127.0.0.1:${port}/v1/`, { agent });
    try {
      for (let i = 0; i < 3; i++) {
        const r = await h.send('/api/secure?i=' + i);
        expect(r.status).toBe(200);
        expect(JSON.parse(r.body.toString())).toEqual({ url: '/v1/secure?i=' + i, host: `127.0.0.1:${port}`, authorization: 'Bearer test-token', encrypted: true });
      }
    } finally {
      forwarder.close();
      tls.closeAllConnections();
      await new Promise((r) => tls.close(r));
    }
  });

  it('refuses a TLS upstream whose certificate is not trusted (502, nothing relayed)', async () => {
    const cert = makeTestCertificate();
    const tls = https.createServer({ key: cert.key, cert: cert.cert }, (_req, res) => res.end('should not be reached'));
    tls.listen(0, '127.0.0.1');
    await once(tls, 'listening');
    h.use(`https://127.0.0.1:${(tls.address() as AddressInfo).port}/v1`);
    try {
      const r = await h.send('/api/secure');
      expect(r.status).toBe(502);
      expect(problemCode(r)).toBe('upstream_unavailable');
    } finally {
      tls.closeAllConnections();
      await new Promise((r) => tls.close(r));
    }
  });
});
