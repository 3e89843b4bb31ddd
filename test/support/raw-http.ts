import net from 'node:net';

/**
 * HTTP/1.1 over a raw socket, for requests that fetch or node's client would normalise or refuse to
 * send, and for reading exactly what came back (a chunked body's terminator included).
 */

export interface RawResponse {
  status: number;
  /** Lower-cased names; every value kept. */
  headers: Map<string, string[]>;
  body: string;
}

/** Parses every response in `text` (pipelined responses included). Bodies: Content-Length, chunked, or to the end. */
export function parseResponses(text: string): RawResponse[] {
  const out: RawResponse[] = [];
  let at = 0;
  for (let guard = 0; guard < 32 && at < text.length; guard++) {
    const end = text.indexOf('\r\n\r\n', at);
    if (end === -1) break;
    const lines = text.slice(at, end).split('\r\n');
    const status = Number(lines[0]!.split(' ')[1]);
    const headers = new Map<string, string[]>();
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      const name = line.slice(0, i).trim().toLowerCase();
      headers.set(name, [...(headers.get(name) ?? []), line.slice(i + 1).trim()]);
    }
    at = end + 4;
    let body = '';
    const length = headers.get('content-length')?.[0];
    if (headers.get('transfer-encoding')?.[0]?.toLowerCase() === 'chunked') {
      for (let chunks = 0; chunks < 10_000; chunks++) {
        const eol = text.indexOf('\r\n', at);
        if (eol === -1) break;
        const size = parseInt(text.slice(at, eol), 16);
        at = eol + 2;
        if (!(size > 0)) {
          at = text.indexOf('\r\n', at) + 2; // trailers end
          break;
        }
        body += text.slice(at, at + size);
        at += size + 2;
      }
    } else if (length !== undefined) {
      body = text.slice(at, at + Number(length));
      at += Number(length);
    } else if (status >= 200 && status !== 204 && status !== 304) {
      body = text.slice(at);
      at = text.length;
    }
    out.push({ status, headers, body });
  }
  return out;
}

/**
 * Writes `payload` byte for byte to `url`'s host and port and reads until the server closes (or
 * `waitMs` passes: a bound, not an expectation). Send `Connection: close` to make it prompt.
 */
export async function rawExchange(url: string, payload: string | Buffer, waitMs = 5_000): Promise<{ text: string; responses: RawResponse[] }> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => undefined);
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
  clearTimeout(timer);
  socket.destroy();
  const text = Buffer.concat(chunks).toString('latin1');
  return { text, responses: parseResponses(text) };
}

/** One request line + headers (+ body), CRLF-joined, `Connection: close` added. */
export function rawRequest(method: string, target: string, headerLines: string[], body = ''): string {
  return `${method} ${target} HTTP/1.1\r\n${[...headerLines, 'Connection: close'].map((l) => l + '\r\n').join('')}\r\n${body}`;
}

