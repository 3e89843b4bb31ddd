// autocannon ships no types and @types/autocannon is not a dependency: the subset the bench uses.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  interface Options {
    url: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    headers?: Record<string, string>;
    /** Stop after this many requests instead of after `duration`. */
    amount?: number;
    /** Cycled through in order, one per request (per connection). */
    requests?: { method?: string; path?: string; headers?: Record<string, string>; body?: string; setupRequest?: (req: { headers?: Record<string, string> }) => object }[];
    method?: string;
    pipelining?: number;
    /** Seconds. */
    timeout?: number;
  }

  interface Result {
    /** Seconds actually run. */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
    statusCodeStats: Record<string, { count: number }>;
    requests: { average: number; total: number; sent: number };
  }

  interface Instance extends EventEmitter, PromiseLike<Result> {
    stop(): void;
  }

  function autocannon(opts: Options): Instance;
  export default autocannon;
}
