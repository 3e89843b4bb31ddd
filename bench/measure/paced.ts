import http from 'node:http';
import { Samples } from './stats.ts';

export interface PacedTarget {
  url: string;
  /** Called per request: the soak updates its cookie as a browser would. */
  headers: () => Record<string, string>;
  onResponse?: (res: http.IncomingMessage) => void;
}

export interface PacedOptions {
  rate: number;
  durationS: number;
  /** Sent at the same rate first, not recorded (connections, JIT). */
  warmupS: number;
  connections: number;
  /** Called every second with the seconds elapsed (the soak samples RSS from here). */
  onSecond?: (s: number) => void;
}

export interface PacedResult {
  planned: number;
  completed: number;
  errors: number;
  non2xx: number;
  /** Requests not sent because too many were already waiting (the target fell far behind). */
  shed: number;
  /** ms from each request's send (on schedule, whether or not earlier ones were answered) to the end of its response. */
  samples: Samples;
  /** ms from each request's due time to its send: the generator's own lag (its timer ticks every ~1 ms). */
  lag: Samples;
}

const MAX_WAITING_PER_CONNECTION = 64;
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * Open-loop load at a fixed rate. autocannon's `overallRate` sends each second's quota back to
 * back at the top of the second, so its latencies are those of a saturated server half of the
 * time; and a closed loop hides stalls (coordinated omission). Here request i is sent at
 * start + i/rate whether or not earlier ones were answered (waiting for a free connection in the
 * agent if need be), so a stall is charged to every request it delays. Latency counts from the
 * send rather than the due time so that the generator's ~1 ms timer tick is not in the figures;
 * that lag is reported on its own, and is the only thing a CO-corrected figure would add.
 */
export async function paced(target: PacedTarget, opts: PacedOptions): Promise<PacedResult> {
  const url = new URL(target.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections, scheduling: 'lifo' });
  const samples = new Samples();
  const lag = new Samples();
  const total = Math.round(opts.rate * (opts.warmupS + opts.durationS));
  const recordFrom = Math.round(opts.rate * opts.warmupS);
  const result = { planned: total - recordFrom, completed: 0, errors: 0, non2xx: 0, shed: 0, samples, lag };
  let sent = 0;
  let waiting = 0;
  let lastSecond = 0;
  let onIdle: (() => void) | undefined;
  let closed = false;
  const start = performance.now();

  function fire(i: number): void {
    const sentAt = performance.now();
    const recorded = i >= recordFrom;
    if (recorded) lag.push(sentAt - (start + (i * 1000) / opts.rate));
    waiting += 1;
    let answered = false;
    const done = (ok: boolean, status = 0) => {
      if (answered || closed) return;
      answered = true;
      waiting -= 1;
      if (recorded) {
        if (!ok) result.errors += 1;
        else {
          result.completed += 1;
          if (status < 200 || status > 299) result.non2xx += 1;
          samples.push(performance.now() - sentAt);
        }
      }
      if (waiting === 0) onIdle?.();
    };
    const req = http.get({ agent, hostname: url.hostname, port: url.port, path: url.pathname + url.search, headers: target.headers() }, (res) => {
      target.onResponse?.(res);
      res.on('error', () => done(false));
      res.on('end', () => done(true, res.statusCode));
      res.resume();
    });
    req.on('error', () => done(false));
  }

  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - start;
      // Requests 0…k are due once elapsed ≥ k/rate: that is floor(elapsed·rate) + 1 of them.
      const due = Math.min(total, Math.floor((elapsed * opts.rate) / 1000) + 1);
      for (; sent < due; sent += 1) {
        if (waiting >= opts.connections * MAX_WAITING_PER_CONNECTION) {
          if (sent >= recordFrom) result.shed += 1;
        } else fire(sent);
      }
      const second = Math.floor(elapsed / 1000);
      if (second > lastSecond) opts.onSecond?.((lastSecond = second));
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  if (waiting > 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, DRAIN_TIMEOUT_MS);
      onIdle = () => (clearTimeout(timer), resolve());
    });
  }
  closed = true;
  result.errors += waiting; // still unanswered after the drain timeout
  agent.destroy();
  return result;
}
