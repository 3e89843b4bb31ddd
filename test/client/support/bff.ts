import { http, HttpResponse } from 'msw';
import type { ProblemCode } from '../../../shared/problem.ts';
import { PROBLEM_CONTENT_TYPE, SIGN_IN_AGAIN_CODES } from '../../../shared/problem.ts';
import type { SessionResponse } from '../../../shared/session.ts';

/** The origin happy-dom pretends to be; msw handlers are absolute so resolution is never in doubt. */
export const ORIGIN = 'http://localhost:3000';

export const alice = {
  sub: 'alice-sub',
  name: 'Alice Example',
  email: 'alice@example.com',
  preferred_username: 'alice',
  roles: ['editor'],
};

export const bob = {
  sub: 'bob-sub',
  name: 'Bob Reader',
  email: 'bob@example.com',
  preferred_username: 'bob',
  roles: ['reader'],
};

export function signedIn(user: { sub: string } & Record<string, unknown>): SessionResponse {
  return { authenticated: true, user, logoutUrl: `/auth/logout?sid=sid-${user.sub}`, expiresAt: 2_000_000_000 };
}

export function problem(status: number, code: ProblemCode, title: string, detail?: string) {
  return HttpResponse.json(
    { type: 'about:blank', title, status, code, ...(detail ? { detail } : {}) },
    { status, headers: { 'content-type': PROBLEM_CONTENT_TYPE } },
  );
}

/** The BFF's 403 for a route whose `require` is unmet (CONTRACT.md, "The routes table"). */
export function forbidden(missing: string[]) {
  return HttpResponse.json(
    { type: 'about:blank', title: 'Forbidden', status: 403, code: 'forbidden', detail: 'This route requires what your sign-in does not carry.', missing },
    { status: 403, headers: { 'content-type': PROBLEM_CONTENT_TYPE } },
  );
}

interface StoredNote {
  id: string;
  text: string;
  author?: string;
  createdAt: string;
}

/**
 * An in-memory BFF + demo API: enough behaviour (CSRF check, roles, notes) that the SPA's tests
 * exercise real request/response round trips. Tests flip `state` to script scenarios.
 */
export function createBffMock() {
  const state = {
    session: signedIn(alice) as SessionResponse,
    notes: [] as StoredNote[],
    sessionCalls: 0,
    /** When set, every /api call answers this problem (e.g. the refresh failed). */
    apiProblem: undefined as { status: number; code: ProblemCode; title: string } | undefined,
    nextId: 1,
    /** What `GET /auth/providers` answers: one provider, as the embedded default configures it. */
    providers: [{ name: 'default', label: 'Demo sign-in' }] as { name: string; label: string }[],
  };

  function guard(request: Request) {
    if (request.headers.get('x-csrf') !== '1') return problem(403, 'csrf', 'Forbidden');
    if (state.apiProblem) {
      // As the real BFF: it says "sign in again" only once the session is gone (a failed refresh clears it).
      if (SIGN_IN_AGAIN_CODES.has(state.apiProblem.code)) state.session = { authenticated: false };
      return problem(state.apiProblem.status, state.apiProblem.code, state.apiProblem.title);
    }
    if (!state.session.authenticated) return problem(401, 'unauthenticated', 'Not signed in');
    return undefined;
  }

  /** Who the demo API would say it saw with the user's token. */
  function userCaller(): string | undefined {
    if (!state.session.authenticated) return undefined;
    const { user } = state.session;
    return typeof user.preferred_username === 'string' ? user.preferred_username : user.sub;
  }

  /** The demo API's answer: its caller in a header and in the body. */
  function answeredBy(caller: string, body: Record<string, unknown>) {
    return HttpResponse.json({ caller, ...body }, { headers: { 'x-demo-caller': caller } });
  }

  function csrfOnly(request: Request) {
    if (request.headers.get('x-csrf') !== '1') return problem(403, 'csrf', 'Forbidden');
    if (state.apiProblem) return problem(state.apiProblem.status, state.apiProblem.code, state.apiProblem.title);
    return undefined;
  }

  function roles(): unknown {
    return state.session.authenticated ? state.session.user.roles : [];
  }

  /** Like the demo API: only editors add or delete notes. */
  function editorsOnly() {
    const userRoles = roles();
    if (Array.isArray(userRoles) && userRoles.includes('editor')) return undefined;
    return HttpResponse.json({ error: 'insufficient_scope' }, { status: 403 });
  }

  const handlers = [
    http.get(`${ORIGIN}/auth/providers`, () => HttpResponse.json(state.providers)),
    http.get(`${ORIGIN}/auth/session`, () => {
      state.sessionCalls += 1;
      return HttpResponse.json(state.session, { headers: { 'cache-control': 'no-store' } });
    }),
    http.get(`${ORIGIN}/api/me`, ({ request }) => {
      const refused = guard(request);
      if (refused) return refused;
      const user = state.session.authenticated ? state.session.user : { sub: '' };
      return HttpResponse.json({ sub: user.sub, roles: roles(), scope: 'openid notes:read notes:write' });
    }),
    http.get(`${ORIGIN}/api/notes`, ({ request }) => guard(request) ?? HttpResponse.json(state.notes, { headers: { 'x-demo-caller': userCaller() ?? '' } })),
    // The live feed (server-sent events): one event with the count, then the stream ends.
    http.get(`${ORIGIN}/api/notes/events`, ({ request }) => guard(request) ?? new HttpResponse(`event: notes\ndata: {"count":${state.notes.length}}\n\n`, { headers: { 'content-type': 'text/event-stream' } })),
    // The embedded default's routes table (demo/routes.ts), as the BFF and the demo API answer it.
    http.get(`${ORIGIN}/api/catalog`, ({ request }) => csrfOnly(request) ?? answeredBy('the app', { items: [{ sku: 'tea-01', name: 'Green tea' }] })),
    http.get(`${ORIGIN}/api/public`, ({ request }) => csrfOnly(request) ?? answeredBy('anonymous', { authorizationReceived: false })),
    http.get(`${ORIGIN}/api/partner`, ({ request }) => csrfOnly(request) ?? answeredBy(userCaller() ?? 'anonymous', { subscriptionKey: 'accepted' })),
    http.get(`${ORIGIN}/api/reports`, ({ request }) => {
      const refused = guard(request);
      if (refused) return refused;
      const userRoles = roles();
      if (!(Array.isArray(userRoles) && userRoles.includes('editor'))) return forbidden(['roles']);
      return answeredBy(userCaller() ?? '', { report: { title: 'Quarterly notes report' } });
    }),
    http.post(`${ORIGIN}/api/notes`, async ({ request }) => {
      const refused = guard(request) ?? editorsOnly();
      if (refused) return refused;
      const { text } = (await request.json()) as { text: string };
      const author = state.session.authenticated ? state.session.user.sub : '';
      const note = { id: `n${state.nextId++}`, text, author, createdAt: new Date('2030-01-02T03:04:05Z').toISOString() };
      state.notes.push(note);
      return HttpResponse.json(note, { status: 201 });
    }),
    http.delete(`${ORIGIN}/api/notes/:id`, ({ request, params }) => {
      const refused = guard(request) ?? editorsOnly();
      if (refused) return refused;
      state.notes = state.notes.filter((note) => note.id !== params.id);
      return new HttpResponse(null, { status: 204 });
    }),
  ];

  return { state, handlers };
}
