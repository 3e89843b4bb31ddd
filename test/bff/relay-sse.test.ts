import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { useRelayFront } from '../support/relay-front.ts';
import { waitFor } from '../support/wait.ts';

// Server-sent events through the forwarder (CONTRACT.md, "WebSocket and server-sent events"):
// each event reaches the browser as the upstream writes it, the upstream request ends with the
// browser, and silence between events is not an idle body.

const h = useRelayFront();
const upstreamCloses: string[] = [];
afterEach(() => {
  upstreamCloses.length = 0;
});

/** Opens an event stream; `onData` sees each chunk as it arrives. */
function openStream(path: string): Promise<{ req: http.ClientRequest; res: http.IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: h.frontPort, path, agent: false, headers: { accept: 'text/event-stream' } }, (res) => resolve({ req, res }));
    req.on('error', reject);
  });
}

/** Resolves with the text received so far once it contains `needle`. */
function until(res: http.IncomingMessage, needle: string, seen: { text: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (!seen.text.includes(needle)) return;
      res.off('data', onData);
      resolve();
    };
    const onData = (c: Buffer): void => {
      seen.text += c.toString();
      check();
    };
    res.on('data', onData);
    res.once('error', reject);
    check();
  });
}

describe('server-sent events', () => {
  it('delivers each event while the stream is still open (no buffering until the end)', async () => {
    let upstreamRes: http.ServerResponse | undefined;
    h.upstream.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
      res.write('data: first\n\n');
      upstreamRes = res;
    };
    const { res } = await openStream('/api/events');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const seen = { text: '' };
    // The upstream has not ended: the first event must arrive on its own.
    await until(res, 'data: first\n\n', seen);
    expect(upstreamRes!.writableEnded).toBe(false);
    upstreamRes!.write('data: second\n\n');
    await until(res, 'data: second\n\n', seen);
    upstreamRes!.end();
    await once(res, 'end');
    expect(seen.text).toBe('data: first\n\ndata: second\n\n');
  });

  it('opens the stream (status and headers) before the first event', async () => {
    h.upstream.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
    };
    const { req, res } = await openStream('/api/quiet-events');
    expect(res.statusCode).toBe(200);
    req.destroy();
  });

  it('aborts the upstream request when the browser goes away', async () => {
    h.upstream.handle = (req, res) => {
      res.on('close', () => upstreamCloses.push(req.url!));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: hello\n\n');
    };
    const { req, res } = await openStream('/api/events');
    await until(res, 'data: hello', { text: '' });
    req.destroy();
    await waitFor(() => upstreamCloses.includes('/v1/events'));
    await waitFor(() => h.outcomesOf('/api/events').length === 1);
    expect(h.outcomesOf('/api/events')).toEqual(['resolved']);
  });

  it('keeps a stream open through silence longer than the body idle timeout', async () => {
    h.useDefault({ bodyIdleTimeoutMs: 150 });
    h.upstream.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': open\n\n');
      // Four idle timeouts of silence, then the next event.
      setTimeout(() => res.end('data: later\n\n'), 600);
    };
    const { res } = await openStream('/api/events');
    const seen = { text: '' };
    res.on('data', (c: Buffer) => (seen.text += c.toString()));
    const ended = await new Promise<boolean>((resolve) => {
      res.on('end', () => resolve(true));
      res.on('close', () => resolve(res.complete));
    });
    expect(ended).toBe(true);
    expect(seen.text).toBe(': open\n\ndata: later\n\n');
  });

  it('still cuts an event stream whose browser stopped reading, and releases the upstream', async () => {
    h.useDefault({ bodyIdleTimeoutMs: 300 });
    h.upstream.handle = (req, res) => {
      res.on('close', () => upstreamCloses.push(req.url!));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const event = Buffer.from(`data: ${'x'.repeat(64 * 1024)}\n\n`);
      const pump = (): void => {
        while (!res.destroyed) {
          if (!res.write(event)) {
            res.once('drain', pump);
            return;
          }
        }
      };
      pump();
    };
    const socket = net.connect(h.frontPort, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.pause();
    socket.write('GET /api/firehose HTTP/1.1\r\nHost: app.example.com\r\n\r\n');
    await waitFor(() => upstreamCloses.includes('/v1/firehose'), 10_000);
    socket.destroy();
  });
});
