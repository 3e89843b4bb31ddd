import http from 'node:http';
import type { CookieJar } from '../../test/support/cookie-jar.ts';
import { median } from './stats.ts';

export interface BurstResult {
  /** Wall time of each burst, first request sent to last response read. */
  runsMs: number[];
  medianMs: number;
  /** Token-endpoint calls the BFF made per burst (from its counting fetch). */
  refreshes: number[];
  allOk: boolean;
}

/**
 * `n` concurrent `/api` requests of one session, `repeats` times, over `n` warm keep-alive
 * connections (so connection set-up is not in the figure). After each burst the cookie is taken
 * from one response (chunks of different responses must not be mixed), as the browser would.
 */
export async function burstSeries(appUrl: string, jar: CookieJar, tokenCalls: () => Promise<number>, n: number, repeats: number): Promise<BurstResult> {
  const url = new URL('/api/items', appUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: n });
  const result: BurstResult = { runsMs: [], medianMs: NaN, refreshes: [], allOk: true };
  try {
    for (let i = -1; i < repeats; i += 1) {
      const before = await tokenCalls();
      const start = performance.now();
      const answers = await Promise.all(Array.from({ length: n }, () => get(agent, url, jar.header(url))));
      const ms = performance.now() - start;
      const after = await tokenCalls();
      const withCookie = answers.findLast((a) => a.setCookie.length > 0);
      if (withCookie) jar.store(url, withCookie.setCookie);
      if (i < 0) continue; // the first burst opens the connections
      result.runsMs.push(ms);
      result.refreshes.push(after - before);
      if (answers.some((a) => a.status !== 200)) result.allOk = false;
    }
  } finally {
    agent.destroy();
  }
  result.medianMs = median(result.runsMs);
  return result;
}

function get(agent: http.Agent, url: URL, cookie: string): Promise<{ status: number; setCookie: string[] }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ agent, hostname: url.hostname, port: url.port, path: url.pathname, headers: { cookie, 'x-csrf': '1' }, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, setCookie: res.headers['set-cookie'] ?? [] }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('burst request timed out')));
    req.on('error', reject);
  });
}
