import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { UpstreamPoolTimeout, UpstreamTimeout, UpstreamUnavailable } from '../errors.ts';
import { exchangeOf, onUploadDeadline, settle, tag, watchIdle, type Exchange } from './exchange.ts';
import { markPrivate } from './cache.ts';
import { downstreamResponseHeaders } from './headers.ts';
import { stepUpChallengeOf, UpstreamStepUpChallenge } from './step-up-challenge.ts';

/**
 * The life of one relayed exchange after the forwarder built it: sending upstream (with one retry
 * on a dead pooled connection), the answer's headers and body back to the browser, and every
 * failure or departure on either side. Module-level listeners that find their Exchange through
 * `tag` (see exchange.ts), so nothing is allocated per request for them.
 */

/** Idempotent methods retried once when a pooled connection turns out to be dead (ECONNRESET on reuse). */
const RETRYABLE: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

export function send(x: Exchange): void {
  const ureq = x.request(x.options);
  tag(ureq, x);
  x.ureq = ureq;
  x.connected = false;
  ureq.on('socket', onSocket);
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

/** The pool gave the request a connection: from now on a timeout is the upstream's, not the pool's. */
function onSocket(this: ClientRequest): void {
  exchangeOf(this).connected = true;
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
  const stepUp = ures.statusCode === 401 ? stepUpChallengeOf(ures.headers['www-authenticate']) : undefined;
  if (stepUp !== undefined) {
    // RFC 9470: the browser cannot answer a Bearer challenge; the BFF answers step_up_required instead.
    ures.destroy();
    settle(x, new UpstreamStepUpChallenge(stepUp));
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
  x.eventStream = isEventStream(ures.headers['content-type']);
  if (x.eventStream) res.flushHeaders(); // the browser's EventSource opens now, not at the first event
  tag(ures, x);
  ures.on('close', onUpstreamResponseClose);
  watchIdle(x);
  ures.pipe(res);
}

/** `text/event-stream`, with or without parameters, in any case. */
function isEventStream(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase() === 'text/event-stream';
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
  // Reported apart: waiting for a free connection is our pool's limit, not the upstream being slow.
  settle(x, x.connected ? new UpstreamTimeout() : new UpstreamPoolTimeout());
  x.ureq?.destroy();
}

export function onClientClose(this: ServerResponse): void {
  const x = exchangeOf(this);
  if (!this.writableFinished) {
    // The browser went away (or the response was cut): make the upstream see the abort too.
    x.ureq?.destroy();
    x.ures?.destroy();
  }
  settle(x);
}
