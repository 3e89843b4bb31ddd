import { startChild } from '../proc/child.ts';
import { freePort } from '../proc/ports.ts';
import { waitReady } from '../stack.ts';
import { median } from './stats.ts';

export interface ColdStart {
  runsMs: number[];
  medianMs: number;
}

/**
 * A new BFF process, from fork to `/readyz` 200: node + tsx start-up, module loading, listen, and
 * the provider's discovery document. LOG_LEVEL=error: the 503s of the polling are expected here.
 */
export async function coldStarts(env: (port: number) => Record<string, string>, repeats: number): Promise<ColdStart> {
  const runsMs: number[] = [];
  for (let i = 0; i < repeats; i += 1) {
    const port = await freePort();
    const start = performance.now();
    const child = startChild(`cold-${i}`, 'bff', { env: { ...env(port), LOG_LEVEL: 'error' } });
    try {
      await waitReady(`http://127.0.0.1:${port}/readyz`);
      runsMs.push(performance.now() - start);
    } finally {
      await (await child).stop();
    }
  }
  return { runsMs, medianMs: median(runsMs) };
}
