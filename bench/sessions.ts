import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import autocannon from 'autocannon';
import { loadConfig } from '../bff/config.ts';
import { createSessionStore } from '../bff/session/store.ts';
import { newSession } from '../bff/session/new-session.ts';
import { startChild } from './proc/child.ts';
import { freePort } from './proc/ports.ts';
import { startStack, waitReady, FIXED_TOKEN } from './stack.ts';

/** Live sessions per run (cookies used round-robin), and how big each session is. */
export const SESSION_COUNTS = [1, 1_000, 50_000] as const;
export const SESSION_SIZES = { small: 1_000, large: 15_000 } as const;

export interface SessionScalingRow {
  sessions: number;
  size: keyof typeof SESSION_SIZES;
  /** Bytes of Cookie header per request. */
  cookieBytes: number;
  rps: number;
  /** Over the one-session run of the same size. */
  vsOne: number;
  rssMiB: number;
  non2xx: number;
  errors: number;
}

/**
 * Sessions minted as the BFF writes them (its own store seals them with the run's secret), so
 * 50,000 of them take seconds instead of 50,000 sign-ins. `size`: the claims are padded so the
 * sealed cookie is about that many bytes (15 KB: split over four cookies, as big tokens are).
 */
async function mintCookies(env: Record<string, string>, count: number, size: number): Promise<string[]> {
  const config = loadConfig(env);
  const nowS = Math.floor(Date.now() / 1000);
  const store = createSessionStore(config, () => nowS);
  const pad = 'g'.repeat(Math.max(0, Math.floor(size * 0.7) - 600));
  const cookies: string[] = [];
  for (let i = 0; i < count; i++) {
    const data = newSession({ iss: env.OIDC_ISSUER!, user: { sub: `user-${i}`, name: `User ${i}`, groups: pad }, at: FIXED_TOKEN, atExp: nowS + 3600, rt: randomBytes(16).toString('hex') }, nowS);
    const lines: string[] = [];
    const res = { getHeader: () => lines, setHeader: (_n: string, v: string[]) => void lines.splice(0, lines.length, ...v) } as unknown as ServerResponse;
    await store.write({ headers: {} } as IncomingMessage, res, data);
    cookies.push(lines.map((l) => l.split(';')[0]).join('; '));
  }
  return cookies;
}

/**
 * A closed-loop run whose requests take the cookies round-robin across all connections (one global
 * counter in autocannon's `setupRequest`), so every session is used, not only each connection's first few.
 */
async function saturateSessions(url: string, cookies: string[], length: { durationS: number } | { amount: number }, connections: number) {
  let next = 0;
  const requests = [{ method: 'GET', path: '/api/items', setupRequest: (req: { headers?: Record<string, string> }) => ({ ...req, headers: { ...req.headers, cookie: cookies[next++ % cookies.length]!, 'x-csrf': '1' } }) }];
  const result = await autocannon({ url, connections, timeout: 10, requests, ...('amount' in length ? { amount: length.amount } : { duration: length.durationS }) });
  return { rps: (result['2xx'] + result.non2xx) / result.duration, non2xx: result.non2xx, errors: result.errors };
}

/**
 * How the relay's cost grows with the number of live sessions and their size: for each, a fresh
 * BFF (empty cache), one pass over every cookie to warm it, then a saturation run. The session
 * cache is bounded by entries and by bytes (`SESSION_CACHE_MB`): past it, requests pay a full unseal.
 */
export async function runSessionScaling(opts: { durationS: number; connections: number }, progress: (line: string) => void): Promise<SessionScalingRow[]> {
  const stack = await startStack({ bffs: {}, peer: false, floor: false, accessTokenTtlS: 3600 });
  const rows: SessionScalingRow[] = [];
  try {
    for (const size of Object.keys(SESSION_SIZES) as (keyof typeof SESSION_SIZES)[]) {
      let one = 0;
      for (const count of SESSION_COUNTS) {
        const port = await freePort();
        const env = stack.bffEnv(port);
        progress(`sessions: minting ${count} ${size} sessions`);
        const cookies = await mintCookies(env, count, SESSION_SIZES[size]);
        const child = await startChild<{ url: string }>(`sessions-${size}-${count}`, 'bff', { env });
        try {
          await waitReady(`${child.ready.url}/readyz`);
          progress(`sessions: ${count} ${size}, warm-up then ${opts.durationS} s`);
          // Warm-up: exactly one request per session, so the measured run starts with every session unsealed once.
          await saturateSessions(child.ready.url, cookies, { amount: Math.max(count, 1000) }, opts.connections);
          const run = await saturateSessions(child.ready.url, cookies, { durationS: opts.durationS }, opts.connections);
          const rss = await child.query<number>('rss');
          if (count === 1) one = run.rps;
          rows.push({ sessions: count, size, cookieBytes: cookies[0]!.length, rps: run.rps, vsOne: run.rps / one, rssMiB: rss / 1048576, non2xx: run.non2xx, errors: run.errors });
        } finally {
          await child.stop();
        }
      }
    }
  } finally {
    await stack.stop();
  }
  return rows;
}

/** The curve as a Markdown table. */
export function sessionScalingTable(rows: SessionScalingRow[]): string {
  const lines = ['| sessions | size (Cookie bytes) | req/s | vs one session | BFF RSS MiB | non-2xx / errors |', '| ---: | --- | ---: | ---: | ---: | ---: |'];
  for (const r of rows) lines.push(`| ${r.sessions.toLocaleString('en-US')} | ${r.size} (${r.cookieBytes.toLocaleString('en-US')}) | ${Math.round(r.rps).toLocaleString('en-US')} | ${r.vsOne.toFixed(2)}× | ${r.rssMiB.toFixed(1)} | ${r.non2xx} / ${r.errors} |`);
  return lines.join('\n');
}
