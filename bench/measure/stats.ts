/** Percentile by nearest rank over an ascending array (exact: the bench keeps every sample). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function median(values: readonly number[]): number {
  return percentile(Float64Array.from(values).sort(), 50);
}

export interface Latency {
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/** Latency summary in ms of every sample, in place (sorts `samples`). */
export function summarize(samples: Float64Array): Latency {
  samples.sort();
  return {
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    p999: percentile(samples, 99.9),
    max: samples.length ? samples[samples.length - 1]! : NaN,
  };
}

/**
 * Each percentile as the median over rounds. A single round disturbed by something else on the
 * machine would otherwise own the pooled tail; interleaved rounds plus the median make that visible
 * (per-round figures are kept) without letting it decide the result.
 */
export function medianOfRounds(rounds: Samples[]): Latency {
  const each = rounds.map((r) => summarize(Float64Array.from(r.values())));
  const m = (k: keyof Latency) => median(each.map((l) => l[k]));
  return { p50: m('p50'), p99: m('p99'), p999: m('p999'), max: Math.max(...each.map((l) => l.max)) };
}

/** A growable buffer of latency samples (ms), cheaper than an array of boxed numbers at 10⁵–10⁶ samples. */
export class Samples {
  #buf = new Float64Array(1 << 16);
  #n = 0;

  push(v: number): void {
    if (this.#n === this.#buf.length) {
      const next = new Float64Array(this.#buf.length * 2);
      next.set(this.#buf);
      this.#buf = next;
    }
    this.#buf[this.#n++] = v;
  }

  append(other: Samples): void {
    for (const v of other.values()) this.push(v);
  }

  values(): Float64Array {
    return this.#buf.subarray(0, this.#n);
  }

  get length(): number {
    return this.#n;
  }
}
