import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickEncoding } from '../../bff/http/accept-encoding.ts';
import { createStaticHandler } from '../../bff/http/static.ts';
import { precompressDir, wireReport } from '../../build/compress.ts';

// The SPA as the browser downloads it: the build's precompressed files chosen by Accept-Encoding,
// with the original's type, `Vary`, and caching that suits hashed and unhashed files.

const JS = `export const answer = ${JSON.stringify('forty-two '.repeat(400))};\n`;
const HTML = `<!doctype html><html><head><title>t</title></head><body>${'<p>hello</p>'.repeat(100)}</body></html>`;
const SVG = `<svg xmlns="http://www.w3.org/2000/svg">${'<circle r="1"/>'.repeat(50)}</svg>`;
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

let dist: string;
let server: Server;
let port: number;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'bff-static-test-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), HTML);
  writeFileSync(join(dist, 'assets', 'index-AbCd1234.js'), JS);
  writeFileSync(join(dist, 'assets', 'logo-AbCd1234.png'), PNG);
  writeFileSync(join(dist, 'favicon.svg'), SVG);
  writeFileSync(join(dist, 'tiny.txt'), 'x');
  await precompressDir(dist);
  const app = express();
  app.use(...createStaticHandler(dist));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  rmSync(dist, { recursive: true, force: true });
});

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** node:http, not fetch: fetch would ask for and undo the compression itself. */
function get(path: string, acceptEncoding?: string, method = 'GET'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const decoded = (r: Raw) =>
  (r.headers['content-encoding'] === 'br' ? brotliDecompressSync(r.body) : r.headers['content-encoding'] === 'gzip' ? gunzipSync(r.body) : r.body).toString();

describe('pickEncoding', () => {
  it('prefers brotli, then gzip, and honours q-values including q=0', () => {
    expect(pickEncoding('gzip, deflate, br, zstd')?.coding).toBe('br');
    expect(pickEncoding('gzip')?.coding).toBe('gzip');
    expect(pickEncoding('br;q=0, gzip')?.coding).toBe('gzip');
    expect(pickEncoding('br;q=0.5, gzip;q=0.8')?.coding).toBe('gzip');
    expect(pickEncoding('br; q=0.9, gzip; q=0.1')?.coding).toBe('br');
    expect(pickEncoding('*')?.coding).toBe('br');
    expect(pickEncoding('*;q=0.2, br;q=0')?.coding).toBe('gzip');
    expect(pickEncoding('BR')?.coding).toBe('br');
  });

  it('falls back to identity when nothing it has is acceptable', () => {
    expect(pickEncoding(undefined)).toBeUndefined();
    expect(pickEncoding('')).toBeUndefined();
    expect(pickEncoding('identity')).toBeUndefined();
    expect(pickEncoding('deflate')).toBeUndefined();
    expect(pickEncoding('br;q=0, gzip;q=0')).toBeUndefined();
    expect(pickEncoding('*;q=0')).toBeUndefined();
    expect(pickEncoding('br;q=0.000')).toBeUndefined();
  });
});

describe('precompressed static files', () => {
  it('sends brotli to a browser that accepts it, with the JavaScript type, Vary and immutable caching', async () => {
    const r = await get('/assets/index-AbCd1234.js', 'gzip, deflate, br');
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe('br');
    expect(r.headers['content-type']).toMatch(/^text\/javascript|^application\/javascript/);
    expect(r.headers.vary).toMatch(/accept-encoding/i);
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
    expect(r.body.length).toBeLessThan(JS.length / 10);
    expect(decoded(r)).toBe(JS);
  });

  it('sends gzip when brotli is refused (br;q=0) or not offered', async () => {
    for (const accept of ['gzip', 'br;q=0, gzip', 'gzip;q=1, br;q=0.5']) {
      const r = await get('/assets/index-AbCd1234.js', accept);
      expect(r.headers['content-encoding'], accept).toBe('gzip');
      expect(decoded(r), accept).toBe(JS);
      expect(r.headers.vary).toMatch(/accept-encoding/i);
    }
  });

  it('sends the file itself to a client that accepts neither, still varying by Accept-Encoding', async () => {
    for (const accept of [undefined, 'identity', 'br;q=0, gzip;q=0', 'deflate']) {
      const r = await get('/assets/index-AbCd1234.js', accept);
      expect(r.status).toBe(200);
      expect(r.headers['content-encoding'], String(accept)).toBeUndefined();
      expect(r.body.toString()).toBe(JS);
      expect(r.headers.vary).toMatch(/accept-encoding/i);
      expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    }
  });

  it('never caches index.html for long, neither by its name nor as the fallback of a client route', async () => {
    for (const path of ['/', '/index.html', '/some/client/route']) {
      const r = await get(path, 'br');
      expect(r.status, path).toBe(200);
      expect(r.headers['content-type'], path).toMatch(/^text\/html/);
      expect(r.headers['cache-control'], path).toBe('no-cache');
      expect(r.headers['content-encoding'], path).toBe('br');
      expect(decoded(r), path).toBe(HTML);
    }
    const plain = await get('/some/client/route');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(HTML);
  });

  it('caches unhashed files only with revalidation, and compresses SVG too', async () => {
    const r = await get('/favicon.svg', 'gzip');
    expect(r.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.headers['cache-control']).toBe('no-cache');
    expect(decoded(r)).toBe(SVG);
  });

  it('serves binary images and files too small to compress as they are', async () => {
    const png = await get('/assets/logo-AbCd1234.png', 'br, gzip');
    expect(png.headers['content-encoding']).toBeUndefined();
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.body.equals(PNG)).toBe(true);
    expect(png.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const tiny = await get('/tiny.txt', 'br, gzip');
    expect(tiny.headers['content-encoding']).toBeUndefined();
    expect(tiny.body.toString()).toBe('x');
  });

  it('answers HEAD with the headers of the chosen variant and no body', async () => {
    const r = await get('/assets/index-AbCd1234.js', 'br', 'HEAD');
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe('br');
    expect(r.body.length).toBe(0);
  });

  it('never hands out a variant through a traversal or an encoded path', async () => {
    for (const path of ['/assets/../assets/index-AbCd1234.js', '/assets/%2e%2e/index.html', '/assets%2findex-AbCd1234.js', '/%2e/favicon.svg']) {
      const r = await get(path, 'br');
      expect(r.headers['content-encoding'], path).toBeUndefined();
    }
  });

  it('the build reports raw, gzip and brotli bytes', async () => {
    const files = await precompressDir(dist);
    const js = files.find((f) => f.file === 'assets/index-AbCd1234.js');
    expect(js?.raw).toBe(JS.length);
    expect(js?.brotli).toBeLessThan(js?.gzip ?? 0);
    expect(wireReport(files)).toMatch(/JS +4\.\d KB raw, 0\.\d KB gzip, 0\.\d KB brotli/);
  });
});

describe('a static folder given as a relative path', () => {
  it('is served, precompressed, like an absolute one', async () => {
    const app = express();
    app.use(...createStaticHandler(relative(process.cwd(), dist) + '/'));
    const relativeServer = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => relativeServer.once('listening', resolve));
    const saved = port;
    port = (relativeServer.address() as AddressInfo).port;
    try {
      const r = await get('/assets/index-AbCd1234.js', 'br');
      expect(r.headers['content-encoding']).toBe('br');
      expect(decoded(r)).toBe(JS);
    } finally {
      port = saved;
      await new Promise((resolve) => relativeServer.close(resolve));
    }
  });
});
