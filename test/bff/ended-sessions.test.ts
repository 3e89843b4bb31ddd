import { describe, expect, it } from 'vitest';
import { createEndedSessions } from '../../bff/state/ended.ts';
import { createMemoryStore } from '../../bff/state/memory.ts';
import type { SessionData } from '../../bff/session/data.ts';

const ISS = 'https://idp.example.test';
const ABSOLUTE_S = 3600;

function session(sid: string, createdAt: number, extra: Partial<SessionData> = {}): SessionData {
  return { v: 1, sid, iss: ISS, user: { sub: 'alice' }, at: 'at', atExp: createdAt + 300, createdAt, seenAt: createdAt, ...extra };
}

function setup(t0 = 1_000_000) {
  const clock = { s: t0 };
  const store = createMemoryStore(1 << 20, () => clock.s * 1000);
  const make = () => createEndedSessions(store, { absoluteTimeoutS: ABSOLUTE_S, now: () => clock.s });
  return { clock, store, make };
}

describe('ended sessions (the denylist)', () => {
  it("tells its listeners of every ending it learns, from here or from another instance, but not of a repeat", async () => {
    const { clock, make } = setup();
    const here = make();
    const there = make();
    await Promise.all([here.start(), there.start()]);
    let told = 0;
    here.onEnded(() => told++);
    await here.endSession(session('sid-1', clock.s));
    expect(told).toBe(1);
    await there.end({ kind: 'psid', iss: ISS, id: 'op-1', until: clock.s + ABSOLUTE_S });
    expect(told).toBe(2);
    await here.endSession(session('sid-1', clock.s));
    expect(told).toBe(2);
  });

  it('our own logout ends that BFF session id only', async () => {
    const { clock, make } = setup();
    const ended = make();
    await ended.start();
    const mine = session('sid-1', clock.s);
    await ended.endSession(mine);
    expect(ended.isEnded(mine)).toBe(true);
    expect(ended.isEnded(session('sid-2', clock.s))).toBe(false);
  });

  it('a provider sid ends the sessions of that provider session, not the same user\'s others, nor another issuer\'s', async () => {
    const { clock, make } = setup();
    const ended = make();
    await ended.end({ kind: 'psid', iss: ISS, id: 'op-1', until: clock.s + ABSOLUTE_S });
    expect(ended.isEnded(session('a', clock.s, { psid: 'op-1' }))).toBe(true);
    expect(ended.isEnded(session('b', clock.s, { psid: 'op-2' }))).toBe(false);
    expect(ended.isEnded(session('c', clock.s))).toBe(false);
    expect(ended.isEnded(session('d', clock.s, { psid: 'op-1', iss: 'https://other.example.test' }))).toBe(false);
  });

  it('a sub with a time ends that user\'s sessions signed in up to then; a later sign-in lives, another user lives', async () => {
    const { clock, make } = setup();
    const ended = make();
    const before = session('a', clock.s - 100);
    const atTheSecond = session('b', clock.s);
    await ended.end({ kind: 'sub', iss: ISS, id: 'alice', at: clock.s, until: clock.s + ABSOLUTE_S });
    expect(ended.isEnded(before)).toBe(true);
    expect(ended.isEnded(atTheSecond)).toBe(true);
    expect(ended.isEnded(session('c', clock.s + 1))).toBe(false);
    expect(ended.isEnded(session('d', clock.s - 100, { user: { sub: 'bob' } }))).toBe(false);
  });

  it('an older sub logout arriving late does not move the time back', async () => {
    const { clock, make } = setup();
    const ended = make();
    await ended.end({ kind: 'sub', iss: ISS, id: 'alice', at: clock.s, until: clock.s + ABSOLUTE_S });
    await ended.end({ kind: 'sub', iss: ISS, id: 'alice', at: clock.s - 500, until: clock.s - 500 + ABSOLUTE_S });
    expect(ended.isEnded(session('a', clock.s - 100))).toBe(true);
  });

  it('an instance started later loads every ending from the store', async () => {
    const { clock, make } = setup();
    const first = make();
    await first.start();
    await first.endSession(session('sid-1', clock.s));
    await first.end({ kind: 'sub', iss: ISS, id: 'alice', at: clock.s, until: clock.s + ABSOLUTE_S });
    const later = make();
    expect(later.isEnded(session('sid-1', clock.s))).toBe(false);
    await later.start();
    expect(later.isEnded(session('sid-1', clock.s))).toBe(true);
    expect(later.isEnded(session('x', clock.s - 1))).toBe(true);
  });

  it('entries in the store expire when no session they match can be alive', async () => {
    const { clock, store, make } = setup();
    const ended = make();
    await ended.endSession(session('sid-1', clock.s - 1000)); // 2600 s of its life left
    expect(await store.entries('ended:')).toHaveLength(1);
    clock.s += 2599;
    expect(await store.entries('ended:')).toHaveLength(1);
    clock.s += 2;
    expect(await store.entries('ended:')).toHaveLength(0);
  });

  it('a malformed message on the channel is ignored, never a crash', async () => {
    const { clock, store, make } = setup();
    const ended = make();
    await ended.start();
    for (const junk of ['not json', '{}', '{"kind":"session"}', '{"kind":"sub","iss":"x","id":"y","until":1e12}', 'null']) await store.publish('ended', junk);
    expect(ended.size).toBe(0);
    expect(ended.isEnded(session('a', clock.s))).toBe(false);
  });

  it('what another instance publishes is known here without a store read', async () => {
    const { clock, make } = setup();
    const here = make();
    const there = make();
    await Promise.all([here.start(), there.start()]);
    await there.endSession(session('sid-9', clock.s));
    expect(here.isEnded(session('sid-9', clock.s))).toBe(true);
  });
});
