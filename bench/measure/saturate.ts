import autocannon from 'autocannon';
import { Samples } from './stats.ts';

export interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
}

export interface SaturatedRound {
  rps: number;
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  /** Every response's latency in ms (autocannon's own histogram has 1 ms resolution; p99s here are 1–5 ms). */
  samples: Samples;
}

/** One closed-loop autocannon run: `connections` keep-alive connections, each sending as fast as answers come. */
export async function saturate(target: Target, durationS: number, connections: number): Promise<SaturatedRound> {
  const samples = new Samples();
  const instance = autocannon({ url: target.url, headers: target.headers, connections, duration: durationS, timeout: 10 });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => samples.push(ms));
  const result = await instance;
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]));
  return {
    rps: (result['2xx'] + result.non2xx) / result.duration,
    requests: result['2xx'] + result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
    samples,
  };
}
