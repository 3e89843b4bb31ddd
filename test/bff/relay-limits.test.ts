import { describe, expect, it } from 'vitest';
import { MINIMAL_ENV, problemsOf } from '../support/config.ts';
import { loadConfig } from '../../bff/config.ts';
import { TooManyRequests } from '../../bff/errors.ts';
import { createInFlightLimits } from '../../bff/relay/in-flight.ts';

// The relay's limits: their configuration (bff/config.ts) and the in-flight bookkeeping
// (bff/relay/in-flight.ts). End to end: test/security/relay-starvation.test.ts and limits.test.ts.

const base = MINIMAL_ENV;


describe('relay limits in the configuration', () => {
  it('has the documented defaults', () => {
    expect(loadConfig(base).api).toMatchObject({
      maxInFlightPerSession: 64,
      maxInFlightPerUser: 64,
      upstreamMaxSockets: 256,
      bodyIdleTimeoutMs: 30_000,
      uploadDeadlineMs: 600_000,
    });
  });

  it('reads each option', () => {
    const api = loadConfig({ ...base, API_MAX_IN_FLIGHT_PER_USER: '3', API_UPSTREAM_MAX_SOCKETS: '4', API_BODY_IDLE_TIMEOUT_MS: '5', API_UPLOAD_DEADLINE_MS: '6' }).api;
    expect(api).toMatchObject({ maxInFlightPerUser: 3, upstreamMaxSockets: 4, bodyIdleTimeoutMs: 5, uploadDeadlineMs: 6 });
  });

  it.each([
    ['API_MAX_IN_FLIGHT_PER_USER', '0'],
    ['API_MAX_IN_FLIGHT_PER_USER', '1.5'],
    ['API_UPSTREAM_MAX_SOCKETS', '1'],
    ['API_UPSTREAM_MAX_SOCKETS', 'many'],
    ['API_BODY_IDLE_TIMEOUT_MS', '0'],
    ['API_BODY_IDLE_TIMEOUT_MS', '-1'],
    ['API_UPLOAD_DEADLINE_MS', '0'],
    ['API_UPLOAD_DEADLINE_MS', 'soon'],
  ])('refuses %s=%s', (name, value) => {
    expect(problemsOf({ ...base, [name]: value }).some((p) => p.startsWith(`${name}:`))).toBe(true);
  });

  it('refuses a per-user bound that is not below the pool (one user would leave no socket to the others)', () => {
    for (const [perUser, sockets] of [['8', '8'], ['9', '8'], ['64', undefined], ['256', undefined]] as const) {
      const env = { ...base, API_MAX_IN_FLIGHT_PER_USER: perUser, ...(sockets ? { API_UPSTREAM_MAX_SOCKETS: sockets } : {}) };
      if (perUser === '64') {
        expect(() => loadConfig(env)).not.toThrow();
        continue;
      }
      expect(problemsOf(env)).toContainEqual(expect.stringMatching(/^API_MAX_IN_FLIGHT_PER_USER: must be below API_UPSTREAM_MAX_SOCKETS/));
    }
    expect(loadConfig({ ...base, API_MAX_IN_FLIGHT_PER_USER: '7', API_UPSTREAM_MAX_SOCKETS: '8' }).api.maxInFlightPerUser).toBe(7);
    expect(problemsOf({ ...base, API_MAX_IN_FLIGHT_PER_USER: '300' })).toHaveLength(1);
  });
});

describe('in-flight bookkeeping', () => {
  it('counts per session and per user, refuses past either bound without taking a slot, and gives each slot back once', () => {
    const limits = createInFlightLimits(2, 3);
    const a1 = limits.acquire('s1', 'alice');
    const a2 = limits.acquire('s1', 'alice');
    expect(() => limits.acquire('s1', 'alice')).toThrow(TooManyRequests);
    const a3 = limits.acquire('s2', 'alice');
    // The user's bound holds across sessions; the refused attempt took nothing.
    expect(() => limits.acquire('s3', 'alice')).toThrow(TooManyRequests);
    expect(() => limits.acquire('s3', 'alice')).toThrow(/user/);
    const bob = limits.acquire('s9', 'bob');
    a1();
    a1(); // twice: still one slot back
    expect(() => limits.acquire('s1', 'alice')).not.toThrow();
    expect(() => limits.acquire('s1', 'alice')).toThrow(TooManyRequests);
    a2();
    a3();
    bob();
    expect(limits.size()).toEqual({ sessions: 1, users: 1 });
  });

  it('forgets a session and a user once their last slot is back', () => {
    const limits = createInFlightLimits(5, 5);
    const releases = [limits.acquire('s1', 'u'), limits.acquire('s1', 'u'), limits.acquire('s2', 'u')];
    expect(limits.size()).toEqual({ sessions: 2, users: 1 });
    for (const r of releases) r();
    expect(limits.size()).toEqual({ sessions: 0, users: 0 });
  });
});
