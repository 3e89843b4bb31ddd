/**
 * The relayed WebSockets that are open, by session, so each one closes (1008) when its session
 * ends: logout (`sessionEnded`, called by the session store's `end`), a back-channel logout or
 * another instance's logout (`sessionEnded`, or `isEnded` polled), and the absolute and idle
 * timeouts (checked on a timer). Frames do not count as activity: the cookie cannot be rewritten
 * over a WebSocket, so the idle clock moves only with the session's HTTP requests (`seen`).
 * @see CONTRACT.md, second part, "WebSocket and server-sent events"
 */

export interface LiveSession {
  readonly sid: string;
  /** Epoch seconds. */
  readonly createdAt: number;
  /** Epoch seconds of the last use the BFF saw. */
  readonly seenAt: number;
}

export interface LiveSocketOptions {
  absoluteTimeoutS: number;
  idleTimeoutS: number;
  /** Epoch milliseconds. */
  clock: () => number;
  /** How often the timeouts (and `isEnded`) are checked; default 1 s. */
  checkEveryMs?: number;
  /** A session ended elsewhere (a denylist shared by instances); polled for each session with a socket. */
  isEnded?: (session: LiveSession) => boolean;
}

interface Entry {
  /** The session as the socket opened (the denylist judges it by its provider sid and user too). */
  session: LiveSession;
  createdAt: number;
  seenAt: number;
  closers: Set<() => void>;
}

export function createLiveSockets(opts: LiveSocketOptions) {
  const bySid = new Map<string, Entry>();
  let timer: NodeJS.Timeout | undefined;

  function endAll(sid: string, entry: Entry): void {
    bySid.delete(sid);
    for (const close of entry.closers) close();
    if (bySid.size === 0) stopTimer();
  }

  function check(): void {
    const nowS = Math.floor(opts.clock() / 1000);
    for (const [sid, e] of bySid) {
      const over = nowS - e.createdAt >= opts.absoluteTimeoutS || nowS - e.seenAt >= opts.idleTimeoutS;
      if (over || opts.isEnded?.(e.session) === true) endAll(sid, e);
    }
  }

  function stopTimer(): void {
    clearInterval(timer);
    timer = undefined;
  }

  return {
    /** Closes at once the sockets whose session the denylist now holds (called when it learns an ending). */
    check,
    /** Registers an open socket; `close` ends it with 1008. Returns the function to call when it closed by itself. */
    add(session: LiveSession, close: () => void): () => void {
      let e = bySid.get(session.sid);
      if (e === undefined) {
        e = { session, createdAt: session.createdAt, seenAt: session.seenAt, closers: new Set() };
        bySid.set(session.sid, e);
      } else {
        e.seenAt = Math.max(e.seenAt, session.seenAt);
      }
      e.closers.add(close);
      if (timer === undefined) {
        timer = setInterval(check, opts.checkEveryMs ?? 1_000);
        timer.unref();
      }
      const entry = e;
      return () => {
        entry.closers.delete(close);
        if (entry.closers.size === 0 && bySid.get(session.sid) === entry) {
          bySid.delete(session.sid);
          if (bySid.size === 0) stopTimer();
        }
      };
    },
    /** The session was used over HTTP: its idle clock moved. One map lookup when it has no socket. */
    seen(session: LiveSession): void {
      const e = bySid.get(session.sid);
      if (e !== undefined && session.seenAt > e.seenAt) e.seenAt = session.seenAt;
    },
    /** The session is over (logout, back-channel logout): close its sockets now. */
    sessionEnded(sid: string): void {
      const e = bySid.get(sid);
      if (e !== undefined) endAll(sid, e);
    },
    get size(): number {
      let n = 0;
      for (const e of bySid.values()) n += e.closers.size;
      return n;
    },
    close(): void {
      for (const [sid, e] of bySid) endAll(sid, e);
      stopTimer();
    },
  };
}

export type LiveSockets = ReturnType<typeof createLiveSockets>;
