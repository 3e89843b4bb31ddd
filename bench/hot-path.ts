/**
 * Micro-benchmark of the per-request CPU work on the /api hot path, step by step, in ns/op.
 * Run: `npx tsx bench/hot-path.ts` (optionally `-- <filter>` to run the cases whose name contains it).
 *
 * Add a step by appending a case to `cases`: a name and a function doing ONE operation on
 * realistic input; return something derived from the result so the work cannot be optimised away.
 */
import { performance } from 'node:perf_hooks';
import { assertRelayableMethod, joinUpstreamPath, toUpstreamPath } from '../bff/relay/path.ts';
import { downstreamResponseHeaders, upstreamRequestHeaders } from '../bff/relay/headers.ts';
import type { IncomingMessage } from 'node:http';
import { assertApiCsrf } from '../bff/http/csrf.ts';
import { parseCookies } from '../bff/session/cookies.ts';
import { SessionCache } from '../bff/session/cache.ts';
import { createSealer } from '../bff/session/seal.ts';

export interface BenchCase {
  name: string;
  /** One operation. The return value is folded into a sink so it stays live. */
  fn: () => unknown;
}

// ---------------------------------------------------------------------------------------------
// Realistic inputs: what Chrome sends for `fetch('/api/…', { headers: { 'X-CSRF': '1' } })` over
// HTTP/1.1 with a session cookie, and what a typical JSON API answers.

const CHROME_REQUEST_RAW_HEADERS = [
  'Host', 'app.example.com',
  'Connection', 'keep-alive',
  'sec-ch-ua-platform', '"Linux"',
  'X-CSRF', '1',
  'sec-ch-ua', '"Chromium";v="131", "Not_A Brand";v="24"',
  'sec-ch-ua-mobile', '?0',
  'User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Accept', 'application/json',
  'Sec-Fetch-Site', 'same-origin',
  'Sec-Fetch-Mode', 'cors',
  'Sec-Fetch-Dest', 'empty',
  'Referer', 'https://app.example.com/orders',
  'Accept-Encoding', 'gzip, deflate, br, zstd',
  'Accept-Language', 'en-GB,en;q=0.9',
  'Cookie', '__Host-session=Fe26.2**0cdd8d3e4b7f1b3f8e2c6b7a9d1e0f2a3b4c5d6e7f8091a2b3c4d5e6f7a8b9c0**' + 'x'.repeat(900),
];

const API_RESPONSE_RAW_HEADERS = [
  'Content-Type', 'application/json; charset=utf-8',
  'Content-Length', '1432',
  'ETag', 'W/"598-Kd2lLZ0gQe9XQfGk"',
  'Cache-Control', 'private, no-cache',
  'Vary', 'Accept-Encoding, Authorization',
  'Date', 'Mon, 23 Nov 2026 10:00:00 GMT',
  'Connection', 'keep-alive',
  'Keep-Alive', 'timeout=5',
  'X-Request-Id', '6f1c2a9e-7d3b-4c55-9a0e-0c8b1f2d3e4a',
];

const SEALER = createSealer(['bench-secret-0123456789-abcdefghijklmnop']);
const SESSION = { v: 1, sid: 'x'.repeat(22), iss: 'https://idp.example.com', user: { sub: 'alice', name: 'Alice', email: 'alice@example.com' }, at: 'a'.repeat(900), atExp: 2e9, rt: 'r'.repeat(64), createdAt: 1, seenAt: 1 };
const SEALED = await SEALER.seal(SESSION, 3600);
const SEALED_KEY = SEALED + 'k'.repeat(5000 - SEALED.length);
const SESSION_CACHE = new SessionCache<object>(10_000);
for (let i = 0; i < 5000; i++) SESSION_CACHE.set(`${i}${SEALED_KEY}`, SESSION);
SESSION_CACHE.set(SEALED_KEY, SESSION);
const COOKIE_HEADER = `_ga=GA1.1.123; theme=dark; bff-session=${SEALED_KEY.slice(0, 3800)}; bff-session.1=${SEALED_KEY.slice(3800)}; lang=en`;
const FAKE_REQ = { headers: { 'x-csrf': '1', origin: 'https://app.example.com', 'sec-fetch-site': 'same-origin' } } as unknown as IncomingMessage;

const CTX = { upstreamHost: 'api.internal:8080', forwardedProto: 'https', forwardedHost: 'app.example.com' };
const TOKEN = 'eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9.' + 'e'.repeat(600) + '.' + 's'.repeat(342);

export const cases: BenchCase[] = [
  { name: 'assertRelayableMethod (GET)', fn: () => assertRelayableMethod('GET') },
  { name: 'toUpstreamPath (/api/users/42/orders?limit=20&cursor=…)', fn: () => toUpstreamPath('/api/users/42/orders?limit=20&cursor=eyJpZCI6MTIzfQ') },
  { name: 'toUpstreamPath (percent-encoded UTF-8 segment)', fn: () => toUpstreamPath('/api/search/caf%C3%A9%20cr%C3%A8me?q=1') },
  { name: 'toUpstreamPath (refused: %2e%2e, throws)', fn: () => { try { return toUpstreamPath('/api/a/%2e%2e/admin'); } catch (err) { return err; } } },
  { name: 'joinUpstreamPath (base /v1)', fn: () => joinUpstreamPath('/v1', '/users/42/orders?limit=20', '/v1') },
  { name: 'request header policy (Chrome fetch, 15 headers)', fn: () => upstreamRequestHeaders(CHROME_REQUEST_RAW_HEADERS, 'GET', '203.0.113.7', TOKEN, CTX) },
  { name: 'response header policy (JSON API, 9 headers)', fn: () => downstreamResponseHeaders(API_RESPONSE_RAW_HEADERS) },
  { name: 'CSRF + origin check', fn: () => assertApiCsrf(FAKE_REQ, 'https://app.example.com') },
  { name: 'parse Cookie header (session cookie of 2 chunks + 3 others)', fn: () => parseCookies(COOKIE_HEADER, (n) => n === 'bff-session' || n.startsWith('bff-session.')) },
  { name: 'session cache hit (5 KB sealed cookie)', fn: () => SESSION_CACHE.get(SEALED_KEY) },
];

/** Steps that are asynchronous by nature (WebCrypto): what the session cache saves on every request. */
export const asyncCases: { name: string; fn: () => Promise<unknown> }[] = [
  { name: 'unseal the session without the cache (iron-session)', fn: () => SEALER.unseal(SEALED, 3600) },
  { name: 'seal a session (after a refresh)', fn: () => SEALER.seal(SESSION, 3600) },
];

// ---------------------------------------------------------------------------------------------

let sink = 0;
function consume(v: unknown): void {
  if (typeof v === 'string') sink += v.length;
  else if (Array.isArray(v)) sink += v.length;
  else if (v !== undefined && v !== null) sink += 1;
}

/** ns per operation over `rounds` timed batches after a warm-up: the median, and the best batch (least disturbed by a busy machine). */
function measure(c: BenchCase, rounds = 15, targetMsPerRound = 40): { median: number; min: number } {
  // warm-up and batch sizing
  let batch = 1_000;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) consume(c.fn());
    const ms = performance.now() - t0;
    if (ms > targetMsPerRound / 2) {
      batch = Math.max(1, Math.round((batch * targetMsPerRound) / ms));
      break;
    }
    batch *= 4;
  }
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) consume(c.fn());
    samples.push(Number(process.hrtime.bigint() - t0) / batch);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)]!, min: samples[0]! };
}

export function runHotPath(selected: BenchCase[] = cases): Array<{ name: string; median: number; min: number }> {
  const results = selected.map((c) => ({ name: c.name, ...measure(c) }));
  const width = Math.max(...results.map((r) => r.name.length));
  console.log(`node ${process.version}, ${process.arch}; ns/op over 15 batches\n`);
  console.log(`${'case'.padEnd(width)}  ${'median'.padStart(9)}  ${'best'.padStart(9)}`);
  for (const r of results) console.log(`${r.name.padEnd(width)}  ${r.median.toFixed(1).padStart(9)}  ${r.min.toFixed(1).padStart(9)}`);
  if (sink === 0.5) console.log(sink); // keep the sink observable
  return results;
}

async function measureAsync(fn: () => Promise<unknown>, n = 2000): Promise<number> {
  for (let i = 0; i < 200; i++) consume(await fn());
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) consume(await fn());
  return Number(process.hrtime.bigint() - t0) / n;
}

export async function runAsyncCases(): Promise<void> {
  for (const c of asyncCases) console.log(`${c.name}: ${(await measureAsync(c.fn)).toFixed(0)} ns/op`);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('hot-path.ts')) {
  const filter = process.argv[2];
  runHotPath(filter ? cases.filter((c) => c.name.includes(filter)) : cases);
  console.log('');
  await runAsyncCases();
}
