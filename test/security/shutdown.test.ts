import { builtEntry } from '../support/built.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Browser, location } from '../support/browser.ts';
import { CookieJar } from '../support/cookie-jar.ts';
import { walkToCallback } from '../demo/oidc-flow.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHUNKS = 12;
const CHUNK_EVERY_MS = 150;

// `npm start`'s process (demo/start.ts) gets SIGTERM while a streaming download is relayed: the
// download completes, new connections are refused, and the process exits 0.
let upstream: http.Server;
let child: ChildProcess;
let output = '';

beforeAll(async () => {
  upstream = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    let sent = 0;
    const timer = setInterval(() => {
      res.write(Buffer.alloc(1024, sent));
      if (++sent === CHUNKS) {
        clearInterval(timer);
        res.end();
      }
    }, CHUNK_EVERY_MS);
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const { port } = upstream.address() as AddressInfo;
  child = spawn(process.execPath, [builtEntry('demo/start.js')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', DEMO_PROVIDER_PORT: '0', DEMO_API_PORT: '0', LOG_LEVEL: 'warn', API_UPSTREAM_URL: `http://127.0.0.1:${port}`, OIDC_ISSUER: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 30_000;
  while (!/ready:\s+http:\/\/localhost:\d+/.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`stack did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}, 40_000);

afterAll(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  upstream.closeAllConnections();
  await new Promise((r) => upstream.close(r));
});

describe('graceful shutdown', () => {
  it('finishes an in-flight streaming download across SIGTERM, then exits 0', async () => {
    const origin = /ready:\s+(http:\/\/localhost:\d+)/.exec(output)![1]!;
    const b = new Browser(origin.replace('localhost', '127.0.0.1'));
    const login = await b.get('/auth/login');
    const { callback } = await walkToCallback(new CookieJar(), location(login), 'alice', `${origin}/auth/callback`);
    expect((await b.get(callback.pathname + callback.search)).status).toBe(302);

    const res = await b.api('/api/download');
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    let bytes = first.value!.length;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
    }
    expect(bytes).toBe(CHUNKS * 1024);
    const [code] = await exited;
    expect(code).toBe(0);
    await expect(fetch(`${origin}/healthz`)).rejects.toThrow();
  });
});
