import { describe, expect, it } from 'vitest';
import { BffHttpError, BffNetworkError, BffProblemError, BffResponseError, isForbidden, isSignInAgainError } from '../../client/bff/index.ts';

// What a screen (or a developer reading the console) learns from each kind of failure.

const csrf = { title: 'Forbidden', status: 403, code: 'csrf' } as const;

describe('the error classes', () => {
  it('name themselves and say what failed, where', () => {
    const cases: [Error, string, RegExp][] = [
      [new BffProblemError({ ...csrf, detail: 'Missing X-CSRF' }, 403), 'BffProblemError', /^Missing X-CSRF$/],
      [new BffHttpError(418, { error: 'teapot' }, '/api/tea'), 'BffHttpError', /418.*\/api\/tea/],
      [new BffNetworkError('/api/me'), 'BffNetworkError', /reach \/api\/me/],
      [new BffResponseError('/api/notes', 'body is not JSON'), 'BffResponseError', /\/api\/notes.*body is not JSON/],
    ];
    for (const [error, name, message] of cases) {
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(name);
      expect(error.message).toMatch(message);
      expect(String(error)).toContain(name);
    }
  });

  it('keep the underlying cause of a network failure', () => {
    const cause = new TypeError('fetch failed');
    expect(new BffNetworkError('/api/me', { cause }).cause).toBe(cause);
  });
});

describe('isForbidden', () => {
  it("is the API's own 403 only", () => {
    expect(isForbidden(new BffHttpError(403, { error: 'insufficient_scope' }, '/api/notes/1'))).toBe(true);
    expect(isForbidden(new BffHttpError(404, undefined, '/api/notes/1'))).toBe(false);
    expect(isForbidden(new BffHttpError(401, undefined, '/api/notes/1'))).toBe(false);
    // The BFF's own 403 is a CSRF refusal, not a permission matter.
    expect(isForbidden(new BffProblemError(csrf, 403))).toBe(false);
    expect(isForbidden(new Error('403'))).toBe(false);
    expect(isForbidden({ status: 403 })).toBe(false);
  });
});

describe('isSignInAgainError', () => {
  it('is a BFF problem saying the session is gone', () => {
    expect(isSignInAgainError(new BffProblemError({ title: 'Expired', status: 401, code: 'session_expired' }, 401))).toBe(true);
    expect(isSignInAgainError(new BffProblemError({ title: 'No session', status: 401, code: 'unauthenticated' }, 401))).toBe(true);
    expect(isSignInAgainError(new BffProblemError(csrf, 403))).toBe(false);
    expect(isSignInAgainError(new BffHttpError(401, { code: 'session_expired' }, '/api/me'))).toBe(false);
    expect(isSignInAgainError({ code: 'session_expired' })).toBe(false);
  });
});
