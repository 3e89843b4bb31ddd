import { describe, expect, it } from 'vitest';
import { problemSchema } from '../../shared/problem.ts';
import { sessionResponseSchema, userClaimsSchema } from '../../shared/session.ts';

// The shared schemas both the SPA and the BFF rely on: what they accept and what they refuse.

const goodSessions: unknown[] = [
  { authenticated: false },
  { authenticated: true, user: { sub: 'a', name: 'A', roles: ['editor'] }, logoutUrl: '/auth/logout?sid=1', expiresAt: 1 },
  { authenticated: true, user: { sub: 'a' }, logoutUrl: '/auth/logout?sid=1', expiresAt: 1.5 },
];
const badSessions: unknown[] = [
  { authenticated: true, user: { name: 'no sub' }, logoutUrl: '/x', expiresAt: 1 },
  { authenticated: true, user: { sub: 1 }, logoutUrl: '/x', expiresAt: 1 },
  { authenticated: true, user: { sub: 'a' }, expiresAt: 1 },
  { authenticated: true, user: { sub: 'a' }, logoutUrl: '/x', expiresAt: '1' },
  { authenticated: 'yes' },
  null,
  'text',
];
const goodProblems: unknown[] = [
  { title: 'T', status: 401, code: 'session_expired' },
  { type: 'about:blank', title: 'T', status: 403, code: 'csrf', detail: 'd' },
];
const badProblems: unknown[] = [
  { title: 'T', status: 401.5, code: 'session_expired' },
  { title: 'T', status: 401, code: 'not_a_code' },
  { status: 401, code: 'unauthenticated' },
  { title: 'T', status: 401, code: 'unauthenticated', detail: 5 },
  [],
];

describe('shared schemas', () => {
  it.each(goodSessions.map((s) => [JSON.stringify(s), s]))('accept the session %s', (_l, s) => {
    expect(sessionResponseSchema.safeParse(s).success).toBe(true);
  });
  it.each(badSessions.map((s) => [JSON.stringify(s), s]))('refuse the session %s', (_l, s) => {
    expect(sessionResponseSchema.safeParse(s).success).toBe(false);
  });
  it.each(goodProblems.map((p) => [JSON.stringify(p), p]))('accept the problem %s', (_l, p) => {
    expect(problemSchema.safeParse(p).success).toBe(true);
  });
  it.each(badProblems.map((p) => [JSON.stringify(p), p]))('refuse the problem %s', (_l, p) => {
    expect(problemSchema.safeParse(p).success).toBe(false);
  });
  it('keep unknown claims', () => {
    const claims = { sub: 's', custom: { nested: true } };
    expect(userClaimsSchema.parse(claims)).toEqual(claims);
  });
});
