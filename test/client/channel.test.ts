import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuthEvent } from '../../client/bff/channel.ts';
import { postAuthEvent, subscribeAuthEvents } from '../../client/bff/channel.ts';

// Cross-tab news, seen from this tab and from "another tab": a second BroadcastChannel of the same name.

const RealBroadcastChannel = globalThis.BroadcastChannel;
const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  vi.unstubAllGlobals();
});

function listen(): AuthEvent[] {
  const heard: AuthEvent[] = [];
  cleanups.push(subscribeAuthEvents((event) => heard.push(event)));
  return heard;
}

function otherTab() {
  const channel = new RealBroadcastChannel('bff-auth');
  const heard: unknown[] = [];
  channel.onmessage = (event: MessageEvent) => heard.push(event.data);
  cleanups.push(() => channel.close());
  return { heard, post: (message: unknown) => channel.postMessage(message) };
}

/** Messages arrive in order, so once `marker` is heard everything posted before it has been too. */
async function heardUpTo(heard: unknown[], marker: unknown) {
  await vi.waitFor(() => expect(heard).toContainEqual(marker), { timeout: 5_000 });
}

const signedIn = { type: 'signed-in' } as const;
const signedOut = { type: 'signed-out' } as const;

describe('news from another tab', () => {
  it('reaches every listener of this tab, once', async () => {
    const a = listen();
    const b = listen();
    const tab = otherTab();
    tab.post(signedOut);
    tab.post(signedIn);
    await heardUpTo(a, signedIn);
    await heardUpTo(b, signedIn);
    expect(a).toEqual([signedOut, signedIn]);
    expect(b).toEqual([signedOut, signedIn]);
  });

  it('is ignored unless it is an auth event, whatever else arrives', async () => {
    const a = listen();
    const tab = otherTab();
    for (const junk of [null, undefined, 'signed-in', 42, {}, { type: 'signed-in-as-admin' }, [signedIn], '<img src=x onerror=alert(1)>']) tab.post(junk);
    tab.post(signedOut);
    await heardUpTo(a, signedOut);
    expect(a).toEqual([signedOut]);
  });

  it('no longer reaches a listener that unsubscribed; the others keep hearing it', async () => {
    const a: AuthEvent[] = [];
    const unsubscribeA = subscribeAuthEvents((event) => a.push(event));
    const b = listen();
    unsubscribeA();
    unsubscribeA();
    const tab = otherTab();
    tab.post(signedIn);
    await heardUpTo(b, signedIn);
    expect(a).toEqual([]);
  });
});

describe("this tab's news", () => {
  it('reaches the other tabs but not this one', async () => {
    const mine = listen();
    const tab = otherTab();
    postAuthEvent(signedIn);
    await heardUpTo(tab.heard, signedIn);
    tab.post(signedOut);
    await heardUpTo(mine, signedOut);
    expect(mine).toEqual([signedOut]);
    expect(tab.heard).toEqual([signedIn]);
  });

  it('reaches the other tabs when nothing in this tab listens', async () => {
    const tab = otherTab();
    postAuthEvent(signedOut);
    await heardUpTo(tab.heard, signedOut);
    expect(tab.heard).toEqual([signedOut]);
  });
});

describe('resources', () => {
  it('no channel stays open once the last listener leaves, so the page can shut down', async () => {
    const open = new Set<BroadcastChannel>();
    class TrackedChannel extends RealBroadcastChannel {
      constructor(name: string) {
        super(name);
        open.add(this);
      }
      override close() {
        open.delete(this);
        super.close();
      }
    }
    vi.stubGlobal('BroadcastChannel', TrackedChannel);

    const unsubscribeA = subscribeAuthEvents(() => {});
    const b: AuthEvent[] = [];
    const unsubscribeB = subscribeAuthEvents((event) => b.push(event));
    expect(open.size).toBe(1);
    unsubscribeA();
    expect(open.size).toBe(1);
    const tab = otherTab();
    tab.post(signedIn);
    await heardUpTo(b, signedIn);
    unsubscribeB();
    expect(open.size).toBe(0);

    postAuthEvent(signedOut);
    expect(open.size).toBe(0);
    await heardUpTo(tab.heard, signedOut);

    // And listening again afterwards works.
    const c = listen();
    tab.post(signedOut);
    await heardUpTo(c, signedOut);
  });

  it('without BroadcastChannel (an old browser) there is simply no cross-tab news', () => {
    vi.stubGlobal('BroadcastChannel', undefined);
    expect(() => postAuthEvent(signedIn)).not.toThrow();
    const unsubscribe = subscribeAuthEvents(() => {});
    expect(() => unsubscribe()).not.toThrow();
  });
});
