import { once } from 'node:events';
import { WebSocket } from 'ws';
import { median } from './stats.ts';

export interface WsEndpoint {
  url: string;
  headers: Record<string, string>;
}

/** `messages` round trips of a 64-byte message, one at a time; each one's time in ms. */
async function echoRun(to: WsEndpoint, messages: number): Promise<number[]> {
  const ws = new WebSocket(to.url, { headers: to.headers, perMessageDeflate: false });
  await once(ws, 'open');
  const payload = Buffer.alloc(64, 0x61);
  const times: number[] = [];
  for (let i = 0; i < messages; i++) {
    const start = performance.now();
    const echoed = once(ws, 'message');
    ws.send(payload);
    await echoed;
    times.push(performance.now() - start);
  }
  ws.close();
  await once(ws, 'close');
  return times;
}

/**
 * A WebSocket echo through the BFF and straight to the upstream, interleaved round by round so
 * both meet the same machine: the median round trip of each and what the BFF adds (issue 16: ≤ 1 ms).
 */
export async function wsEchoAdded(bff: WsEndpoint, direct: WsEndpoint, rounds: number, perRound = 500): Promise<{ messages: number; bffMedianMs: number; directMedianMs: number; addedMedianMs: number }> {
  const viaBff: number[] = [];
  const straight: number[] = [];
  await echoRun(bff, 50); // warm-up: JIT and connections
  await echoRun(direct, 50);
  for (let r = 0; r < rounds; r++) {
    viaBff.push(...(await echoRun(bff, perRound)));
    straight.push(...(await echoRun(direct, perRound)));
  }
  const bffMedianMs = median(viaBff);
  const directMedianMs = median(straight);
  return { messages: viaBff.length, bffMedianMs, directMedianMs, addedMedianMs: bffMedianMs - directMedianMs };
}
