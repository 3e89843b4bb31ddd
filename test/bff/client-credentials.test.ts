import { describe, expect, it } from 'vitest';
import { createClientCredentials, type ClientCredentialsParams, type ClientToken } from '../../bff/tokens/client-credentials.ts';

function fakeProvider(lifetimeS: number, clock: { t: number }) {
  const grants: ClientCredentialsParams[] = [];
  let fail = false;
  let release: (() => void) | undefined;
  const gate = { hold: false };
  async function grant(params: ClientCredentialsParams): Promise<ClientToken> {
    grants.push(params);
    if (gate.hold) await new Promise<void>((r) => (release = r));
    if (fail) throw new Error('provider down');
    return { accessToken: `cc-${grants.length}-${params.scope ?? ''}`, expiresAt: clock.t / 1000 + lifetimeS };
  }
  return { grant, grants, gate, release: () => release?.(), setFail: (f: boolean) => (fail = f) };
}

describe('client-credentials tokens', () => {
  it('fetches once for a burst of 30 concurrent requests', async () => {
    const clock = { t: 1_000_000 };
    const idp = fakeProvider(300, clock);
    idp.gate.hold = true;
    const cc = createClientCredentials(idp.grant, { skewS: 30, now: () => clock.t });
    const burst = Array.from({ length: 30 }, () => cc.clientToken({ scope: 'catalog:read' }));
    idp.release();
    const tokens = await Promise.all(burst);
    expect(idp.grants).toHaveLength(1);
    expect(new Set(tokens.map((t) => t.accessToken))).toEqual(new Set(['cc-1-catalog:read']));
  });

  it('is cached until shortly before it expires, then fetched again', async () => {
    const clock = { t: 1_000_000 };
    const idp = fakeProvider(300, clock);
    const cc = createClientCredentials(idp.grant, { skewS: 30, now: () => clock.t });
    await cc.clientToken({});
    clock.t += 269_000;
    expect((await cc.clientToken({})).accessToken).toBe('cc-1-');
    clock.t += 1_000; // 270 s: inside the 30 s skew
    expect((await cc.clientToken({})).accessToken).toBe('cc-2-');
    expect(idp.grants).toHaveLength(2);
  });

  it('never uses a short-lived token past half its life', async () => {
    const clock = { t: 1_000_000 };
    const idp = fakeProvider(20, clock);
    const cc = createClientCredentials(idp.grant, { skewS: 30, now: () => clock.t });
    await cc.clientToken({});
    clock.t += 9_000;
    await cc.clientToken({});
    expect(idp.grants).toHaveLength(1);
    clock.t += 1_000;
    await cc.clientToken({});
    expect(idp.grants).toHaveLength(2);
  });

  it('keeps one token per scope and resource pair', async () => {
    const clock = { t: 1_000_000 };
    const idp = fakeProvider(300, clock);
    const cc = createClientCredentials(idp.grant, { skewS: 30, now: () => clock.t });
    const a = await cc.clientToken({ scope: 'a' });
    const b = await cc.clientToken({ scope: 'b' });
    const ar = await cc.clientToken({ scope: 'a', resource: 'https://api.example' });
    expect(new Set([a.accessToken, b.accessToken, ar.accessToken]).size).toBe(3);
    expect(await cc.clientToken({ scope: 'a' })).toBe(a);
    expect(idp.grants).toEqual([{ scope: 'a' }, { scope: 'b' }, { scope: 'a', resource: 'https://api.example' }]);
  });

  it('does not cache a failure: every waiter sees it, and the next request tries again', async () => {
    const clock = { t: 1_000_000 };
    const idp = fakeProvider(300, clock);
    const cc = createClientCredentials(idp.grant, { skewS: 30, now: () => clock.t });
    idp.setFail(true);
    const results = await Promise.allSettled([cc.clientToken({}), cc.clientToken({})]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(idp.grants).toHaveLength(1);
    idp.setFail(false);
    expect((await cc.clientToken({})).accessToken).toBe('cc-2-');
  });
});
