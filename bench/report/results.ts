import type { StartupFigures } from '../measure/startup.ts';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import type { PageFigures } from '../measure/page.ts';
import type { Latency } from '../measure/stats.ts';

export const RESULTS_DIR = new URL('../results/', import.meta.url);

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  loadAtStart: number;
}

const LOAD_AT_START = os.loadavg()[0]!;

export function machine(): Machine {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAtStart: Math.round(LOAD_AT_START * 100) / 100,
  };
}

export interface TargetFigures {
  /** req/s of each round, in round order. */
  rpsRounds: number[];
  /** Median of the rounds. */
  rps: number;
  /** CPU time of the process in front (relay, or the upstream for direct) per request, median of the rounds. */
  cpuUsPerRequest: number;
  /** ms; each percentile is the median over rounds of that round's percentile (max: the largest). */
  latency: Latency;
  requests: number;
  errors: number;
  non2xx: number;
}

export interface FixedRateFigures {
  rate: number;
  achievedRate: number;
  latency: Latency;
  errors: number;
  non2xx: number;
  shed: number;
  /** p99 of the generator's own lag behind the schedule, ms (small = the rate really was fixed). */
  lagP99: number;
}

export interface SuiteResult {
  kind: 'suite';
  date: string;
  command: string;
  machine: Machine;
  settings: { durationS: number; rounds: number; connections: number; warmupS: number };
  targets: Record<'direct' | 'floor' | 'undici' | 'bff' | 'bff50' | 'peer', TargetFigures> & { nginx?: TargetFigures };
  /** The faster of the two thin Node relays in this run (node:http `floor` or `undici`): what the BFF is held to. */
  bestThin?: 'floor' | 'undici';
  /** `manyRoutes*`: the BFF with 50 routes in its table over the BFF with the one `/api` route. */
  ratios: {
    bffFloorRps: number;
    bffFloorP99: number;
    bffPeerRps: number;
    peerBffP99: number;
    bffFloorCpu: number;
    manyRoutesRps: number;
    manyRoutesP99: number;
    /** Over the best thin Node relay (see bestThin). */
    bffBestThinRps?: number;
    bffBestThinP99?: number;
    /** Over nginx (absent without nginx). */
    bffNginxRps?: number;
    bffNginxP99?: number;
  };
  goals: { throughputVsFloor: boolean; p99VsFloor: boolean; vsPeer: boolean; throughputVsBestThin?: boolean; p99VsBestThin?: boolean };
  /** A WebSocket echo, one message at a time: median round trip through the BFF and direct, ms. */
  webSocket?: { messages: number; bffMedianMs: number; directMedianMs: number; addedMedianMs: number };
  bffRssMiB: { before: number; after: number };
  fixedRate: { floor: FixedRateFigures; bff: FixedRateFigures };
  burst: { size: number; fresh: BurstFigures; stale: BurstFigures };
  signInMs: { runs: number[]; median: number };
  coldStartMs: { runs: number[]; median: number };
  /** The standalone server from spawn to /readyz 200, and idle RSS: compiled (`dist`) and under tsx. */
  startup?: { dist: StartupFigures; tsx: StartupFigures };
  /** How the SPA loads in throttled Chromium (absent with --skip-page). */
  page?: PageFigures;
  /** The relay with and without REDIS_URL, and stale bursts over three instances (issue 15). */
  instances?: InstancesFigures;
}

export interface InstancesFigures {
  /** Set when measured alone (`--instances`); inside a suite run the suite's own apply. */
  alone?: { date: string; command: string; loadAtStart: number };
  plain: { rps: number; rpsRounds: number[]; cpuUsPerRequest: number; p99: number; errors: number };
  redis: { rps: number; rpsRounds: number[]; cpuUsPerRequest: number; p99: number; errors: number };
  redisVsPlainRps: number;
  /** CPU per relayed request, with over without: the figure least moved by other work on the machine. */
  redisVsPlainCpu: number;
  burst: { size: number; instances: number; refreshes: number[]; runsMs: number[]; medianMs: number; allOk: boolean };
}

export interface BurstFigures {
  runsMs: number[];
  medianMs: number;
  refreshes: number[];
  allOk: boolean;
}

export interface SoakResult {
  kind: 'soak';
  date: string;
  command: string;
  machine: Machine;
  durationS: number;
  rate: number;
  refreshEveryS: number;
  /** [seconds since start, RSS MiB] every 5 s. */
  rss: [number, number][];
  warmupS: number;
  rssGrowthPct: number;
  requests: number;
  errors: number;
  non2xx: number;
  shed: number;
  refreshes: number;
  latency: Latency;
  /** The same load on a BFF whose token never goes stale. */
  baseline?: { latency: Latency; errors: number; non2xx: number };
}

export const NOISY_SPREAD = 0.25;

/** The largest spread between a path's rounds (max / min req/s − 1): above ~25 %, something else ran. */
export function roundSpread(r: SuiteResult): number {
  return Math.max(...Object.values(r.targets).map((t) => Math.max(...t.rpsRounds) / Math.min(...t.rpsRounds) - 1));
}

export const mib = (bytes: number) => bytes / 2 ** 20;

export async function writeResult(name: string, result: SuiteResult | SoakResult | InstancesFigures): Promise<URL> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = new URL(name, RESULTS_DIR);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

export async function readResult<T>(name: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(new URL(name, RESULTS_DIR), 'utf8')) as T;
  } catch {
    return undefined;
  }
}
