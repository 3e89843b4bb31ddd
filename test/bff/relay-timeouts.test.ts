import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import { collect, problemCode, useRelayFront, type Reply } from '../support/relay-front.ts';
import { waitFor } from '../support/wait.ts';

// The forwarder's clocks and cuts: response-headers timeout, body idle timeout both ways, upload
// deadline, and the browser going away. Each cut must give the upstream connection back.

const MiB = 1024 * 1024;
const h = useRelayFront();
/** Upstream request targets whose response closed (aborted or done), in order. */
const upstreamCloses: string[] = [];
/** Upstream requests that were still open when the upstream got round to answering (should have been aborted). */
const lateAnswers: string[] = [];
afterEach(() => {
  upstreamCloses.length = 0;
  lateAnswers.length = 0;
});

/** An upstream handler streaming `limit` bytes with backpressure; counts what it managed to write. */
function endless(written: { bytes: number }, limit = 1024 * MiB) {
  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.on('close', () => upstreamCloses.push(req.url!));
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(64 * 1024, 1);
    const pump = (): void => {
      while (!res.destroyed && written.bytes < limit) {
        written.bytes += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
    };
    pump();
  };
}

/** A POST of `contentLength` bytes, of which `write` sends what and when; resolves with the answer. */
function upload(path: string, contentLength: number, write: (req: http.ClientRequest) => void): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: h.frontPort, path, method: 'POST', agent: false, headers: { 'content-length': String(contentLength) } });
    req.on('error', reject);
    req.on('response', (res) => collect(res).then(resolve, reject));
    write(req);
  });
}

describe('response headers timeout', () => {
  it('answers 504 upstream_timeout when the headers come later than timeoutMs, and aborts the upstream request', async () => {
    h.useDefault({ timeoutMs: 200 });
    h.upstream.handle = (req, res) => {
      res.on('close', () => upstreamCloses.push(req.url!));
      setTimeout(() => {
        if (!res.destroyed) lateAnswers.push(req.url!);
        res.end('late');
      }, 1_000);
    };
    const r = await h.send('/api/slow');
    expect(r.status).toBe(504);
    expect(problemCode(r)).toBe('upstream_timeout');
    await waitFor(() => upstreamCloses.includes('/v1/slow')); // the upstream answers at 1 s, unless aborted
    expect(lateAnswers).toEqual([]);
  });

  it('does not cut an upload that keeps making progress, but cuts a stalled one after the body idle timeout (408 upload_timeout)', async () => {
    h.useDefault({ timeoutMs: 300, bodyIdleTimeoutMs: 300 });
    h.upstream.respond = (s, res) => res.end(String(s.body.length));
    // 12 chunks, 60 ms apart: 660 ms of upload with a 300 ms timeout
    const slow = await new Promise<Reply>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: h.frontPort, path: '/api/slow-upload', method: 'POST', agent: false });
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
      });
      let n = 0;
      const tick = (): void => {
        req.write(Buffer.alloc(1000, 1));
        if (++n < 12) setTimeout(tick, 60);
        else req.end();
      };
      tick();
    });
    expect(slow.status).toBe(200);
    expect(slow.body.toString()).toBe('12000');

    h.upstream.handle = (req, res) => {
      req.resume();
      res.on('close', () => upstreamCloses.push(req.url!));
    };
    const stalled = await new Promise<Reply>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: h.frontPort, path: '/api/stalled-upload', method: 'POST', agent: false, headers: { 'content-length': '100000' } });
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
      });
      req.write(Buffer.alloc(1000, 1)); // and never the rest
    });
    expect(stalled.status).toBe(408);
    expect(problemCode(stalled)).toBe('upload_timeout');
    expect(stalled.headers.connection).toBe('close');
    await waitFor(() => upstreamCloses.includes('/v1/stalled-upload'));
  });

  it('gives the upstream timeoutMs from the end of the upload', async () => {
    h.useDefault({ timeoutMs: 200 });
    h.upstream.handle = (req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => res.end('late'), 400));
    };
    const r = await h.send('/api/think', { method: 'POST', body: 'x', headers: { 'content-length': '1' } });
    expect(r.status).toBe(504);
  });
});

describe('body idle timeout and upload deadline', () => {
  it('a download whose reader stops reading is cut after the body idle timeout, and its upstream connection released', async () => {
    h.useDefault({ bodyIdleTimeoutMs: 300 });
    const written = { bytes: 0 };
    h.upstream.handle = endless(written);
    // A browser that sends its request and never reads a byte of the answer.
    const socket = net.connect(h.frontPort, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.pause();
    socket.write('GET /api/big HTTP/1.1\r\nHost: app.example.com\r\n\r\n');
    await waitFor(() => upstreamCloses.includes('/v1/big'), 10_000);
    await waitFor(() => h.outcomesOf('/api/big').length === 1);
    expect(h.outcomesOf('/api/big')).toEqual(['resolved']);
    expect(written.bytes).toBeLessThan(256 * MiB);
    socket.destroy();
  });

  it('a download the upstream keeps sending, however slowly, is not cut by the body idle timeout', async () => {
    h.useDefault({ bodyIdleTimeoutMs: 300 });
    // The upstream trickles 10 chunks 100 ms apart: a second in all, three idle timeouts.
    h.upstream.handle = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      let n = 0;
      const tick = setInterval(() => {
        res.write(`${n},`);
        if (++n === 10) {
          clearInterval(tick);
          res.end();
        }
      }, 100);
    };
    const r = await h.send('/api/slow-download');
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('0,1,2,3,4,5,6,7,8,9,');
  });

  it('an upstream that goes quiet in the middle of a body is cut after the body idle timeout: the browser sees an incomplete response', async () => {
    h.useDefault({ bodyIdleTimeoutMs: 300 });
    h.upstream.handle = (req, res) => {
      res.on('close', () => upstreamCloses.push(req.url!));
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('the first half');
      // and never the rest
    };
    const outcome = await new Promise<string>((resolve) => {
      http.get({ host: '127.0.0.1', port: h.frontPort, path: '/api/quiet', agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve('ended'));
        res.on('close', () => resolve(res.complete ? 'complete' : 'aborted'));
      }).on('error', () => resolve('aborted'));
    });
    expect(outcome).toBe('aborted');
    await waitFor(() => upstreamCloses.includes('/v1/quiet'));
    // Headers were sent: the forward resolves (nothing for the caller to answer), it does not reject.
    await waitFor(() => h.outcomesOf('/api/quiet').length === 1);
    expect(h.outcomesOf('/api/quiet')).toEqual(['resolved']);
  });

  it('an upload that keeps trickling is cut at the upload deadline: 408 upload_timeout, connection closed, upstream request aborted', async () => {
    // Each byte comes well within the idle timeout: only the deadline can end it.
    h.useDefault({ bodyIdleTimeoutMs: 5_000, uploadDeadlineMs: 400 });
    h.upstream.handle = (req) => {
      req.resume();
      req.on('close', () => upstreamCloses.push(req.url!));
    };
    let ticker: NodeJS.Timeout | undefined;
    const r = await upload('/api/trickle', 1_000_000, (req) => {
      ticker = setInterval(() => req.write('x'), 20);
    });
    clearInterval(ticker);
    expect(r.status).toBe(408);
    expect(problemCode(r)).toBe('upload_timeout');
    expect(r.headers.connection).toBe('close');
    await waitFor(() => upstreamCloses.includes('/v1/trickle'));
  });

  it('an upload still trickling after the API already answered is cut at the deadline too: the browser sees an incomplete response', async () => {
    h.useDefault({ bodyIdleTimeoutMs: 5_000, uploadDeadlineMs: 400 });
    h.upstream.handle = (req, res) => {
      req.resume();
      res.on('close', () => upstreamCloses.push(req.url!));
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('early answer, '); // and the rest once the upload is done
      req.on('end', () => res.end('done'));
    };
    let ticker: NodeJS.Timeout | undefined;
    const outcome = await new Promise<string>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: h.frontPort, path: '/api/early', method: 'POST', agent: false, headers: { 'content-length': '1000000' } });
      req.on('error', () => resolve('aborted'));
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve('ended'));
        res.on('close', () => resolve(res.complete ? 'complete' : 'aborted'));
      });
      ticker = setInterval(() => req.write('x'), 20);
    });
    clearInterval(ticker);
    expect(outcome).toBe('aborted');
    await waitFor(() => upstreamCloses.includes('/v1/early'));
    await waitFor(() => h.outcomesOf('/api/early').length === 1);
    expect(h.outcomesOf('/api/early')).toEqual(['resolved']);
  });

  it('an upload that ends after the API already answered keeps the answer going', async () => {
    h.useDefault({ bodyIdleTimeoutMs: 2_000 });
    h.upstream.handle = (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('early, ');
      req.resume();
      req.on('end', () => res.end('late'));
    };
    const r = await upload('/api/early-ok', 6, (req) => {
      req.write('abc');
      setImmediate(() => req.end('def'));
    });
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('early, late');
  });

  it('an upload the upstream stops reading is the upstream\'s fault: 504 upstream_timeout after the body idle timeout', async () => {
    h.useDefault({ bodyIdleTimeoutMs: 300 });
    h.upstream.handle = (req) => {
      req.pause(); // reads nothing: the relay's buffers fill and it waits for a drain that never comes
    };
    const size = 64 * MiB;
    const r = await upload('/api/unread', size, (req) => {
      const chunk = Buffer.alloc(MiB, 1);
      let sent = 0;
      const pump = (): void => {
        while (sent < size && !req.destroyed) {
          sent += chunk.length;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
      };
      req.on('error', () => undefined);
      pump();
    }).catch((err: unknown) => err);
    // The answer may race the client's own writes; when it arrives it is a 504.
    if (!(r instanceof Error)) {
      expect((r as Reply).status).toBe(504);
      expect(problemCode(r as Reply)).toBe('upstream_timeout');
    }
    await waitFor(() => h.outcomesOf('/api/unread').length === 1, 10_000);
    expect((h.outcomesOf('/api/unread')[0] as { code?: string }).code).toBe('upstream_timeout');
  });
});

describe('client abort', () => {
  it('aborts the upstream request when the browser goes away before the response', async () => {
    h.upstream.handle = (req, res) => {
      res.on('close', () => upstreamCloses.push(req.url!));
      // never answers
    };
    const req = http.get({ host: '127.0.0.1', port: h.frontPort, path: '/api/hang', agent: false });
    req.on('error', () => undefined);
    await waitFor(() => h.upstream.arrived === 1);
    req.destroy();
    await waitFor(() => upstreamCloses.includes('/v1/hang'));
    await waitFor(() => h.outcomesOf('/api/hang').length === 1);
    expect(h.outcomesOf('/api/hang')).toEqual(['resolved']);
  });

  it('aborts the upstream response when the browser goes away mid-download', async () => {
    let written = 0;
    h.upstream.handle = (req, res) => {
      res.on('close', () => upstreamCloses.push(req.url!));
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 1);
      const pump = (): void => {
        while (!res.destroyed && written < 1024 * MiB) {
          written += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
      };
      pump();
    };
    await new Promise<void>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: h.frontPort, path: '/api/big', agent: false }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
    });
    await waitFor(() => upstreamCloses.includes('/v1/big'));
    expect(written).toBeLessThan(64 * MiB);
    await waitFor(() => h.outcomesOf('/api/big').length === 1);
    expect(h.outcomesOf('/api/big')).toEqual(['resolved']);
  });

  it('aborts the upstream request when the browser goes away mid-upload', async () => {
    h.upstream.handle = (req, res) => {
      req.on('close', () => upstreamCloses.push(req.url!));
      res.on('close', () => upstreamCloses.push(req.url!));
      req.resume();
    };
    const req = http.request({ host: '127.0.0.1', port: h.frontPort, path: '/api/upload', method: 'POST', agent: false });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(1024, 1));
    await waitFor(() => h.upstream.arrived === 1);
    req.destroy();
    await waitFor(() => upstreamCloses.includes('/v1/upload'));
  });
});

