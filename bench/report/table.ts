import { IDLE_S } from '../measure/startup.ts';
import type { PageFigures } from '../measure/page.ts';
import type { InstancesFigures, SoakResult, SuiteResult } from './results.ts';

// Markdown tables: readable as printed on a terminal, and pasted as is into docs/BENCHMARKS.md.

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0));
const x = (n: number) => `${n.toFixed(2)}×`;
const mark = (ok: boolean) => (ok ? 'met' : '**missed**');

export function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function suiteTables(r: SuiteResult): string {
  const t = r.targets;
  const throughput = table(
    ['path', 'req/s (median)', 'req/s per round', 'p50 ms', 'p99 ms', 'p99.9 ms', 'CPU µs/req', 'errors', 'non-2xx'],
    (['direct', 'floor', 'undici', 'nginx', 'bff', 'bff50', 'peer'] as const).flatMap((n) => {
      const p = t[n];
      // Results from before issue 16 have no undici column; a run without nginx has none either.
      if (p === undefined) return [];
      return [[n, int(p.rps), p.rpsRounds.map(int).join(' / '), ms(p.latency.p50), ms(p.latency.p99), ms(p.latency.p999), int(p.cpuUsPerRequest), p.errors, p.non2xx]];
    }),
  );
  const ratios = table(
    ['ratio', 'value', 'goal', ''],
    [
      ['BFF / floor, throughput', x(r.ratios.bffFloorRps), '≥ 0.90×', mark(r.goals.throughputVsFloor)],
      ['BFF / floor, p99', x(r.ratios.bffFloorP99), '≤ 1.20×', mark(r.goals.p99VsFloor)],
      ['BFF / peer, throughput', x(r.ratios.bffPeerRps), '~5× (met from 4.5×)', mark(r.goals.vsPeer)],
      ['peer / BFF, p99', x(r.ratios.peerBffP99), '', ''],
      ['BFF / floor, CPU per request', x(r.ratios.bffFloorCpu), '', ''],
      ...(r.ratios.bffBestThinRps !== undefined && r.ratios.bffBestThinP99 !== undefined
        ? [
            [`BFF / best thin Node relay (${r.bestThin}), throughput`, x(r.ratios.bffBestThinRps), '≥ 0.90×', mark(r.goals.throughputVsBestThin === true)],
            [`BFF / best thin Node relay (${r.bestThin}), p99`, x(r.ratios.bffBestThinP99), '≤ 1.20×', mark(r.goals.p99VsBestThin === true)],
          ]
        : []),
      ...(r.ratios.bffNginxRps !== undefined && r.ratios.bffNginxP99 !== undefined
        ? [
            ['BFF / nginx, throughput', x(r.ratios.bffNginxRps), '', ''],
            ['BFF / nginx, p99', x(r.ratios.bffNginxP99), '', ''],
          ]
        : []),
      ['BFF with 50 routes / BFF with 1, throughput', x(r.ratios.manyRoutesRps), 'within noise', ''],
      ['BFF with 50 routes / BFF with 1, p99', x(r.ratios.manyRoutesP99), 'within noise', ''],
    ],
  );
  const f = r.fixedRate;
  const b = r.burst;
  const other = table(
    ['measure', 'value'],
    [
      [`fixed rate ${int(f.floor.rate)} req/s, floor: p50 / p99 / p99.9 ms`, `${ms(f.floor.latency.p50)} / ${ms(f.floor.latency.p99)} / ${ms(f.floor.latency.p999)} (errors ${f.floor.errors}, non-2xx ${f.floor.non2xx}, shed ${f.floor.shed}, generator lag p99 ${ms(f.floor.lagP99)})`],
      [`fixed rate ${int(f.bff.rate)} req/s, BFF: p50 / p99 / p99.9 ms`, `${ms(f.bff.latency.p50)} / ${ms(f.bff.latency.p99)} / ${ms(f.bff.latency.p999)} (errors ${f.bff.errors}, non-2xx ${f.bff.non2xx}, shed ${f.bff.shed}, generator lag p99 ${ms(f.bff.lagP99)})`],
      [`burst of ${b.size}, fresh token (median of ${b.fresh.runsMs.length})`, `${ms(b.fresh.medianMs)} ms, provider calls per burst ${b.fresh.refreshes.join(', ')}${b.fresh.allOk ? '' : ', **not all 200**'}`],
      [`burst of ${b.size}, expired token (median of ${b.stale.runsMs.length})`, `${ms(b.stale.medianMs)} ms, refreshes per burst ${b.stale.refreshes.join(', ')}${b.stale.allOk ? '' : ', **not all 200**'}`],
      [`sign-in round trip (median of ${r.signInMs.runs.length})`, `${ms(r.signInMs.median)} ms`],
      [`cold start to /readyz 200 (median of ${r.coldStartMs.runs.length})`, `${ms(r.coldStartMs.median)} ms (${r.coldStartMs.runs.map(ms).join(', ')})`],
      ...(r.startup ? startupRows(r.startup) : []),
      ...(r.webSocket
        ? [[`WebSocket echo, median round trip (${int(r.webSocket.messages)} messages each)`, `${r.webSocket.bffMedianMs.toFixed(3)} ms via the BFF, ${r.webSocket.directMedianMs.toFixed(3)} ms direct: **+${r.webSocket.addedMedianMs.toFixed(3)} ms** (goal ≤ 1 ms, ${mark(r.webSocket.addedMedianMs <= 1)})`]]
        : []),
      ['BFF RSS before → after the saturation rounds', `${r.bffRssMiB.before.toFixed(1)} → ${r.bffRssMiB.after.toFixed(1)} MiB`],
    ],
  );
  return `${throughput}\n\n${ratios}\n\n${other}${r.page ? `\n\n${pageTable(r.page)}` : ''}`;
}

/** Issue 15: the relay with and without Redis, and one refresh for a stale burst over three instances. */
export function instancesTable(i: InstancesFigures): string {
  const b = i.burst;
  return table(
    ['several instances (REDIS_URL)', 'value', 'goal', ''],
    [
      ['relay without REDIS_URL: req/s (per round), p99 ms, CPU µs/req', `${int(i.plain.rps)} (${i.plain.rpsRounds.map(int).join(' / ')}), ${ms(i.plain.p99)}, ${int(i.plain.cpuUsPerRequest)}`, '', ''],
      ['relay with REDIS_URL, fresh token: req/s (per round), p99 ms, CPU µs/req', `${int(i.redis.rps)} (${i.redis.rpsRounds.map(int).join(' / ')}), ${ms(i.redis.p99)}, ${int(i.redis.cpuUsPerRequest)}`, '', ''],
      ['with / without REDIS_URL, throughput', x(i.redisVsPlainRps), '≥ 0.95×', mark(i.redisVsPlainRps >= 0.95)],
      ['with / without REDIS_URL, CPU per request', x(i.redisVsPlainCpu), '', ''],
      [`burst of ${b.size} stale requests over ${b.instances} instances: refreshes per burst`, `${b.refreshes.join(', ')}${b.allOk ? '' : ', **not all 200**'}`, '1', mark(b.allOk && b.refreshes.every((n) => n === 1))],
      [`that burst's wall time (median of ${b.runsMs.length})`, `${ms(b.medianMs)} ms`, '', ''],
    ],
  );
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;

/** The SPA's load in throttled Chromium: paint times, layout shift, bytes on the wire. */
export function pageTable(p: PageFigures): string {
  const t = p.throttling;
  const row = (name: string, l: PageFigures['precompressed']) => [name, ms(l.fcpMs), ms(l.lcpMs), l.cls.toFixed(3), kb(l.transferredBytes), kb(l.jsTransferredBytes)];
  return table(
    [`page load (phone, CPU ${t.cpuSlowdown}×, ${t.rttMs} ms RTT, ${t.downKbps} kbit/s; median of ${p.runs})`, 'FCP ms', 'LCP ms', 'CLS', 'transferred', 'of which JS'],
    [
      row('home, signed out, precompressed', p.precompressed),
      row('home, signed out, uncompressed (Accept-Encoding: identity)', p.uncompressed),
      row('home, signed in', p.signedIn),
    ],
  );
}

export function soakTable(s: SoakResult): string {
  const first = s.rss.find(([t]) => t >= s.warmupS)?.[1] ?? NaN;
  const last = s.rss.at(-1)?.[1] ?? NaN;
  return table(
    ['soak', 'value'],
    [
      ['duration, rate', `${s.durationS} s at ${int(s.rate)} req/s`],
      ['access token stale every', `${s.refreshEveryS} s (${s.refreshes} refreshes)`],
      ['requests, errors, non-2xx, shed', `${int(s.requests)}, ${s.errors}, ${s.non2xx}, ${s.shed}`],
      ['latency p50 / p99 / p99.9 ms', `${ms(s.latency.p50)} / ${ms(s.latency.p99)} / ${ms(s.latency.p999)}`],
      ...(s.baseline
        ? [
            ['same load, no refresh: p50 / p99 / p99.9 ms', `${ms(s.baseline.latency.p50)} / ${ms(s.baseline.latency.p99)} / ${ms(s.baseline.latency.p999)} (errors ${s.baseline.errors}, non-2xx ${s.baseline.non2xx})`],
            ['p99.9 with refreshes / without', `${(s.latency.p999 / s.baseline.latency.p999).toFixed(2)}× (goal ≤ 1.5×: refresh ahead keeps the provider off the request path)`],
          ]
        : []),
      [`RSS at ${s.warmupS} s → end`, `${first.toFixed(1)} → ${last.toFixed(1)} MiB (${s.rssGrowthPct >= 0 ? '+' : ''}${s.rssGrowthPct.toFixed(1)} %, target < 10 %)`],
    ],
  );
}

/** Rows for the standalone server's start-up: compiled against tsx, ready time and idle RSS. */
export function startupRows(s: NonNullable<SuiteResult['startup']>): string[][] {
  const row = (label: string, f: typeof s.dist, goals: string) => [
    `${label}: ready (spawn → /readyz 200) / RSS after ${IDLE_S} s idle, median of ${f.readyMs.length}`,
    `${ms(f.medianReadyMs)} ms / ${f.medianIdleRssMiB.toFixed(1)} MiB${goals} (ready ${f.readyMs.map(ms).join(', ')}; RSS ${f.idleRssMiB.map((v) => v.toFixed(1)).join(', ')})`,
  ];
  // Issue 13's goals for what operators run: ready in ≤ 300 ms, idle in ≤ 70 MiB.
  const distGoals = ` (goals ≤ 300 ms, ${mark(s.dist.medianReadyMs <= 300)}; ≤ 70 MiB, ${mark(s.dist.medianIdleRssMiB <= 70)})`;
  return [
    row('`node dist/bff/main.js`', s.dist, distGoals),
    row('`tsx bff/main.ts`', s.tsx, ''),
    ['compiled / tsx, ready time and RSS', `${(s.dist.medianReadyMs / s.tsx.medianReadyMs).toFixed(2)}× / ${(s.dist.medianIdleRssMiB / s.tsx.medianIdleRssMiB).toFixed(2)}×`],
  ];
}
