import type { Duplex } from 'node:stream';
import { advance, atBoundary, closeFrame, newCursor, POLICY_VIOLATION } from './ws-frames.ts';

export interface Link {
  /** Ends the WebSocket with a close frame (default 1008 "session ended") between two frames. */
  close(code?: number, reason?: string): void;
}

/** How long a socket being closed may take to finish the frame it is in, and the browser to answer the close. */
const CLOSE_GRACE_MS = 2_000;

/**
 * Joins the browser's socket and the upstream's after both handshakes: bytes pass both ways as
 * they are (no decoding, no re-framing: extensions and subprotocols stay between the two ends).
 * The upstream-to-browser direction is followed frame by frame, only so that `close()` can put
 * its close frame between two frames. Returns `close`; `onClosed` runs once when either side
 * has gone.
 */
export function splice(client: Duplex, upstream: Duplex, onClosed: () => void): Link {
  const cursor = newCursor();
  let closing = false;
  let closed = false;
  let grace: NodeJS.Timeout | undefined;
  let closeWith = { code: POLICY_VIOLATION, reason: 'session ended' };

  function finish(): void {
    if (closed) return;
    closed = true;
    clearTimeout(grace);
    upstream.destroy();
    client.destroy();
    onClosed();
  }

  function sendClose(): void {
    upstream.off('data', onUpstreamData);
    // The upstream is not told with a frame of ours: a masked frame would have to wait for the
    // browser's frame in flight. It sees the connection end.
    upstream.destroy();
    client.end(closeFrame(closeWith.code, closeWith.reason));
  }

  function onUpstreamData(chunk: Buffer): void {
    if (closing) {
      // Forward the rest of the frame in flight, then close.
      const n = advance(cursor, chunk, true);
      client.write(n === chunk.length ? chunk : chunk.subarray(0, n));
      if (atBoundary(cursor)) sendClose();
      return;
    }
    advance(cursor, chunk);
    if (!client.write(chunk)) upstream.pause();
  }

  upstream.on('data', onUpstreamData);
  client.on('drain', () => upstream.resume());
  client.pipe(upstream);
  client.on('error', finish);
  upstream.on('error', finish);
  client.on('close', finish);
  upstream.on('close', () => {
    // The upstream ended: let what is queued for the browser go out first.
    if (!closing) client.end();
  });

  return {
    close(code = POLICY_VIOLATION, reason = 'session ended'): void {
      if (closing || closed) return;
      closing = true;
      closeWith = { code, reason };
      client.unpipe(upstream);
      client.resume(); // the browser's close answer and anything after it are read and dropped
      client.on('data', () => undefined);
      upstream.resume();
      grace = setTimeout(finish, CLOSE_GRACE_MS);
      grace.unref();
      if (atBoundary(cursor)) sendClose();
    },
  };
}
