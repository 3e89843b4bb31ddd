import { describe, expect, it } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { advance, atBoundary, closeFrame, newCursor } from '../../bff/relay/ws-frames.ts';
import { splice } from '../../bff/relay/ws-splice.ts';
import { createLiveSockets } from '../../bff/relay/live-sockets.ts';

/** An unmasked frame (opcode 2, binary) carrying `payload`, with the shortest length encoding. */
function frame(payload: Buffer, mask?: Buffer): Buffer {
  const n = payload.length;
  const len = n < 126 ? Buffer.from([n]) : n < 65536 ? Buffer.from([126, n >> 8, n & 0xff]) : Buffer.concat([Buffer.from([127]), Buffer.from(Array.from({ length: 8 }, (_, i) => Math.floor(n / 2 ** (8 * (7 - i))) & 0xff))]);
  if (mask) len[0]! |= 0x80;
  return Buffer.concat([Buffer.from([0x82]), len, mask ?? Buffer.alloc(0), payload]);
}

describe('frame boundaries', () => {
  it('follows 7-bit, 16-bit and 64-bit lengths and masked frames, whatever the chunking', () => {
    const frames = [frame(Buffer.alloc(5, 1)), frame(Buffer.alloc(300, 2)), frame(Buffer.alloc(70_000, 3)), frame(Buffer.alloc(10, 4), Buffer.from([1, 2, 3, 4]))];
    const stream = Buffer.concat(frames);
    for (const size of [1, 2, 3, 7, 1000, stream.length]) {
      const c = newCursor();
      const ends: number[] = [];
      for (let at = 0; at < stream.length; at += size) {
        const chunk = stream.subarray(at, at + size);
        // Walk frame by frame to record every boundary.
        let off = 0;
        while (off < chunk.length) {
          off += advance(c, chunk.subarray(off), true);
          if (atBoundary(c)) ends.push(at + off);
        }
      }
      let sum = 0;
      expect(ends).toEqual(frames.map((f) => (sum += f.length)));
    }
  });

  it('writes a close frame with its code and reason', () => {
    expect([...closeFrame(1008, 'bye')]).toEqual([0x88, 5, 0x03, 0xf0, 0x62, 0x79, 0x65]);
  });
});

/** Two connected loopback sockets. */
async function socketPair(): Promise<[net.Socket, net.Socket, () => void]> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const a = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const [b] = await accepted;
  return [a, b, () => server.close()];
}

describe('splice', () => {
  it('closing while the upstream is in the middle of a frame lets that frame finish, then sends 1008', async () => {
    const [browser, clientSide, stopA] = await socketPair();
    const [upstreamSide, api, stopB] = await socketPair();
    const link = splice(clientSide, upstreamSide, () => undefined);
    const big = frame(Buffer.alloc(1000, 7));
    const received: Buffer[] = [];
    browser.on('data', (c: Buffer) => received.push(c));
    api.write(big.subarray(0, 100));
    // Wait until the first part has reached the browser: the relay is mid-frame now.
    while (Buffer.concat(received).length < 100) await once(browser, 'data');
    link.close();
    api.write(big.subarray(100));
    await once(browser, 'end');
    expect(Buffer.concat(received).equals(Buffer.concat([big, closeFrame(1008, 'session ended')]))).toBe(true);
    browser.destroy();
    api.destroy();
    stopA();
    stopB();
  });
});

describe('live sockets', () => {
  it('closes every socket of an ended session, and only those', () => {
    const live = createLiveSockets({ absoluteTimeoutS: 3600, idleTimeoutS: 600, clock: Date.now });
    const nowS = Math.floor(Date.now() / 1000);
    const closed: string[] = [];
    live.add({ sid: 'a', createdAt: nowS, seenAt: nowS }, () => closed.push('a1'));
    live.add({ sid: 'a', createdAt: nowS, seenAt: nowS }, () => closed.push('a2'));
    const goneB = live.add({ sid: 'b', createdAt: nowS, seenAt: nowS }, () => closed.push('b'));
    live.sessionEnded('a');
    expect(closed).toEqual(['a1', 'a2']);
    goneB();
    live.sessionEnded('b');
    expect(closed).toEqual(['a1', 'a2']);
    expect(live.size).toBe(0);
    live.close();
  });
});
