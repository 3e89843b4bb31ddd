/**
 * Cross-tab sign-in/sign-out news over BroadcastChannel('bff-auth'). Messages carry no claims,
 * only "something changed, re-read /auth/session", so a hostile same-origin frame learns nothing.
 */
export type AuthEvent = { type: 'signed-in' } | { type: 'signed-out' };

const CHANNEL_NAME = 'bff-auth';

// One channel per tab for listening *and* posting: a BroadcastChannel never receives its own
// messages, so the tab does not react to its own news.
let channel: BroadcastChannel | undefined;
const listeners = new Set<(event: AuthEvent) => void>();

export function postAuthEvent(event: AuthEvent): void {
  if (typeof BroadcastChannel === 'undefined') return;
  if (channel) {
    channel.postMessage(event);
    return;
  }
  const once = new BroadcastChannel(CHANNEL_NAME);
  once.postMessage(event);
  once.close();
}

export function subscribeAuthEvents(listener: (event: AuthEvent) => void): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => {};
  if (!channel) {
    channel = new BroadcastChannel(CHANNEL_NAME);
    channel.onmessage = (message: MessageEvent<unknown>) => {
      if (!isAuthEvent(message.data)) return;
      for (const l of listeners) l(message.data);
    };
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    // Closing the last one lets the page (or a test worker) shut down cleanly.
    if (listeners.size === 0 && channel) {
      channel.close();
      channel = undefined;
    }
  };
}

function isAuthEvent(data: unknown): data is AuthEvent {
  // Any primitive has no `type`; only null and undefined need the `?.`.
  const type = (data as { type?: unknown } | null | undefined)?.type;
  return type === 'signed-in' || type === 'signed-out';
}
