import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendProblem } from '../../bff/http/problem.ts';
import { createForwarder } from '../../bff/relay/forward.ts';
import { toUpstreamPath } from '../../bff/relay/path.ts';

/**
 * The forwarder in a child process of its own (started by test/bff/relay-stream.test.ts with
 * `--import tsx --expose-gc`), so that its memory is measured alone. It relays to `UPSTREAM` and
 * answers IPC messages: 'reset' (new baseline), 'report' (peak growth since), 'exit'.
 * Live memory is heapUsed + arrayBuffers right after a forced GC: what is really held, not garbage.
 */

interface Sample {
  live: number;
  rss: number;
}

export type ChildMessage = { port: number } | { ok: true } | Sample;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined || process.send === undefined) throw new Error('run with --expose-gc as a child process with IPC');
const reply = process.send.bind(process);

const forwarder = createForwarder({ upstreamUrl: new URL(process.env.UPSTREAM!), timeoutMs: 10_000, publicUrl: new URL('https://app.example.com') });
const server = http.createServer(async (req, res) => {
  try {
    await forwarder.forward(req, res, 'test-token', toUpstreamPath(req.url!));
  } catch (err) {
    sendProblem(res, err);
  }
});

function measure(): Sample {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return { live: m.heapUsed + m.arrayBuffers, rss: m.rss };
}

let base = measure();
let peak = { ...base };
setInterval(() => {
  const m = measure();
  peak = { live: Math.max(peak.live, m.live), rss: Math.max(peak.rss, m.rss) };
}, 10).unref();

process.on('message', (msg) => {
  if (msg === 'reset') {
    base = measure();
    peak = { ...base };
    reply({ ok: true } satisfies ChildMessage);
  } else if (msg === 'report') {
    reply({ live: peak.live - base.live, rss: peak.rss - base.rss } satisfies ChildMessage);
  } else if (msg === 'exit') {
    forwarder.close();
    process.exit(0);
  }
});

server.listen(0, '127.0.0.1', () => reply({ port: (server.address() as AddressInfo).port } satisfies ChildMessage));
