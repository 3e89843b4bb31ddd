/**
 * Just enough of RFC 6455 framing to close a relayed WebSocket cleanly: the relay passes bytes
 * through untouched, and only needs to know where one frame ends (so its own close frame is not
 * spliced into the middle of another) and how to write that close frame.
 */

/** Where a byte stream stands in its sequence of frames. */
export interface FrameCursor {
  /** Header bytes of the current frame received so far (a header is 2 to 14 bytes). */
  header: number[];
  /** Payload bytes of the current frame still to come, once its header is complete. */
  payloadLeft: number;
}

export function newCursor(): FrameCursor {
  return { header: [], payloadLeft: 0 };
}

export function atBoundary(c: FrameCursor): boolean {
  return c.header.length === 0 && c.payloadLeft === 0;
}

/** Total header length once its first two bytes are known. */
function headerLength(b1: number): number {
  const len7 = b1 & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
}

function payloadLength(h: readonly number[]): number {
  const len7 = h[1]! & 0x7f;
  if (len7 < 126) return len7;
  if (len7 === 126) return (h[2]! << 8) | h[3]!;
  // 64-bit length: above 2^53 cannot occur in practice; the high bytes still count.
  let n = 0;
  for (let i = 2; i < 10; i++) n = n * 256 + h[i]!;
  return n;
}

/**
 * Moves the cursor over `chunk` and returns how many of its bytes were consumed: all of them, or
 * with `stopAtBoundary` only up to the first frame end (so that much can still be forwarded).
 */
export function advance(c: FrameCursor, chunk: Uint8Array, stopAtBoundary = false): number {
  let i = 0;
  while (i < chunk.length) {
    if (c.payloadLeft > 0) {
      const take = Math.min(c.payloadLeft, chunk.length - i);
      c.payloadLeft -= take;
      i += take;
    } else {
      c.header.push(chunk[i]!);
      i++;
      const h = c.header;
      if (h.length < 2 || h.length < headerLength(h[1]!)) continue;
      c.payloadLeft = payloadLength(h);
      c.header = [];
    }
    if (stopAtBoundary && atBoundary(c)) return i;
  }
  return i;
}

/** An unmasked (server-to-client) close frame with `code` and a short UTF-8 reason. */
export function closeFrame(code: number, reason: string): Buffer {
  const text = Buffer.from(reason, 'utf8').subarray(0, 123); // control frames carry at most 125 bytes
  const frame = Buffer.alloc(4 + text.length);
  frame[0] = 0x88; // FIN + opcode 8 (close)
  frame[1] = 2 + text.length;
  frame.writeUInt16BE(code, 2);
  text.copy(frame, 4);
  return frame;
}

/** RFC 6455 §7.4.1: the endpoint received a message that violates its policy. */
export const POLICY_VIOLATION = 1008;

/** RFC 6455 §7.4.1: the endpoint is going away (a server shutting down). */
export const GOING_AWAY = 1001;
