/**
 * One call per key at a time: callers that arrive while it runs share its promise, and the key is
 * forgotten once it settles (a failure is not cached, so the next caller tries again). The refresh
 * of a session's tokens and the fetch of a client-credentials token both go through here.
 */
export function singleFlight<K, V>(inFlight: Map<K, Promise<V>>, key: K, start: () => Promise<V>): Promise<V> {
  const pending = inFlight.get(key);
  if (pending) return pending;
  const started = start().finally(() => inFlight.delete(key));
  inFlight.set(key, started);
  return started;
}
