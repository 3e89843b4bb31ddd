import { fileURLToPath } from 'node:url';
import type { BenchArgs } from './args.ts';
import { signIn, type SignedIn } from './client/signin.ts';
import { startStack, FIXED_TOKEN, NGINX_PATH, type AppUnderTest } from './stack.ts';
import { wsEchoAdded } from './measure/ws-echo.ts';
import type { Child } from './proc/child.ts';
import { saturate, type SaturatedRound } from './measure/saturate.ts';
import { paced, type PacedResult } from './measure/paced.ts';
import { burstSeries } from './measure/burst.ts';
import { coldStarts } from './measure/coldstart.ts';
import { measureStartup, type StartupFigures } from './measure/startup.ts';
import { median, medianOfRounds } from './measure/stats.ts';
import { machine, mib, RESULTS_DIR, type FixedRateFigures, type SuiteResult, type TargetFigures } from './report/results.ts';

type Name = 'direct' | 'floor' | 'undici' | 'nginx' | 'bff' | 'bff50' | 'peer';
const ALL: Name[] = ['direct', 'floor', 'undici', 'nginx', 'bff', 'bff50', 'peer'];
/** Routes in the table of the `bff50` instance (issue 12: a large table must cost a request nothing). */
const MANY_ROUTES = '50';
/** Every request of the "stale" instance finds its access token due for refresh. */
const ALWAYS_STALE_SKEW_S = '1000000000';
const BURST_SIZE = 40;
const BURST_REPEATS = 5;
const SIGN_INS = 5;
const COLD_STARTS = 3;
/** Start-ups of the standalone server per way of starting it (issue 13: ≤ 300 ms median, ≤ 70 MiB idle). */
const STARTUPS = 5;
/** The BFF re-seals (Set-Cookie) once a session is 300 s idle-old; a browser would take the new cookie, autocannon does not. */
const RESIGN_AFTER_MS = 200_000;

export const PROFILE_DIR = new URL('profiles/', RESULTS_DIR);

/** The relay suite: saturation rounds (interleaved), fixed-rate latency, refresh bursts, sign-in, cold start. */
export async function runSuite(args: BenchArgs, command: string, progress: (line: string) => void): Promise<SuiteResult> {
  const stack = await startStack({
    bffs: { bff: {}, bff50: { BENCH_ROUTES: MANY_ROUTES }, stale: { TOKEN_REFRESH_SKEW_S: ALWAYS_STALE_SKEW_S }, ws: { BENCH_WS: '1' } },
    peer: true,
    floor: true,
    thin: true,
    accessTokenTtlS: 3600,
    bffNodeArgs: args.profile ? ['--cpu-prof', '--cpu-prof-dir', fileURLToPath(PROFILE_DIR)] : [],
  });
  try {
    const app = (n: string): AppUnderTest => stack.apps.get(n)!;
    const bff = new LiveSession(app('bff'));
    const bff50 = new LiveSession(app('bff50'));
    const peer = new LiveSession(app('peer'));
    await Promise.all([bff.cookie(), bff50.cookie(), peer.cookie()]);
    if (stack.nginx === undefined) progress(`note: no nginx at ${NGINX_PATH} (Debian nginx-light): its column is skipped`);
    const ORDER = ALL.filter((n) => n !== 'nginx' || stack.nginx !== undefined);
    const urls: Record<Name, string> = {
      direct: `${stack.upstream.ready.url}/items`,
      floor: `${stack.floor!.ready.url}/items`,
      undici: `${stack.undici!.ready.url}/items`,
      nginx: `${stack.nginx?.ready.url}/items`,
      bff: `${app('bff').url}/api/items`,
      bff50: `${app('bff50').url}/api/items`,
      peer: `${app('peer').url}/api/items`,
    };
    // The floor gets the BFF's request byte for byte; direct gets what the relays send upstream.
    const headers = async (n: Name): Promise<Record<string, string>> => {
      if (n === 'direct') return { authorization: `Bearer ${FIXED_TOKEN}` };
      if (n === 'peer') return { cookie: await peer.cookie() };
      if (n === 'bff50') return { cookie: await bff50.cookie(), 'x-csrf': '1' };
      return { cookie: await bff.cookie(), 'x-csrf': '1' };
    };
    for (const n of ORDER) await verify(n, urls[n], await headers(n));

    progress(`saturation: ${args.rounds} rounds × ${args.durationS} s per target, ${args.connections} connections`);
    const rssBefore = await app('bff').child.query<number>('rss');
    // Whose CPU time a path costs: the process in front (for direct, the upstream itself).
    const front: Record<Name, Child<object>> = { direct: stack.upstream, floor: stack.floor!, undici: stack.undici!, nginx: stack.nginx!, bff: app('bff').child, bff50: app('bff50').child, peer: app('peer').child };
    const rounds = Object.fromEntries(ORDER.map((n) => [n, [] as Round[]])) as Record<Name, Round[]>;
    for (let r = 0; r < args.rounds; r += 1) {
      for (const n of ORDER) {
        const target = { name: n, url: urls[n], headers: await headers(n) };
        if (r === 0 && args.warmupS > 0) await saturate(target, args.warmupS, args.connections);
        const cpuBefore = await front[n].query<number>('cpu');
        const round = await saturate(target, args.durationS, args.connections);
        const cpuUsPerRequest = ((await front[n].query<number>('cpu')) - cpuBefore) / round.requests;
        rounds[n].push({ ...round, cpuUsPerRequest });
        progress(`  round ${r + 1} ${n.padEnd(6)} ${Math.round(round.rps)} req/s, ${cpuUsPerRequest.toFixed(0)} µs CPU per request`);
      }
    }
    const rssAfter = await app('bff').child.query<number>('rss');
    const targets = Object.fromEntries(ORDER.map((n) => [n, figures(rounds[n])])) as Record<Exclude<Name, 'nginx'>, TargetFigures> & { nginx?: TargetFigures };

    progress('WebSocket echo: through the BFF and direct, interleaved');
    const wsApp = app('ws');
    const wsSession = new LiveSession(wsApp);
    const webSocket = await wsEchoAdded(
      { url: `${wsApp.url.replace('http:', 'ws:')}/api/ws`, headers: { cookie: await wsSession.cookie(), origin: wsApp.loginUrl.origin } },
      { url: `${stack.upstream.ready.url.replace('http:', 'ws:')}/ws`, headers: { authorization: `Bearer ${FIXED_TOKEN}` } },
      args.rounds,
    );
    progress(`  median round trip ${webSocket.bffMedianMs.toFixed(3)} ms via the BFF, ${webSocket.directMedianMs.toFixed(3)} ms direct: +${webSocket.addedMedianMs.toFixed(3)} ms`);

    const rate = Math.round(targets.floor.rps / 2);
    progress(`fixed rate: ${rate} req/s (half the floor's saturation), floor and bff interleaved, ${args.rounds} × ${args.durationS} s`);
    const fixedRuns: Record<'floor' | 'bff', PacedResult[]> = { floor: [], bff: [] };
    for (let r = 0; r < args.rounds; r += 1) {
      for (const n of ['floor', 'bff'] as const) {
        const h = await headers(n);
        fixedRuns[n].push(await paced({ url: urls[n], headers: () => h }, { rate, durationS: args.durationS, warmupS: 1, connections: args.connections }));
      }
    }
    const fixedRate = { floor: fixedFigures(fixedRuns.floor, rate, args.durationS), bff: fixedFigures(fixedRuns.bff, rate, args.durationS) };

    progress(`bursts of ${BURST_SIZE}: fresh token vs one refresh`);
    const fresh = await burstSeries(app('bff').url, (await bff.signedIn()).jar, tokenCalls(app('bff')), BURST_SIZE, BURST_REPEATS);
    const staleJar = (await signIn(app('stale').loginUrl)).jar;
    const stale = await burstSeries(app('stale').url, staleJar, tokenCalls(app('stale')), BURST_SIZE, BURST_REPEATS);

    progress('sign-in round trips and cold starts');
    const signInRuns: number[] = [];
    for (let i = 0; i < SIGN_INS; i += 1) {
      const start = performance.now();
      const done = await signIn(app('bff').loginUrl);
      signInRuns.push(performance.now() - start);
      if (done.status !== 200 || !done.body.includes('"authenticated":true')) throw new Error(`sign-in ended at ${done.status} ${done.body.slice(0, 100)}`);
    }
    const cold = await coldStarts(stack.bffEnv, COLD_STARTS);
    const startup = await startupCost(stack.bffEnv);

    const { direct: _d, floor, undici, nginx, bff: b, peer: p } = targets;
    const bestThin = undici.rps > floor.rps ? 'undici' : 'floor';
    const best = targets[bestThin];
    const ratios = {
      bffBestThinRps: b.rps / best.rps,
      bffBestThinP99: b.latency.p99 / best.latency.p99,
      ...(nginx ? { bffNginxRps: b.rps / nginx.rps, bffNginxP99: b.latency.p99 / nginx.latency.p99 } : {}),
      bffFloorRps: b.rps / floor.rps,
      bffFloorP99: b.latency.p99 / floor.latency.p99,
      bffPeerRps: b.rps / p.rps,
      bffFloorCpu: b.cpuUsPerRequest / floor.cpuUsPerRequest,
      manyRoutesRps: targets.bff50.rps / b.rps,
      manyRoutesP99: targets.bff50.latency.p99 / b.latency.p99,
      peerBffP99: p.latency.p99 / b.latency.p99,
    };
    return {
      kind: 'suite',
      date: new Date().toISOString(),
      command,
      machine: machine(),
      settings: { durationS: args.durationS, rounds: args.rounds, connections: args.connections, warmupS: args.warmupS },
      targets,
      bestThin,
      ratios,
      goals: {
        throughputVsFloor: ratios.bffFloorRps >= 0.9,
        p99VsFloor: ratios.bffFloorP99 <= 1.2,
        vsPeer: ratios.bffPeerRps >= 4.5,
        throughputVsBestThin: ratios.bffBestThinRps >= 0.9,
        p99VsBestThin: ratios.bffBestThinP99 <= 1.2,
      },
      webSocket,
      bffRssMiB: { before: mib(rssBefore), after: mib(rssAfter) },
      fixedRate,
      burst: { size: BURST_SIZE, fresh, stale },
      signInMs: { runs: signInRuns, median: median(signInRuns) },
      coldStartMs: { runs: cold.runsMs, median: cold.medianMs },
      startup,
    };
  } finally {
    await stack.stop();
  }
}

/** `node dist/bff/main.js` against `tsx bff/main.ts`, interleaved so both meet the same machine. */
async function startupCost(env: (port: number) => Record<string, string>): Promise<{ dist: StartupFigures; tsx: StartupFigures }> {
  const runs = { dist: [] as StartupFigures[], tsx: [] as StartupFigures[] };
  for (let i = 0; i < STARTUPS; i += 1) {
    runs.dist.push(await measureStartup('dist', env, 1));
    runs.tsx.push(await measureStartup('tsx', env, 1));
  }
  const merge = (all: StartupFigures[]): StartupFigures => {
    const readyMs = all.flatMap((f) => f.readyMs);
    const idleRssMiB = all.flatMap((f) => f.idleRssMiB);
    return { readyMs, medianReadyMs: median(readyMs), idleRssMiB, medianIdleRssMiB: median(idleRssMiB) };
  };
  return { dist: merge(runs.dist), tsx: merge(runs.tsx) };
}

/** `npm run bench -- --startup`: only the start-up cost, against a provider that is up. */
export async function runStartupOnly(progress: (line: string) => void): Promise<{ dist: StartupFigures; tsx: StartupFigures }> {
  const stack = await startStack({ bffs: {}, peer: false, floor: false, accessTokenTtlS: 3600, bffNodeArgs: [] });
  try {
    progress(`standalone server start-up, ${STARTUPS} × (dist, tsx)`);
    return await startupCost(stack.bffEnv);
  } finally {
    await stack.stop();
  }
}

/** A signed-in session, signed in again before the BFF would start re-sealing it on every request. */
class LiveSession {
  #current: Promise<SignedIn> | undefined;
  #at = 0;
  constructor(readonly app: AppUnderTest) {}

  signedIn(): Promise<SignedIn> {
    if (!this.#current || performance.now() - this.#at > RESIGN_AFTER_MS) {
      this.#at = performance.now();
      this.#current = signIn(this.app.loginUrl);
    }
    return this.#current;
  }

  async cookie(): Promise<string> {
    return (await this.signedIn()).cookie;
  }
}

/** Every path must answer 200 from the upstream with a bearer token, and the BFF must not re-seal, before anything is measured. */
async function verify(name: Name, url: string, headers: Record<string, string>): Promise<void> {
  const res = await fetch(url, { headers });
  const body = await res.text();
  if (res.status !== 200 || !body.includes('"authorized":true')) throw new Error(`${name}: ${url} answered ${res.status} ${body.slice(0, 200)}`);
  if ((name === 'bff' || name === 'bff50') && res.headers.getSetCookie().length > 0) throw new Error('bff: the steady-state request re-sealed the session');
}

type Round = SaturatedRound & { cpuUsPerRequest: number };

function figures(rounds: Round[]): TargetFigures {
  return {
    rpsRounds: rounds.map((r) => r.rps),
    rps: median(rounds.map((r) => r.rps)),
    cpuUsPerRequest: median(rounds.map((r) => r.cpuUsPerRequest)),
    latency: medianOfRounds(rounds.map((r) => r.samples)),
    requests: rounds.reduce((s, r) => s + r.requests, 0),
    errors: rounds.reduce((s, r) => s + r.errors + r.timeouts, 0),
    non2xx: rounds.reduce((s, r) => s + r.non2xx, 0),
  };
}

function fixedFigures(runs: PacedResult[], rate: number, durationS: number): FixedRateFigures {
  const sum = (f: (r: PacedResult) => number) => runs.reduce((s, r) => s + f(r), 0);
  return {
    rate,
    achievedRate: sum((r) => r.completed) / (durationS * runs.length),
    latency: medianOfRounds(runs.map((r) => r.samples)),
    errors: sum((r) => r.errors),
    non2xx: sum((r) => r.non2xx),
    shed: sum((r) => r.shed),
    lagP99: medianOfRounds(runs.map((r) => r.lag)).p99,
  };
}

function tokenCalls(app: AppUnderTest): () => Promise<number> {
  return () => app.child.query<{ token: number }>('stats').then((s) => s.token);
}
