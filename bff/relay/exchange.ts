import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PassThrough } from 'node:stream';
import type { Dispatcher } from 'undici';
import { UploadTimeout, UpstreamPoolTimeout, UpstreamTimeout } from '../errors.ts';

/**
 * One relayed exchange's state and clocks: the response-headers timer, the body idle timer (both
 * directions) and the upload deadline. forward.ts builds it, upstream-events.ts drives it (it is
 * also the undici dispatch handler); listeners on the response find it through a symbol, so no
 * closure is allocated per request.
 */

const kExchange = Symbol('relay.exchange');
interface Tagged {
  [kExchange]?: Exchange;
}

/** Makes `emitter`'s listeners find `x` (see exchangeOf). */
export function tag(emitter: object, x: Exchange): void {
  (emitter as Tagged)[kExchange] = x;
}

export interface Target {
  pool: Dispatcher;
  method: string;
  path: string;
  headers: string[];
}

/** Per-request state. */
export class Exchange {
  /** undici's abort of the dispatched request (from onConnect); null while it waits in the pool. */
  abortUpstream: ((err: Error) => void) | null = null;
  /** We gave up on the upstream request (timeout, browser gone): undici's errors are ours then. */
  aborted = false;
  /** undici's resume, for a response paused by backpressure. */
  resume: (() => void) | null = null;
  /** What the upload is piped through (undici destroys its body on failure; the browser's request must survive to get our answer). */
  body: PassThrough | null = null;
  /** The upstream's response headers arrived (and were passed on). */
  responded = false;
  /** The upstream's response body is complete. */
  complete = false;
  /** Response body bytes received from the upstream. */
  received = 0;
  /** Response-headers timer: runs while nothing is being uploaded and no response has come. */
  timer: NodeJS.Timeout | null = null;
  /** Body idle timer: runs while a body moves (upload, or response body). */
  idle: NodeJS.Timeout | null = null;
  /** Upload deadline: runs while the request body is being uploaded. */
  deadline: NodeJS.Timeout | null = null;
  settled = false;
  retried = false;
  uploading = false;
  /** The request has a connection (undici's onConnect): until then it waits in the pool's queue. */
  connected = false;
  /** A `text/event-stream` answer: upstream silence between events is normal (see onIdle). */
  eventStream = false;
  /** Bytes moved (see moved()) when the idle timer was last (re)armed. */
  progress = -1;
  resolve: () => void = noop;
  reject: (err: unknown) => void = noop;
  readonly target: Target;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly hasBody: boolean;
  readonly limits: Limits;

  constructor(target: Target, req: IncomingMessage, res: ServerResponse, hasBody: boolean, limits: Limits) {
    this.target = target;
    this.req = req;
    this.res = res;
    this.hasBody = hasBody;
    this.limits = limits;
  }
}

export function noop(): void {}

export function exchangeOf(emitter: object): Exchange {
  return (emitter as Tagged)[kExchange]!;
}

export interface Limits {
  timeoutMs: number;
  bodyIdleTimeoutMs: number;
  uploadDeadlineMs: number;
}

function stopTimers(x: Exchange): void {
  clearTimeout(x.timer ?? undefined);
  clearTimeout(x.idle ?? undefined);
  clearTimeout(x.deadline ?? undefined);
  x.timer = x.idle = x.deadline = null;
}

export function settle(x: Exchange, err?: unknown): void {
  if (x.settled) return;
  x.settled = true;
  stopTimers(x);
  if (err === undefined) x.resolve();
  else x.reject(err);
}

const ABORTED = new Error('The relay abandoned the upstream request');

/** Ends the upstream request (queued, uploading or answering) and gives its connection back. */
export function abortUpstream(x: Exchange): void {
  if (x.aborted) return;
  x.aborted = true;
  if (x.body !== null) {
    x.req.unpipe(x.body);
    x.body.destroy();
  }
  x.abortUpstream?.(ABORTED); // still queued: onConnect aborts it as soon as it leaves the queue
}

/**
 * Bytes that moved for this exchange: read from the browser while uploading, received from the
 * upstream while its response is incomplete, and taken by the browser's socket (written minus
 * still queued: a browser that stops reading stops this count). Only changes matter.
 */
function moved(x: Exchange): number {
  let n = x.uploading ? x.req.socket.bytesRead : 0;
  if (x.responded) {
    if (!x.complete) n += x.received;
    const client = x.res.socket;
    if (client !== null) n += client.bytesWritten - client.writableLength;
  }
  return n;
}

export function watchIdle(x: Exchange): void {
  x.progress = moved(x);
  if (x.idle === null) x.idle = setTimeout(onIdle, x.limits.bodyIdleTimeoutMs, x);
  else x.idle.refresh();
}

function onIdle(x: Exchange): void {
  if (x.settled) return;
  const now = moved(x);
  if (now !== x.progress) {
    x.progress = now;
    x.idle!.refresh();
    return;
  }
  if (x.eventStream && x.responded && !browserStalled(x.res)) {
    // Server-sent events may be silent for minutes between events; only a browser that stopped
    // reading (its bytes queued, not taken) ends the stream.
    x.idle!.refresh();
    return;
  }
  x.idle = null;
  // A stalled upload is the pool's fault while no connection was free, the upstream's when it
  // stopped reading (the relay's pipe is paused, waiting for it to drain), the browser's otherwise.
  cut(x, !x.connected ? new UpstreamPoolTimeout() : x.req.isPaused() ? new UpstreamTimeout() : new UploadTimeout());
}

function browserStalled(res: ServerResponse): boolean {
  return res.writableNeedDrain || (res.socket !== null && res.socket.writableLength > 0);
}

export function onUploadDeadline(x: Exchange): void {
  x.deadline = null;
  if (!x.settled && x.uploading) cut(x, new UploadTimeout());
}

/** Ends a stalled exchange: an answer while none was sent (the caller writes it), else a cut connection. */
function cut(x: Exchange, err: unknown): void {
  if (!x.responded) {
    // The rest of a refused upload is not worth reading: close the connection after the answer.
    if (err instanceof UploadTimeout) x.res.shouldKeepAlive = false;
    settle(x, err);
    abortUpstream(x);
    return;
  }
  abortUpstream(x);
  x.res.destroy();
}
