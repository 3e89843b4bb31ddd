import type { ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type { Dispatcher } from 'undici';
import { UpstreamPoolTimeout, UpstreamTimeout, UpstreamUnavailable } from '../errors.ts';
import { abortUpstream, exchangeOf, onUploadDeadline, settle, watchIdle, type Exchange } from './exchange.ts';
import { markPrivate } from './cache.ts';
import { downstreamResponseHeaders } from './headers.ts';
import { stepUpChallengeOf, UpstreamStepUpChallenge } from './step-up-challenge.ts';

/**
 * The life of one relayed exchange after the forwarder built it: dispatching it to the upstream's
 * undici pool (with one retry on a dead pooled connection), the answer's headers and body back to
 * the browser, and every failure or departure on either side. The handler undici calls holds
 * nothing but the Exchange; its methods hand it to module-level functions.
 */

/** Idempotent methods retried once when a pooled connection turns out to be dead. */
const RETRYABLE: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

export function send(x: Exchange): void {
  x.connected = false;
  x.abortUpstream = null;
  let body: PassThrough | AsyncIterable<Buffer> | null = null;
  let headers = x.target.headers;
  if (x.hasBody) {
    if (!x.uploading) {
      x.uploading = true;
      x.deadline = setTimeout(onUploadDeadline, x.limits.uploadDeadlineMs, x);
      watchIdle(x);
    }
    const pass = new PassThrough();
    x.body = pass;
    x.req.pipe(pass);
    const chunked = withoutTransferEncoding(headers);
    if (chunked !== headers) {
      // undici chunks a body of unknown length itself and refuses to be told to; given a stream
      // that already ended it would count it and send Content-Length instead: an iterable keeps
      // the length unknown, so a chunked upload goes upstream chunked.
      headers = chunked;
      body = { [Symbol.asyncIterator]: () => pass[Symbol.asyncIterator]() };
    } else {
      body = pass;
    }
  } else {
    x.timer ??= setTimeout(onTimeout, x.limits.timeoutMs, x);
  }
  x.target.pool.dispatch({ method: x.target.method as Dispatcher.HttpMethod, path: x.target.path, headers, body: body as Dispatcher.DispatchOptions['body'] }, new UpstreamHandler(x));
}

function withoutTransferEncoding(headers: string[]): string[] {
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i] === 'transfer-encoding') return [...headers.slice(0, i), ...headers.slice(i + 2)];
  }
  return headers;
}

/**
 * undici's (raw) dispatch handler for one dispatch of `x`: raw header buffers, booleans for
 * backpressure. A class, so each request costs one small object instead of six closures (which
 * esbuild's keepNames would also rename, one call each, per request).
 */
class UpstreamHandler implements Dispatcher.DispatchHandler {
  readonly x: Exchange;
  constructor(x: Exchange) {
    this.x = x;
  }
  onConnect(abort: (err: Error) => void): void {
    onConnect(this.x, abort);
  }
  onHeaders(status: number, raw: Buffer[], resume: () => void): boolean {
    return onUpstreamHeaders(this.x, status, raw, resume);
  }
  onData(chunk: Buffer): boolean {
    return onUpstreamData(this.x, chunk);
  }
  onComplete(): void {
    onUpstreamComplete(this.x);
  }
  onError(err: Error): void {
    onUpstreamError(this.x, err);
  }
  /** Part of undici's raw handler interface, though not of its types. */
  onRequestSent(): void {
    onUploadFinished(this.x);
  }
}

function onConnect(x: Exchange, abort: (err: Error) => void): void {
  x.abortUpstream = abort;
  x.connected = true;
  if (x.aborted) abort(new Error('The relay abandoned the upstream request'));
}

/** The whole body is with the upstream: from now on it has `timeoutMs` to answer. */
function onUploadFinished(x: Exchange): void {
  if (x.settled || !x.hasBody) return;
  x.uploading = false;
  clearTimeout(x.deadline ?? undefined);
  x.deadline = null;
  if (x.responded) return; // answered early: the response's idle timer runs
  clearTimeout(x.idle ?? undefined);
  x.idle = null;
  x.timer = setTimeout(onTimeout, x.limits.timeoutMs, x);
}

function onUpstreamHeaders(x: Exchange, status: number, raw: Buffer[], resume: () => void): boolean {
  if (x.settled || x.aborted) {
    abortUpstream(x);
    return false;
  }
  clearTimeout(x.timer ?? undefined);
  x.timer = null;
  if (status < 200) {
    // A 101 (or another 1xx undici passes on) to a request that asked for no upgrade: not an answer.
    settle(x, new UpstreamUnavailable(new Error(`The upstream answered ${status} to a plain request`)));
    abortUpstream(x);
    return false;
  }
  const rawHeaders = new Array<string>(raw.length);
  let challenge: string | undefined;
  let contentType: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = (rawHeaders[i] = raw[i]!.toString('latin1'));
    const value = (rawHeaders[i + 1] = raw[i + 1]!.toString('latin1'));
    if (name.length === 16 && name.toLowerCase() === 'www-authenticate') challenge = challenge === undefined ? value : `${challenge}, ${value}`;
    else if (name.length === 12 && name.toLowerCase() === 'content-type') contentType ??= value;
  }
  const res = x.res;
  const stepUp = status === 401 ? stepUpChallengeOf(challenge) : undefined;
  if (stepUp !== undefined) {
    // RFC 9470: the browser cannot answer a Bearer challenge; the BFF answers step_up_required instead.
    settle(x, new UpstreamStepUpChallenge(stepUp));
    abortUpstream(x);
    return false;
  }
  try {
    const headers = markPrivate(downstreamResponseHeaders(rawHeaders));
    if (res.getHeaderNames().length === 0) res.writeHead(status, headers);
    else writeHeadMerged(res, status, headers);
  } catch (err) {
    // Nothing was sent (writeHead validates before storing): let the caller answer 502.
    settle(x, new UpstreamUnavailable(err));
    abortUpstream(x);
    return false;
  }
  x.responded = true;
  x.resume = resume;
  x.eventStream = isEventStream(contentType);
  if (x.eventStream) res.flushHeaders(); // the browser's EventSource opens now, not at the first event
  res.on('drain', onClientDrain);
  watchIdle(x);
  return true;
}

function onUpstreamData(x: Exchange, chunk: Buffer): boolean {
  x.received += chunk.length;
  return x.res.write(chunk);
}

function onClientDrain(this: ServerResponse): void {
  exchangeOf(this).resume?.();
}

function onUpstreamComplete(x: Exchange): void {
  x.complete = true;
  if (!x.res.destroyed) x.res.end();
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

function onUpstreamError(x: Exchange, err: Error & { code?: string; socket?: { bytesRead?: number } }): void {
  if (x.aborted) return; // we ended it (timeout, browser gone, refused answer): already handled
  if (x.responded) {
    // The upstream went away mid-body: the status is gone, cutting the connection is the only signal.
    if (!x.complete) x.res.destroy();
    return;
  }
  if (x.settled) return;
  // A pooled connection the upstream had closed: the socket had carried earlier answers.
  const reused = (err.socket?.bytesRead ?? 0) > 0;
  if (reused && !x.retried && !x.hasBody && err.code === 'UND_ERR_SOCKET' && RETRYABLE.has(x.target.method)) {
    x.retried = true;
    // Next tick: the pool's client is done with the dead socket by then and takes the retry on a
    // fresh one, instead of a second client opening another connection.
    setImmediate(retry, x);
    return;
  }
  settle(x, new UpstreamUnavailable(err));
}

function retry(x: Exchange): void {
  if (!x.settled && !x.aborted) send(x);
}

function onTimeout(x: Exchange): void {
  if (x.settled || x.responded) return;
  x.timer = null;
  // Reported apart: waiting for a free connection is our pool's limit, not the upstream being slow.
  settle(x, x.connected ? new UpstreamTimeout() : new UpstreamPoolTimeout());
  abortUpstream(x);
}

export function onClientClose(this: ServerResponse): void {
  const x = exchangeOf(this);
  // The browser went away (or the response was cut): make the upstream see the abort too.
  if (!this.writableFinished) abortUpstream(x);
  settle(x);
}
