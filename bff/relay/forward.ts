import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadPath } from '../errors.ts';
import { createUpstreamAgent, type UpstreamPool } from './agent.ts';
import { Exchange, noop, settle, tag, type Limits } from './exchange.ts';
import { onClientClose, send } from './upstream-events.ts';
import { upstreamRequestHeaders, type RequestHeaderContext } from './headers.ts';
import { assertRelayableMethod, joinUpstreamPath } from './path.ts';

export interface RelayOptions {
  /** Base URL of the downstream API (`API_UPSTREAM_URL`); its path is kept as the base path. */
  upstreamUrl: URL;
  /** How long to wait for the upstream's response headers (`API_UPSTREAM_TIMEOUT_MS`). */
  timeoutMs: number;
  /** The origin users see (`BFF_PUBLIC_URL`): source of X-Forwarded-Proto/Host. */
  publicUrl: URL;
  /** Connection pool to the upstream (undici, see agent.ts); default: a new one. `close()` destroys it. */
  agent?: UpstreamPool;
  /** A body (either way) that moves no byte for this long is cut (`API_BODY_IDLE_TIMEOUT_MS`); default 30 s. */
  bodyIdleTimeoutMs?: number;
  /** An upload not finished after this long is cut, however steadily it trickles (`API_UPLOAD_DEADLINE_MS`); default 10 min. */
  uploadDeadlineMs?: number;
  /** Static headers of the route (a gateway's subscription key): sent on every request, replacing the client's. */
  headers?: Readonly<Record<string, string>>;
  /** Whether `close()` destroys the agent (default true); false when routes share it. */
  ownsAgent?: boolean;
}

export interface Forwarder {
  /**
   * Relays `req` to the upstream (base path + `upstreamPath`, as returned by `toUpstreamPath`)
   * with `Authorization: Bearer accessToken` (none when undefined), streaming both ways with backpressure. Resolves when
   * the response is finished or the client went away (the upstream request is then aborted).
   * Rejects only while nothing has been sent to the client: MethodNotAllowed (TRACE/CONNECT),
   * BadPath (an `upstreamPath` that is not `''`, `/…` or `?…`), UpstreamUnavailable (refused, DNS,
   * reset before the response headers, a 101 to a plain request), UpstreamTimeout (no response
   * headers within `timeoutMs`, counted from the end of the upload; or an upload the upstream
   * stopped reading for `bodyIdleTimeoutMs`), UploadTimeout (the client's upload moved no byte for
   * `bodyIdleTimeoutMs`, or was not done within `uploadDeadlineMs`; the connection is then closed
   * after the answer). The upstream request is aborted in each case. Once the headers are sent, a
   * body that moves no byte for `bodyIdleTimeoutMs` (an upstream gone quiet, or a browser that
   * stopped reading) and an upload past its deadline destroy the response and the upstream
   * request, which gives the pooled socket back. Every answer is marked private (see cache.ts).
   * A value node refuses to send (e.g. a token with a line break) rejects with node's own error.
   */
  forward(req: IncomingMessage, res: ServerResponse, accessToken: string | undefined, upstreamPath: string): Promise<void>;
  /** Destroys the agent (and with it every pooled connection). */
  close(): void;
}

const QUESTION = 0x3f;
const SLASH = 0x2f;

/** What the request header policy needs of a route: the upstream's Host, X-Forwarded-*, static headers. */
export function headerContext(upstreamUrl: URL, publicUrl: URL, headers: Readonly<Record<string, string>> | undefined): RequestHeaderContext {
  const staticEntries = Object.entries(headers ?? {});
  return {
    upstreamHost: upstreamUrl.host,
    forwardedProto: publicUrl.protocol.slice(0, -1),
    forwardedHost: publicUrl.host,
    ...(staticEntries.length > 0
      ? { staticHeaders: staticEntries.flat(), staticNames: new Set(staticEntries.map(([n]) => n.toLowerCase())) }
      : {}),
  };
}

export function createForwarder(opts: RelayOptions): Forwarder {
  const { upstreamUrl, publicUrl } = opts;
  const limits: Limits = { timeoutMs: opts.timeoutMs, bodyIdleTimeoutMs: opts.bodyIdleTimeoutMs ?? 30_000, uploadDeadlineMs: opts.uploadDeadlineMs ?? 600_000 };
  if (upstreamUrl.protocol !== 'http:' && upstreamUrl.protocol !== 'https:') {
    throw new TypeError(`The upstream URL must be http: or https:, not ${upstreamUrl.protocol}`);
  }
  if (upstreamUrl.search !== '' || upstreamUrl.hash !== '' || upstreamUrl.username !== '' || upstreamUrl.password !== '') {
    throw new TypeError('The upstream URL must not carry a query, a fragment or credentials.');
  }
  const agent = opts.agent ?? createUpstreamAgent(upstreamUrl);
  const basePath = upstreamUrl.pathname; // always starts with '/'
  const basePrefix = basePath.endsWith('/') ? basePath.slice(0, -1) : basePath;
  const ctx = headerContext(upstreamUrl, publicUrl, opts.headers);

  function forward(req: IncomingMessage, res: ServerResponse, accessToken: string | undefined, upstreamPath: string): Promise<void> {
    const method = req.method ?? 'GET';
    let x: Exchange;
    try {
      assertRelayableMethod(method);
      const first = upstreamPath.charCodeAt(0);
      if (upstreamPath.length !== 0 && first !== SLASH && first !== QUESTION) throw new BadPath();
      const path = joinUpstreamPath(basePath, upstreamPath, basePrefix);
      if (res.destroyed) return Promise.resolve(); // the browser left while the caller was busy
      const { headers, hasBody } = upstreamRequestHeaders(req.rawHeaders, method, req.socket.remoteAddress, accessToken, ctx);
      x = new Exchange({ pool: agent, method, path, headers }, req, res, hasBody, limits);
    } catch (err) {
      return Promise.reject(err);
    }
    const done = new Promise<void>((resolve, reject) => {
      x.resolve = resolve;
      x.reject = reject;
    });
    tag(res, x);
    res.on('close', onClientClose);
    res.on('error', noop);
    try {
      send(x);
    } catch (err) {
      // node refused the request line or a header value before anything was sent.
      settle(x, err);
    }
    return done;
  }

  return {
    forward,
    close(): void {
      if (opts.ownsAgent !== false) void agent.destroy().catch(noop);
    },
  };
}
