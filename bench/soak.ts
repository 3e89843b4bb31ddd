import type { BenchArgs } from './args.ts';
import { signIn } from './client/signin.ts';
import { startStack } from './stack.ts';
import { paced } from './measure/paced.ts';
import { summarize } from './measure/stats.ts';
import { machine, mib, type SoakResult } from './report/results.ts';

const ACCESS_TOKEN_TTL_S = 3600;
/** The BFF refreshes once the token is this close to expiry: with this skew, every few seconds. */
const REFRESH_EVERY_S = 5;
const RSS_EVERY_S = 5;

/**
 * The BFF under moderate fixed-rate load for a long time with refreshes happening all along (and
 * the client taking each new cookie, as a browser does): does memory settle, does anything fail?
 * First the same load on a BFF whose token never goes stale (`calm`), for the latency the refreshes
 * are compared with: with refresh ahead, no request should wait for the provider.
 */
export async function runSoak(args: BenchArgs, command: string, progress: (line: string) => void): Promise<SoakResult> {
  const stack = await startStack({
    bffs: { soak: { TOKEN_REFRESH_SKEW_S: String(ACCESS_TOKEN_TTL_S - REFRESH_EVERY_S) }, calm: {} },
    peer: false,
    floor: false,
    accessTokenTtlS: ACCESS_TOKEN_TTL_S,
  });
  try {
    const calmApp = stack.apps.get('calm')!;
    const calmJar = (await signIn(calmApp.loginUrl)).jar;
    const calmUrl = new URL('/api/items', calmApp.url);
    progress(`soak baseline: ${args.soakS} s at ${args.soakRate} req/s, no refresh`);
    const calm = await paced(
      { url: calmUrl.href, headers: () => ({ cookie: calmJar.header(calmUrl), 'x-csrf': '1' }) },
      { rate: args.soakRate, durationS: args.soakS, warmupS: 0, connections: args.connections },
    );
    const app = stack.apps.get('soak')!;
    const { jar } = await signIn(app.loginUrl);
    const url = new URL('/api/items', app.url);
    const tokenCalls = () => app.child.query<{ token: number }>('stats').then((s) => s.token);
    const callsBefore = await tokenCalls();
    const warmupS = Math.min(30, Math.max(RSS_EVERY_S, Math.floor(args.soakS / 10 / RSS_EVERY_S) * RSS_EVERY_S));
    const rss: [number, number][] = [[0, mib(await app.child.query<number>('rss'))]];
    const sampling: Promise<void>[] = [];
    progress(`soak: ${args.soakS} s at ${args.soakRate} req/s, token stale every ${REFRESH_EVERY_S} s, RSS every ${RSS_EVERY_S} s`);
    const run = await paced(
      {
        url: url.href,
        headers: () => ({ cookie: jar.header(url), 'x-csrf': '1' }),
        onResponse: (res) => {
          const lines = res.headers['set-cookie'];
          if (lines) jar.store(url, lines);
        },
      },
      {
        rate: args.soakRate,
        durationS: args.soakS,
        warmupS: 0,
        connections: args.connections,
        onSecond: (s) => {
          if (s % RSS_EVERY_S !== 0) return;
          sampling.push(
            app.child.query<number>('rss').then((b) => {
              rss.push([s, mib(b)]);
              if (s % 60 === 0) progress(`  ${s} s, RSS ${mib(b).toFixed(1)} MiB`);
            }),
          );
        },
      },
    );
    await Promise.all(sampling);
    rss.push([args.soakS, mib(await app.child.query<number>('rss'))]);
    const first = rss.find(([t]) => t >= warmupS)?.[1] ?? NaN;
    const last = rss.at(-1)![1];
    return {
      kind: 'soak',
      date: new Date().toISOString(),
      command,
      machine: machine(),
      durationS: args.soakS,
      rate: args.soakRate,
      refreshEveryS: REFRESH_EVERY_S,
      rss,
      warmupS,
      rssGrowthPct: (last / first - 1) * 100,
      requests: run.completed,
      errors: run.errors,
      non2xx: run.non2xx,
      shed: run.shed,
      refreshes: (await tokenCalls()) - callsBefore,
      latency: summarize(run.samples.values()),
      baseline: { latency: summarize(calm.samples.values()), errors: calm.errors, non2xx: calm.non2xx },
    };
  } finally {
    await stack.stop();
  }
}
