import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { collect, useRelayFront, type Reply } from '../support/relay-front.ts';

// 10 MiB each way through the forwarder in a child process (test/support/relay-child.ts), so its
// memory is its own. The upstream and the client consume slowly, so a relay that ignored
// backpressure would pile the body up in the child.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHILD = fileURLToPath(new URL('../support/relay-child.ts', import.meta.url));
const MiB = 1024 * 1024;
const h = useRelayFront();

function ask<T>(child: ChildProcess, msg: string): Promise<T> {
  const reply = once(child, 'message') as Promise<[T]>;
  child.send(msg);
  return reply.then(([m]) => m);
}

/** Generates `total` random bytes in 64 KiB chunks, hashing them on the way. */
function generated(total: number, hash: ReturnType<typeof createHash>): Readable {
  let left = total;
  return new Readable({
    read() {
      if (left === 0) {
        this.push(null);
        return;
      }
      const chunk = randomBytes(Math.min(64 * 1024, left));
      left -= chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
}

/** Hashes and counts what flows in, slowly (a few ms per 64 KiB), so backpressure matters. */
function slowSink(hash: ReturnType<typeof createHash>, counter: { bytes: number }): Writable {
  return new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      counter.bytes += chunk.length;
      setTimeout(cb, 2);
    },
  });
}

describe('streaming 10 MiB at flat memory', () => {
  const SIZE = 10 * MiB;
  let child: ChildProcess;
  let childPort = 0;

  beforeAll(async () => {
    child = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', CHILD], {
      cwd: ROOT,
      env: { ...process.env, UPSTREAM: `${h.upstream.url}/v1` },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const [msg] = (await once(child, 'message')) as [{ port: number }];
    childPort = msg.port;
  });

  afterAll(async () => {
    if (child.exitCode === null) {
      child.send('exit');
      await once(child, 'exit');
    }
  });

  it('uploads 10 MiB (Content-Length) byte-exact, without holding it', async () => {
    const received = createHash('sha256');
    const counter = { bytes: 0 };
    let upstreamHeaders: http.IncomingHttpHeaders = {};
    h.upstream.handle = (req, res) => {
      upstreamHeaders = req.headers;
      pipeline(req, slowSink(received, counter)).then(
        () => res.end(JSON.stringify({ bytes: counter.bytes })),
        () => res.destroy(),
      );
    };
    await ask(child, 'reset');
    const sent = createHash('sha256');
    const reply = await new Promise<Reply>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1', port: childPort, path: '/api/upload', method: 'POST', agent: false,
        headers: { 'content-length': String(SIZE), 'content-type': 'application/octet-stream' },
      });
      req.on('response', (res) => collect(res).then(resolve, reject));
      pipeline(generated(SIZE, sent), req).catch(reject);
    });
    const mem = await ask<{ live: number; rss: number }>(child, 'report');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body.toString())).toEqual({ bytes: SIZE });
    expect(upstreamHeaders['content-length']).toBe(String(SIZE));
    expect(received.digest('hex')).toBe(sent.digest('hex'));
    console.log(`upload: front live growth ${(mem.live / MiB).toFixed(2)} MiB, RSS growth ${(mem.rss / MiB).toFixed(2)} MiB`);
    expect(mem.live).toBeLessThan(3 * MiB);
    expect(mem.rss).toBeLessThan(30 * MiB);
  });

  it('downloads 10 MiB (chunked) byte-exact, without holding it', async () => {
    const sent = createHash('sha256');
    h.upstream.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      pipeline(generated(SIZE, sent), res).catch(() => undefined);
    };
    await ask(child, 'reset');
    const received = createHash('sha256');
    const counter = { bytes: 0 };
    let te: string | undefined;
    await new Promise<void>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: childPort, path: '/api/download', agent: false }, (res) => {
        te = res.headers['transfer-encoding'];
        pipeline(res, slowSink(received, counter)).then(resolve, reject);
      }).on('error', reject);
    });
    expect(te).toBe('chunked');
    const mem = await ask<{ live: number; rss: number }>(child, 'report');
    expect(counter.bytes).toBe(SIZE);
    expect(received.digest('hex')).toBe(sent.digest('hex'));
    console.log(`download: front live growth ${(mem.live / MiB).toFixed(2)} MiB, RSS growth ${(mem.rss / MiB).toFixed(2)} MiB`);
    expect(mem.live).toBeLessThan(3 * MiB);
    expect(mem.rss).toBeLessThan(30 * MiB);
  });

  it('uploads 10 MiB chunked (no Content-Length) byte-exact', async () => {
    const received = createHash('sha256');
    const counter = { bytes: 0 };
    let te: string | undefined;
    h.upstream.handle = (req, res) => {
      te = req.headers['transfer-encoding'];
      pipeline(req, slowSink(received, counter)).then(() => res.end('ok'), () => res.destroy());
    };
    const sent = createHash('sha256');
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: childPort, path: '/api/upload', method: 'PUT', agent: false });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      pipeline(generated(SIZE, sent), req).catch(reject);
    });
    expect(status).toBe(200);
    expect(te).toBe('chunked');
    expect(counter.bytes).toBe(SIZE);
    expect(received.digest('hex')).toBe(sent.digest('hex'));
  });
});
