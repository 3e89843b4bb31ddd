/**
 * What the BFF must remember beyond the cookie, shared by every instance when there are several:
 * ended sessions, used login transactions, the refresh lock and its successor tokens, back-channel
 * `jti`s, client-credentials tokens. Deliberately small, so Redis (or Valkey) and a bounded map
 * can both implement it. Every entry has a time to live: nothing outlives a session.
 *
 * Keys are the caller's (the Redis store adds its prefix); values are opaque strings. A method
 * rejects with StoreUnavailable when the store cannot be reached; it never hangs waiting for it.
 */
export interface StateStore {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets only when the key is absent (SET NX PX): a lock, or a value that may be used once. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Deletes only when the key still holds `value`: a lock released by its owner alone. */
  deleteIfEquals(key: string, value: string): Promise<boolean>;
  /** Every live entry whose key starts with `prefix` (start-up loading; not for the hot path). */
  entries(prefix: string): Promise<[string, string][]>;
  /** Delivered to every instance's subscribers, this one's included. */
  publish(channel: string, message: string): Promise<void>;
  /** `onMessage` also runs after a reconnection with `undefined`: messages may have been missed, reload. */
  subscribe(channel: string, onMessage: (message: string | undefined) => void): Promise<void>;
  /** Whether the store answers right now (logs and the start-up line; never a health check failure). */
  isAvailable(): boolean;
  close(): Promise<void>;
}

export { StoreUnavailable } from '../errors.ts';
