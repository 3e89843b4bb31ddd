import { TooManyRequests } from '../errors.ts';

/**
 * Relayed requests in flight, counted per session and per user (`iss` + `sub`). Sessions are free
 * to mint (sign in again), so the per-session bound alone does not stop one account from holding
 * every upstream socket; the per-user bound, below the pool's size, always leaves sockets for
 * everyone else.
 */
export function createInFlightLimits(perSession: number, perUser: number) {
  const sessions = new Map<string, number>();
  const users = new Map<string, number>();

  /** Takes a slot for both, or throws TooManyRequests taking none. The returned function gives them back (once). */
  function acquire(sid: string, user: string): () => void {
    const s = sessions.get(sid) ?? 0;
    if (s >= perSession) throw new TooManyRequests();
    const u = users.get(user) ?? 0;
    if (u >= perUser) throw new TooManyRequests('Too many requests in flight for this user.');
    sessions.set(sid, s + 1);
    users.set(user, u + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      release(sessions, sid);
      release(users, user);
    };
  }

  return { acquire, size: () => ({ sessions: sessions.size, users: users.size }) };
}

function release(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left <= 0) counts.delete(key);
  else counts.set(key, left);
}
