import http from 'node:http';
import https from 'node:https';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { BadPath, UpstreamTimeout, UpstreamUnavailable } from '../errors.ts';
import { createUpstreamAgent } from './agent.ts';
import { Exchange, exchangeOf, noop, onUploadDeadline, settle, tag, watchIdle, type Limits, type RequestFn } from './exchange.ts';
import { markPrivate } from './cache.ts';
import { downstreamResponseHeaders, upstreamRequestHeaders, type RequestHeaderContext } from './headers.ts';
import { assertRelayableMethod, joinUpstreamPath } from './path.ts';

export interface RelayOptions {
  /** Base URL of the downstream API (`API_UPSTREAM_URL`); its path is kept as the base path. */
  upstreamUrl: URL;
  /** How long to wait for the upstream's response headers (`API_UPSTREAM_TIMEOUT_MS`). */
  timeoutMs: number;
  /** The origin users see (`BFF_PUBLIC_URL`): source of X-Forwarded-Proto/Host. */
  publicUrl: URL;
  /** Connection pool to the upstream; default: a keep-alive agent (see agent.ts). `close()` destroys it. */
  agent?: http.Agent | https.Agent;
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

/** Idempotent methods retried once when a pooled connection turns out to be dead (ECONNRESET on reuse). */
const RETRYABLE: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
const QUESTION = 0x3f;
const SLASH = 0x2f;

function send(x: Exchange): void {
  const ureq = x.request(x.options);
  tag(ureq, x);
  x.ureq = ureq;
  ureq.on('response', onUpstreamResponse);
  ureq.on('error', onUpstreamRequestError);
  ureq.on('close', onUpstreamRequestClose);
  if (x.hasBody) {
    if (!x.uploading) {
      x.uploading = true;
      x.deadline = setTimeout(onUploadDeadline, x.limits.uploadDeadlineMs, x);
      watchIdle(x);
    }
    ureq.on('finish', onUploadFinished);
    x.req.pipe(ureq);
  } else {
    x.timer ??= setTimeout(onTimeout, x.limits.timeoutMs, x);
    ureq.end();
  }
}

/** The whole body is with the upstream: from now on it has `timeoutMs` to answer. */
function onUploadFinished(this: ClientRequest): void {
  const x = exchangeOf(this);
  if (x.settled) return;
  x.uploading = false;
  clearTimeout(x.deadline ?? undefined);
  x.deadline = null;
  if (x.ures !== null) return; // answered early: the response's idle timer runs
  clearTimeout(x.idle ?? undefined);
  x.idle = null;
  x.timer = setTimeout(onTimeout, x.limits.timeoutMs, x);
}

function onUpstreamResponse(this: ClientRequest, ures: IncomingMessage): void {
  const x = exchangeOf(this);
  if (x.settled) {
    ures.destroy();
    return;
  }
  clearTimeout(x.timer ?? undefined);
  x.timer = null;
  const res = x.res;
  if (ures.statusCode! < 200) {
    // A 101 (or other 1xx node passes on) to a request that asked for no upgrade: not an answer.
    ures.destroy();
    settle(x, new UpstreamUnavailable(new Error(`The upstream answered ${ures.statusCode} to a plain request`)));
    x.ureq?.destroy();
    return;
  }
  try {
    const headers = markPrivate(downstreamResponseHeaders(ures.rawHeaders));
    if (res.getHeaderNames().length === 0) res.writeHead(ures.statusCode!, headers);
    else writeHeadMerged(res, ures.statusCode!, headers);
  } catch (err) {
    // Nothing was sent (writeHead validates before storing): let the caller answer 502.
    ures.destroy();
    settle(x, new UpstreamUnavailable(err));
    x.ureq?.destroy();
    return;
  }
  x.ures = ures;
  tag(ures, x);
  ures.on('close', onUpstreamResponseClose);
  watchIdle(x);
  ures.pipe(res);
}

/**
 * The caller already set headers on `res`: node's writeHead would then collapse repeated upstream
 * headers (two `Link`s, two `WWW-Authenticate`s) into the last one, so group them first.
 */
function writeHeadMerged(res: ServerResponse, status: number, headers: string[]): void {
  const grouped = new Map<string, { name: string; values: string[] }>();
  for (let i = 0; i < headers.length; i += 2) {
    const lower = headers[i]!.toLowerCase();
    const entry = grouped.get(lower);
    if (entry === undefined) grouped.set(lower, { name: headers[i]!, values: [headers[i + 1]!] });
    else entry.values.push(headers[i + 1]!);
  }
  for (const { name, values } of grouped.values()) res.setHeader(name, values.length === 1 ? values[0]! : values);
  res.writeHead(status);
}

function onUpstreamResponseClose(this: IncomingMessage): void {
  // The upstream went away mid-body: the status is gone, cutting the connection is the only signal.
  if (!this.complete) exchangeOf(this).res.destroy();
}

function onUpstreamRequestError(this: ClientRequest, err: NodeJS.ErrnoException): void {
  const x = exchangeOf(this);
  // Already answered (client gone, timed out), or the response is streaming: its 'close' decides.
  if (x.settled || x.ures !== null) return;
  if (this.reusedSocket && !x.retried && !x.hasBody && err.code === 'ECONNRESET' && RETRYABLE.has(x.options.method!)) {
    x.retried = true;
    send(x);
    return;
  }
  settle(x, new UpstreamUnavailable(err));
}

/**
 * The request ended without a response and without an error: node destroys the socket of a 101
 * with `Upgrade` when nobody listens for 'upgrade', silently. Without this the browser would wait
 * for the timeout.
 */
function onUpstreamRequestClose(this: ClientRequest): void {
  const x = exchangeOf(this);
  if (x.settled || x.ures !== null || x.ureq !== this) return;
  settle(x, new UpstreamUnavailable(new Error('The upstream closed the connection without an answer')));
}

function onTimeout(x: Exchange): void {
  if (x.settled || x.ures !== null) return;
  x.timer = null;
  settle(x, new UpstreamTimeout());
  x.ureq?.destroy();
}

function onClientClose(this: ServerResponse): void {
  const x = exchangeOf(this);
  if (!this.writableFinished) {
    // The browser went away (or the response was cut): make the upstream see the abort too.
    x.ureq?.destroy();
    x.ures?.destroy();
  }
  settle(x);
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
  const isHttps = upstreamUrl.protocol === 'https:';
  const agent = opts.agent ?? createUpstreamAgent(upstreamUrl);
  const request: RequestFn = isHttps ? https.request : http.request;
  const hostname = upstreamUrl.hostname.startsWith('[') ? upstreamUrl.hostname.slice(1, -1) : upstreamUrl.hostname;
  const port = upstreamUrl.port === '' ? (isHttps ? 443 : 80) : Number(upstreamUrl.port);
  const basePath = upstreamUrl.pathname; // always starts with '/'
  const basePrefix = basePath.endsWith('/') ? basePath.slice(0, -1) : basePath;
  const staticEntries = Object.entries(opts.headers ?? {});
  const ctx: RequestHeaderContext = {
    upstreamHost: upstreamUrl.host,
    forwardedProto: publicUrl.protocol.slice(0, -1),
    forwardedHost: publicUrl.host,
    ...(staticEntries.length > 0
      ? { staticHeaders: staticEntries.flat(), staticNames: new Set(staticEntries.map(([n]) => n.toLowerCase())) }
      : {}),
  };

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
      x = new Exchange(request, { agent, hostname, port, method, path, headers }, req, res, hasBody, limits);
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
      if (opts.ownsAgent !== false) agent.destroy();
    },
  };
}
