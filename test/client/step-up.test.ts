// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://localhost:3000/"}
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import { bffFetch, bffJson, BffProblemError, BffStepUpError } from '../../client/bff/index.ts';
import { ORIGIN } from './support/bff.ts';
import { setupClientTests } from './support/setup.tsx';

// A `step_up_required` problem (CONTRACT.md "Step-up", after RFC 9470): bffFetch follows its
// loginUrl with a full-page navigation, when that URL is this origin's /auth/login, once.

const t = setupClientTests();

// returnTo is the page the test runs on ('/'): bffFetch puts the current page there.
const LOGIN = '/auth/login?returnTo=%2F&acr_values=mfa&max_age=300';

function stepUpProblem(loginUrl: string | undefined) {
  return HttpResponse.json(
    {
      type: 'about:blank',
      title: 'Step-up required',
      status: 401,
      code: 'step_up_required',
      acr_values: 'mfa',
      max_age: 300,
      ...(loginUrl === undefined ? {} : { loginUrl }),
    },
    { status: 401, headers: { 'content-type': 'application/problem+json' } },
  );
}

function reportsAnswer(loginUrl: string | undefined) {
  t.server.use(http.get(`${ORIGIN}/api/reports`, () => stepUpProblem(loginUrl)));
}

const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e);

beforeEach(() => window.sessionStorage.clear());

describe('bffFetch follows a step_up_required problem', () => {
  it('navigates to its loginUrl, coming back to the current page, and throws a typed error that says so', async () => {
    window.history.pushState({}, '', '/reports/2026?tab=q3');
    reportsAnswer(LOGIN);
    const error = await failure(bffFetch('/api/reports'));
    const followed = new URL(String(t.assign.mock.calls[0]?.[0]));
    window.history.pushState({}, '', '/');
    expect(t.assign).toHaveBeenCalledTimes(1);
    expect(`${followed.origin}${followed.pathname}`).toBe(`${ORIGIN}/auth/login`);
    expect(Object.fromEntries(followed.searchParams)).toEqual({ returnTo: '/reports/2026?tab=q3', acr_values: 'mfa', max_age: '300' });
    expect(error).toBeInstanceOf(BffStepUpError);
    expect(error).toBeInstanceOf(BffProblemError);
    const stepUp = error as BffStepUpError;
    expect(stepUp.following).toBe(true);
    expect(stepUp.code).toBe('step_up_required');
    expect(stepUp.status).toBe(401);
    expect(stepUp.problem).toMatchObject({ acr_values: 'mfa', max_age: 300, loginUrl: LOGIN });
  });

  it('from bffJson too', async () => {
    reportsAnswer(LOGIN);
    const error = await failure(bffJson('/api/reports', { safeParse: (data: unknown) => ({ success: true as const, data }) }));
    expect(error).toBeInstanceOf(BffStepUpError);
    expect(t.assign).toHaveBeenCalledTimes(1);
  });

  it('accepts the loginUrl in absolute form on its own origin', async () => {
    reportsAnswer(`${ORIGIN}${LOGIN}`);
    await failure(bffFetch('/api/reports'));
    expect(t.assign).toHaveBeenCalledExactlyOnceWith(`${ORIGIN}${LOGIN}`);
  });

  it('can be turned off per call: only the error, no navigation', async () => {
    reportsAnswer(LOGIN);
    const error = await failure(bffFetch('/api/reports', { stepUp: false }));
    expect((error as BffStepUpError).following).toBe(false);
    expect(t.assign).not.toHaveBeenCalled();
    // And the option is the module's, not fetch's: nothing odd reaches the request.
    reportsAnswer(LOGIN);
    await failure(bffFetch('/api/reports', { stepUp: true }));
    expect(t.assign).toHaveBeenCalledTimes(1);
  });

  it('does not follow the same step-up twice in a row (a provider that cannot meet it would loop the page)', async () => {
    reportsAnswer(LOGIN);
    await failure(bffFetch('/api/reports'));
    const again = await failure(bffFetch('/api/reports'));
    expect(t.assign).toHaveBeenCalledTimes(1);
    expect((again as BffStepUpError).following).toBe(false);
    // A different step-up (other requirements) is still followed.
    const other = '/auth/login?returnTo=%2F&acr_values=mfa';
    reportsAnswer(other);
    await failure(bffFetch('/api/reports'));
    expect(t.assign).toHaveBeenLastCalledWith(`${ORIGIN}${other}`);
  });

  it('follows the same step-up again once the window has passed', async () => {
    reportsAnswer(LOGIN);
    await failure(bffFetch('/api/reports'));
    const [at, url] = window.sessionStorage.getItem('bff:step-up')!.split(' ');
    window.sessionStorage.setItem('bff:step-up', `${Number(at) - 61_000} ${url}`);
    await failure(bffFetch('/api/reports'));
    expect(t.assign).toHaveBeenCalledTimes(2);
  });

  it('does not follow without sessionStorage (it could not stop a loop)', async () => {
    const storage = Object.getOwnPropertyDescriptor(window, 'sessionStorage');
    Object.defineProperty(window, 'sessionStorage', {
      configurable: true,
      get() {
        throw new DOMException('blocked', 'SecurityError');
      },
    });
    try {
      reportsAnswer(LOGIN);
      const error = await failure(bffFetch('/api/reports'));
      expect((error as BffStepUpError).following).toBe(false);
      expect(t.assign).not.toHaveBeenCalled();
    } finally {
      Object.defineProperty(window, 'sessionStorage', storage!);
    }
  });
});

describe('bffFetch refuses a loginUrl an attacker could plant (a relayed upstream can send problem+json)', () => {
  it.each([
    'https://evil.example/auth/login?returnTo=%2F',
    '//evil.example/auth/login',
    '/\\evil.example/auth/login',
    '\\\\evil.example/auth/login',
    'javascript:alert(document.cookie)',
    'data:text/html,<script>alert(1)</script>',
    'http://localhost.evil.example:3000/auth/login',
    'http://localhost:3000@evil.example/auth/login',
    'http://localhost:3001/auth/login',
    'https://localhost:3000/auth/login',
    '/auth/logout?sid=sid-alice-sub',
    '/api/notes/1',
    '/auth/login/../logout?sid=x',
    '/evil/auth/login',
    'http://[::1',
  ])('%s', async (loginUrl) => {
    reportsAnswer(loginUrl);
    const error = await failure(bffFetch('/api/reports'));
    expect(error).toBeInstanceOf(BffStepUpError);
    expect((error as BffStepUpError).following).toBe(false);
    expect(t.assign).not.toHaveBeenCalled();
  });

  it('a problem without loginUrl is only thrown', async () => {
    reportsAnswer(undefined);
    const error = await failure(bffFetch('/api/reports'));
    expect((error as BffStepUpError).following).toBe(false);
    expect(t.assign).not.toHaveBeenCalled();
  });

  it('a step_up_required body on a plain JSON answer is the API talking, not the BFF: not followed', async () => {
    t.server.use(http.get(`${ORIGIN}/api/reports`, () => HttpResponse.json({ title: 'x', status: 401, code: 'step_up_required', loginUrl: LOGIN }, { status: 401 })));
    const error = await failure(bffFetch('/api/reports'));
    expect(error).not.toBeInstanceOf(BffProblemError);
    expect(t.assign).not.toHaveBeenCalled();
  });
});
