// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://localhost:3000/"}
import type { QueryClient } from '@tanstack/react-query';
import { useMutation, useQuery } from '@tanstack/react-query';
import { waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { createNote } from '../../client/api/notes.ts';
import { meQuery, notesQuery } from '../../client/api/queries.ts';
import { BffHttpError, BffNetworkError, BffProblemError, createBffQueryClient as createQueryClient, sessionQueryOptions as sessionQuery, useSession } from '../../client/bff/index.ts';
import { ORIGIN, problem } from './support/bff.ts';
import { renderWithClient, setupClientTests } from './support/setup.tsx';

const t = setupClientTests();

/** The app's own retry policy, minus the back-off wait so the test does not sleep through it. */
function appQueryClient() {
  return createQueryClient({ defaultOptions: { queries: { retryDelay: 0 } } });
}

/** `/api/me` answering `answer` every time; returns how many requests arrived. */
function meAnswers(answer: () => Response) {
  const seen = { calls: 0 };
  t.server.use(
    http.get(`${ORIGIN}/api/me`, () => {
      seen.calls += 1;
      return answer();
    }),
  );
  return seen;
}

async function failedQuery() {
  const { result } = renderWithClient(() => useQuery(meQuery()), appQueryClient());
  await waitFor(() => expect(result.current.isError).toBe(true));
  return result.current.error;
}

function problemJson(httpStatus: number, bodyStatus: number) {
  return HttpResponse.json(
    { title: 'Trouble', status: bodyStatus, code: httpStatus === 401 ? 'session_expired' : 'upstream_unavailable' },
    { status: httpStatus, headers: { 'content-type': 'application/problem+json' } },
  );
}

describe('the query client never retries a 4xx', () => {
  it.each([
    ['a BFF problem 401 session_expired', () => problem(401, 'session_expired', 'Session expired')],
    ['a BFF problem 403 csrf', () => problem(403, 'csrf', 'Forbidden')],
    ['a BFF problem 429', () => problem(429, 'too_many_requests', 'Too many requests')],
    ["the API's own 403", () => HttpResponse.json({ error: 'insufficient_scope' }, { status: 403 })],
    ["the API's own 404", () => new HttpResponse('gone', { status: 404 })],
    ["a 401 whose problem body claims 503", () => problemJson(401, 503)],
  ])('%s is asked once', async (_name, answer) => {
    const seen = meAnswers(answer);
    const error = await failedQuery();
    expect(error).toBeInstanceOf(Error);
    expect(seen.calls).toBe(1);
  });
});

describe('the query client retries what often clears up, twice', () => {
  it.each([
    ['a dropped connection', () => HttpResponse.error(), BffNetworkError],
    ['502 upstream_unavailable', () => problem(502, 'upstream_unavailable', 'Upstream unavailable'), BffProblemError],
    ['503 provider_unavailable', () => problem(503, 'provider_unavailable', 'Provider unavailable'), BffProblemError],
    ['504 upstream_timeout', () => problem(504, 'upstream_timeout', 'Upstream timeout'), BffProblemError],
    ["the API's own 503", () => new HttpResponse('busy', { status: 503 }), BffHttpError],
    ['a 503 whose problem body claims 401', () => problemJson(503, 401), BffProblemError],
  ])('%s is asked three times in all', async (_name, answer, type) => {
    const seen = meAnswers(answer);
    const error = await failedQuery();
    expect(error).toBeInstanceOf(type);
    expect(seen.calls).toBe(3);
  });

  it('stops retrying as soon as an answer comes', async () => {
    let calls = 0;
    t.server.use(
      http.get(`${ORIGIN}/api/me`, () => {
        calls += 1;
        return calls === 1 ? HttpResponse.error() : HttpResponse.json({ sub: 'alice-sub' });
      }),
    );
    const { result } = renderWithClient(() => useQuery(meQuery()), appQueryClient());
    await waitFor(() => expect(result.current.data).toEqual({ sub: 'alice-sub' }));
    expect(calls).toBe(2);
  });
});

describe('the query client does not retry', () => {
  it.each([
    ['500 internal_error', () => problem(500, 'internal_error', 'Internal error')],
    ['501', () => new HttpResponse(null, { status: 501 })],
    ['505', () => new HttpResponse(null, { status: 505 })],
    ['a 200 whose body is not what the SPA expects', () => HttpResponse.json({ not: 'claims' })],
  ])('%s', async (_name, answer) => {
    const seen = meAnswers(answer);
    await failedQuery();
    expect(seen.calls).toBe(1);
  });

  it('an error that does not come from the BFF, even one carrying a 503 status', async () => {
    let calls = 0;
    const { result } = renderWithClient(
      () =>
        useQuery({
          queryKey: ['elsewhere'],
          queryFn: () => {
            calls += 1;
            throw Object.assign(new Error('not ours'), { status: 503 });
          },
        }),
      appQueryClient(),
    );
    await waitFor(() => expect(result.current.isError).toBe(true));
    expect(calls).toBe(1);
  });

  it('a mutation, even after a dropped connection (a POST may have been applied)', async () => {
    let calls = 0;
    t.server.use(
      http.post(`${ORIGIN}/api/notes`, () => {
        calls += 1;
        return HttpResponse.error();
      }),
    );
    const { result } = renderWithClient(() => useMutation({ mutationFn: createNote }), appQueryClient());
    result.current.mutate('hello');
    await waitFor(() => expect(result.current.isError).toBe(true));
    expect(result.current.error).toBeInstanceOf(BffNetworkError);
    expect(calls).toBe(1);
  });
});

describe("the caller's options win", () => {
  it('retry: false turns retries off', async () => {
    const seen = meAnswers(() => HttpResponse.error());
    const { result } = renderWithClient(() => useQuery(meQuery()), createQueryClient({ defaultOptions: { queries: { retry: false } } }));
    await waitFor(() => expect(result.current.isError).toBe(true));
    expect(seen.calls).toBe(1);
  });

  it('other defaults are kept', () => {
    const client = createQueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: 1 } } });
    expect(client.getDefaultOptions().mutations?.retry).toBe(1);
  });
});

describe('cancelling a query', () => {
  it.each([
    ['the session', `${ORIGIN}/auth/session`, (client: QueryClient) => client.fetchQuery(sessionQuery())],
    ['/api/me', `${ORIGIN}/api/me`, (client: QueryClient) => client.fetchQuery(meQuery())],
    ['the notes', `${ORIGIN}/api/notes`, (client: QueryClient) => client.fetchQuery(notesQuery())],
  ])('aborts the request for %s, and is not an error', async (_name, url, fetchQuery) => {
    let arrived!: (signal: AbortSignal) => void;
    const reached = new Promise<AbortSignal>((resolve) => (arrived = resolve));
    t.server.use(
      http.get(url, async ({ request }) => {
        arrived(request.signal);
        await new Promise(() => {});
      }),
    );
    const client = appQueryClient();
    const fetching = fetchQuery(client).catch((e: unknown) => e);
    const signal = await reached;
    await client.cancelQueries();
    expect(signal.aborted).toBe(true);
    expect(await fetching).not.toBeInstanceOf(BffNetworkError);
  });
});

describe('with no options at all', () => {
  it('is the app client: session-ending errors raise the notice', async () => {
    // As the real BFF: the session that made the call expire is gone when it is re-read.
    t.bff.state.session = { authenticated: false };
    meAnswers(() => problem(401, 'session_expired', 'Session expired'));
    const { result, client } = renderWithClient(() => useSession().signInAgain, createQueryClient());
    await expect(client.fetchQuery(meQuery())).rejects.toBeInstanceOf(BffProblemError);
    await waitFor(() => expect(result.current).toBe('session_expired'));
  });
});
