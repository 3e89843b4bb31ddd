import { describe, expect, it } from 'vitest';
import net from 'node:net';
import type http from 'node:http';
import { useBffAndUpstream, type Upstream } from '../support/fixture.ts';
import type { TestBff } from '../support/bff.ts';
import type { Browser } from '../support/browser.ts';
import { waitFor } from '../support/wait.ts';
import { apiHeaderLines, signedIn } from './helpers.ts';

// One account must not starve everyone else (issue #10, item 3). Mallory signs in several times
// (sessions are free) and, from each session, opens uploads that trickle a byte now and then and
// downloads whose reader stopped reading: what a slow-loris client does. Alice's calls must still
// be answered at once. Small numbers (a pool of 8 upstream sockets, 4 per user) keep it quick.

const POOL = 8;
const PER_USER = 4;
const SESSIONS = 4;
const PER_SESSION = 3;

let bff: TestBff;
let upstream: Upstream;
useBffAndUpstream(
  {
    env: {
      API_UPSTREAM_MAX_SOCKETS: String(POOL),
      API_MAX_IN_FLIGHT_PER_USER: String(PER_USER),
      // Longer than it takes to open every attack (a bound, never asserted); short enough to see the cuts.
      API_BODY_IDLE_TIMEOUT_MS: '3000',
      API_UPLOAD_DEADLINE_MS: '4000',
    },
  },
  (s) => ({ bff, upstream } = s),
);

/** What happened, in order: `held <path>`, `refused <path>`, `alice <status>`, `cut <path>`. */
const events: string[] = [];

/** An upstream that never finishes what Mallory starts, and answers Alice at once. */
function hostileWorkload(req: http.IncomingMessage, res: http.ServerResponse): void {
  const path = req.url!;
  if (path.startsWith('/alice')) {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    return;
  }
  res.on('close', () => events.push(`cut ${path}`));
  if (path.startsWith('/upload')) {
    events.push(`held ${path}`);
    req.resume(); // reads the trickle, answers once it ends (it never does)
    return;
  }
  // A download far bigger than every socket buffer between here and Mallory, with backpressure.
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  const chunk = Buffer.alloc(64 * 1024, 7);
  let written = 0;
  const pump = (): void => {
    while (!res.destroyed && written < 512 * 1024 * 1024) {
      written += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

/**
 * One of Mallory's requests on a raw socket. An upload sends its headers and then a byte every
 * 200 ms (well within the idle timeout); a download reads the status line and then never reads
 * again. Resolves with the status once known (the upload's, once the upstream holds it, is 0).
 */
function attack(b: Browser, kind: 'upload' | 'download', path: string): { status: Promise<number>; socket: net.Socket } {
  const { port } = new URL(bff.url);
  const socket = net.connect(Number(port), '127.0.0.1');
  socket.on('error', () => undefined);
  const lines = [`${kind === 'upload' ? 'POST' : 'GET'} ${path} HTTP/1.1`, ...apiHeaderLines(b)];
  if (kind === 'upload') lines.push('Content-Type: application/octet-stream', 'Content-Length: 1000000');
  socket.write(lines.join('\r\n') + '\r\n\r\n');
  const status = new Promise<number>((resolve) => {
    socket.once('data', (d: Buffer) => {
      const code = Number(d.toString('latin1').split(' ')[1]);
      if (code === 200) socket.pause(); // the stalled reader
      resolve(code);
    });
    socket.on('close', () => resolve(-1));
  });
  if (kind === 'upload') {
    const trickle = setInterval(() => (socket.destroyed ? clearInterval(trickle) : socket.write('x')), 200);
    // Held by the upstream: no status until the deadline; report it as 0 so the test can go on.
    const held = new Promise<number>((resolve) => {
      const check = setInterval(() => {
        if (events.includes(`held ${path.slice('/api'.length)}`)) {
          clearInterval(check);
          resolve(0);
        }
      }, 5);
      socket.on('close', () => clearInterval(check));
    });
    return { status: Promise.race([status, held]), socket };
  }
  return { status, socket };
}

describe('one account starving everyone', () => {
  it('many sessions of one user trickling uploads and stalling downloads hold at most their share of the upstream, and another user is served while they stall', async () => {
    upstream.handle = hostileWorkload;
    bff.idp.settings.user = { sub: 'mallory', name: 'Mallory' };
    const mallory: Browser[] = [];
    for (let i = 0; i < SESSIONS; i++) mallory.push(await signedIn(bff));
    bff.idp.settings.user = { sub: 'alice', name: 'Alice' };
    const alice = await signedIn(bff);

    const attacks = mallory.flatMap((b, s) =>
      Array.from({ length: PER_SESSION }, (_, i) => {
        const kind = i % 2 === 0 ? 'upload' : 'download';
        return { kind, ...attack(b, kind, `/api/${kind}/${s}-${i}`) };
      }),
    );
    const statuses = await Promise.all(attacks.map((a) => a.status));
    // At most PER_USER reach the upstream (held by it, or streaming to a reader that stopped);
    // every other one is refused at once, whichever session it comes from.
    const held = statuses.filter((s) => s === 0 || s === 200).length;
    expect(held).toBe(PER_USER);
    expect(statuses.filter((s) => s === 429)).toHaveLength(SESSIONS * PER_SESSION - PER_USER);
    expect(upstream.arrived).toBe(PER_USER);

    // Alice, while every one of Mallory's held requests is still stalled.
    for (let i = 0; i < 3; i++) {
      const res = await alice.api(`/api/alice/${i}`);
      events.push(`alice ${res.status}`);
      expect(res.status).toBe(200);
    }
    expect(events.filter((e) => e.startsWith('cut '))).toEqual([]);

    // Then the stalled ones are cut (idle timeout for the downloads, deadline for the uploads) and
    // their upstream connections released: Mallory's slots come back too.
    await waitFor(() => events.filter((e) => e.startsWith('cut ')).length === PER_USER, 20_000);
    const firstCut = events.findIndex((e) => e.startsWith('cut '));
    expect(events.lastIndexOf('alice 200')).toBeLessThan(firstCut);
    for (const a of attacks) a.socket.destroy();
    const again = await mallory[0]!.api('/api/alice/mallory-again');
    expect(again.status).toBe(200);
  });
});
