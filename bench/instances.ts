import http from 'node:http';
import type { BenchArgs } from './args.ts';
import { signIn } from './client/signin.ts';
import { startStack, type AppUnderTest } from './stack.ts';
import { saturate, type SaturatedRound } from './measure/saturate.ts';
import { median, medianOfRounds } from './measure/stats.ts';
import type { InstancesFigures } from './report/results.ts';
import { startRedis } from '../test/support/redis.ts';

const ACCESS_TOKEN_TTL_S = 3600;
/** The burst instances refresh a token this long after it was issued: stale a few seconds after sign-in, fresh again after a refresh. */
const FRESH_FOR_S = 3;
const BURST_SIZE = 40;
const BURST_REPEATS = 5;
const INSTANCES = ['i1', 'i2', 'i3'] as const;

/**
 * Issue 15's figures: the relay with `REDIS_URL` set against the same BFF without it (fresh
 * tokens: Redis must not be on the hot path), in interleaved saturation rounds; and bursts of 40
 * requests with a stale token spread round-robin over three instances sharing one Redis (one
 * refresh for the fleet). Own stack and own redis-server, so the main suite's figures are untouched.
 */
export async function measureInstances(args: BenchArgs, progress: (line: string) => void): Promise<InstancesFigures> {
  const redis = await startRedis();
  const shared = { REDIS_URL: redis.url };
  const stale = { ...shared, TOKEN_REFRESH_SKEW_S: String(ACCESS_TOKEN_TTL_S - FRESH_FOR_S) };
  const stack = await startStack({
    bffs: { plain: {}, redis: shared, ...Object.fromEntries(INSTANCES.map((n) => [n, stale])) },
    peer: false,
    floor: false,
    accessTokenTtlS: ACCESS_TOKEN_TTL_S,
  });
  try {
    const app = (n: string): AppUnderTest => stack.apps.get(n)!;
    const cookies = { plain: (await signIn(app('plain').loginUrl)).cookie, redis: (await signIn(app('redis').loginUrl)).cookie };
    type Round = SaturatedRound & { cpuUsPerRequest: number };
    const rounds = { plain: [] as Round[], redis: [] as Round[] };
    progress(`instances: relay with and without REDIS_URL, ${args.rounds} × ${args.durationS} s interleaved`);
    for (let r = 0; r < args.rounds; r += 1) {
      for (const n of ['plain', 'redis'] as const) {
        const target = { name: n, url: `${app(n).url}/api/items`, headers: { cookie: cookies[n], 'x-csrf': '1' } };
        if (r === 0 && args.warmupS > 0) await saturate(target, args.warmupS, args.connections);
        const cpuBefore = await app(n).child.query<number>('cpu');
        const round = await saturate(target, args.durationS, args.connections);
        const cpuUsPerRequest = ((await app(n).child.query<number>('cpu')) - cpuBefore) / round.requests;
        rounds[n].push({ ...round, cpuUsPerRequest });
        progress(`  round ${r + 1} ${n.padEnd(6)} ${Math.round(round.rps)} req/s, ${cpuUsPerRequest.toFixed(0)} µs CPU per request`);
      }
    }
    const summary = (all: Round[]) => ({
      rps: median(all.map((x) => x.rps)),
      cpuUsPerRequest: median(all.map((x) => x.cpuUsPerRequest)),
      rpsRounds: all.map((x) => x.rps),
      p99: medianOfRounds(all.map((x) => x.samples)).p99,
      errors: all.reduce((s, x) => s + x.errors + x.timeouts + x.non2xx, 0),
    });
    const plain = summary(rounds.plain);
    const withRedis = summary(rounds.redis);

    progress(`instances: ${BURST_REPEATS} bursts of ${BURST_SIZE} stale requests over three instances on one Redis`);
    const burst = await staleBursts(INSTANCES.map(app));
    return { plain, redis: withRedis, redisVsPlainRps: withRedis.rps / plain.rps, redisVsPlainCpu: withRedis.cpuUsPerRequest / plain.cpuUsPerRequest, burst: { size: BURST_SIZE, instances: INSTANCES.length, ...burst } };
  } finally {
    await stack.stop();
    await redis.close();
  }
}

async function staleBursts(apps: AppUnderTest[]): Promise<{ refreshes: number[]; runsMs: number[]; medianMs: number; allOk: boolean }> {
  const tokenCalls = async () => (await Promise.all(apps.map((a) => a.child.query<{ token: number }>('stats')))).reduce((s, x) => s + x.token, 0);
  const agent = new http.Agent({ keepAlive: true, maxSockets: BURST_SIZE });
  let cookie = (await signIn(apps[0]!.loginUrl)).cookie;
  const out = { refreshes: [] as number[], runsMs: [] as number[], medianMs: NaN, allOk: true };
  try {
    for (let i = 0; i < BURST_REPEATS; i += 1) {
      // Wait until the token (from sign-in or the last burst's refresh) is due for refresh.
      await new Promise((r) => setTimeout(r, (FRESH_FOR_S + 0.5) * 1000));
      const before = await tokenCalls();
      const start = performance.now();
      const answers = await Promise.all(Array.from({ length: BURST_SIZE }, (_, k) => get(agent, new URL('/api/items', apps[k % apps.length]!.url), cookie)));
      out.runsMs.push(performance.now() - start);
      out.refreshes.push((await tokenCalls()) - before);
      if (answers.some((a) => a.status !== 200)) out.allOk = false;
      const next = answers.find((a) => a.setCookie.length > 0);
      if (next) cookie = next.setCookie.map((line) => line.split(';', 1)[0]).join('; ');
    }
  } finally {
    agent.destroy();
  }
  out.medianMs = median(out.runsMs);
  return out;
}

function get(agent: http.Agent, url: URL, cookie: string): Promise<{ status: number; setCookie: string[] }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ agent, hostname: url.hostname, port: url.port, path: url.pathname, headers: { cookie, 'x-csrf': '1' }, timeout: 30_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, setCookie: res.headers['set-cookie'] ?? [] }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('burst request timed out')));
    req.on('error', reject);
  });
}
