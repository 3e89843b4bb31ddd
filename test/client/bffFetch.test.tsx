// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://localhost:3000/"}
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { bffFetch, bffJson, BffHttpError, BffNetworkError, BffProblemError, BffResponseError, isSignInAgainError } from '../../client/bff/index.ts';
import { createNote } from '../../client/api/notes.ts';
import { notesSchema } from '../../client/api/schemas.ts';
import { ORIGIN, problem } from './support/bff.ts';
import { setupClientTests } from './support/setup.tsx';

const t = setupClientTests();

describe('bffFetch', () => {
  it('sends X-CSRF: 1 and same-origin credentials on every call', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    let seen: Request | undefined;
    t.server.use(
      http.post(`${ORIGIN}/api/echo`, ({ request }) => {
        seen = request;
        return HttpResponse.json({ ok: true });
      }),
    );
    const response = await bffFetch('/api/echo', { method: 'POST', body: '{}' });
    expect(response.status).toBe(200);
    expect(seen?.headers.get('x-csrf')).toBe('1');
    expect(seen?.headers.get('accept')).toContain('application/problem+json');
    expect(fetchSpy.mock.calls[0]?.[1]?.credentials).toBe('same-origin');
  });

  it("keeps the caller's Accept header, and always sets X-CSRF", async () => {
    let seen: Request | undefined;
    t.server.use(
      http.get(`${ORIGIN}/api/report`, ({ request }) => {
        seen = request;
        return new HttpResponse('a,b');
      }),
    );
    await bffFetch('/api/report', { headers: { accept: 'text/csv', 'x-csrf': '0' } });
    expect(seen?.headers.get('accept')).toBe('text/csv');
    expect(seen?.headers.get('x-csrf')).toBe('1');
  });

  it('sends a JSON body as JSON (createNote)', async () => {
    let seen: { contentType: string | null; body: unknown } | undefined;
    t.server.use(
      http.post(`${ORIGIN}/api/notes`, async ({ request }) => {
        seen = { contentType: request.headers.get('content-type'), body: await request.json() };
        return HttpResponse.json({ id: 1, text: 'hi', createdAt: 1 }, { status: 201 });
      }),
    );
    expect(await createNote('hi')).toEqual({ id: '1', text: 'hi', createdAt: 1 });
    expect(seen).toEqual({ contentType: 'application/json', body: { text: 'hi' } });
  });

  it('the mock BFF refuses a call without the header, as the real one does', async () => {
    const response = await fetch(`${ORIGIN}/api/notes`);
    expect(response.status).toBe(403);
  });

  it('parses application/problem+json into a typed BffProblemError', async () => {
    t.server.use(http.get(`${ORIGIN}/api/me`, () => problem(401, 'session_expired', 'Session expired', 'Please sign in again.')));
    const error = await bffFetch('/api/me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BffProblemError);
    const typed = error as BffProblemError;
    expect(typed.code).toBe('session_expired');
    expect(typed.status).toBe(401);
    expect(typed.problem.title).toBe('Session expired');
    expect(typed.message).toBe('Please sign in again.');
    expect(isSignInAgainError(typed)).toBe(true);
  });

  it('parses a problem whose content type carries parameters or another case', async () => {
    for (const contentType of ['application/problem+json; charset=utf-8', 'Application/Problem+JSON', 'application/problem+json;charset=UTF-8']) {
      t.server.use(
        http.get(`${ORIGIN}/api/me`, () =>
          HttpResponse.json({ title: 'Not signed in', status: 401, code: 'unauthenticated' }, { status: 401, headers: { 'content-type': contentType } }),
        ),
      );
      const error = await bffFetch('/api/me').catch((e: unknown) => e);
      expect(error, contentType).toBeInstanceOf(BffProblemError);
      expect((error as BffProblemError).code).toBe('unauthenticated');
      expect(isSignInAgainError(error)).toBe(true);
    }
  });

  it('a problem body on a plain JSON answer is the API talking, not the BFF: typed as HTTP', async () => {
    t.server.use(http.get(`${ORIGIN}/api/me`, () => HttpResponse.json({ title: 'Not signed in', status: 401, code: 'unauthenticated' }, { status: 401 })));
    const error = await bffFetch('/api/me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BffHttpError);
    expect((error as BffHttpError).body).toEqual({ title: 'Not signed in', status: 401, code: 'unauthenticated' });
    expect(isSignInAgainError(error)).toBe(false);
  });

  it("trusts the response's HTTP status over a status member in the problem body", async () => {
    t.server.use(
      http.get(`${ORIGIN}/api/me`, () =>
        HttpResponse.json({ title: 'Bad gateway', status: 200, code: 'upstream_unavailable' }, { status: 502, headers: { 'content-type': 'application/problem+json' } }),
      ),
    );
    const error = await bffFetch('/api/me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BffProblemError);
    expect((error as BffProblemError).status).toBe(502);
    expect((error as BffProblemError).problem.status).toBe(200);
  });

  it('a problem without detail takes its title as the message', async () => {
    t.server.use(http.get(`${ORIGIN}/api/me`, () => problem(503, 'provider_unavailable', 'Provider unavailable')));
    const error = await bffFetch('/api/me').catch((e: unknown) => e);
    expect((error as Error).message).toBe('Provider unavailable');
    expect((error as Error).name).toBe('BffProblemError');
  });

  it('turns a non-problem error into BffHttpError with the parsed body', async () => {
    t.server.use(http.delete(`${ORIGIN}/api/notes/1`, () => HttpResponse.json({ error: 'insufficient_scope' }, { status: 403 })));
    const error = await bffFetch('/api/notes/1', { method: 'DELETE' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BffHttpError);
    expect((error as BffHttpError).status).toBe(403);
    expect((error as BffHttpError).body).toEqual({ error: 'insufficient_scope' });
  });

  it('a problem+json body with an unknown code is still an error, typed as HTTP', async () => {
    t.server.use(
      http.get(`${ORIGIN}/api/me`, () =>
        HttpResponse.json({ title: 'New', status: 418, code: 'brand_new_code' }, { status: 418, headers: { 'content-type': 'application/problem+json' } }),
      ),
    );
    const error = await bffFetch('/api/me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BffHttpError);
    expect((error as BffHttpError).status).toBe(418);
  });

  it('a non-JSON error body is kept as text', async () => {
    t.server.use(http.get(`${ORIGIN}/api/me`, () => new HttpResponse('Bad gateway', { status: 502, headers: { 'content-type': 'text/plain' } })));
    const error = await bffFetch('/api/me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BffHttpError);
    expect((error as BffHttpError).body).toBe('Bad gateway');
  });

  it('a text body is not sniffed for JSON: only the content type decides', async () => {
    t.server.use(http.get(`${ORIGIN}/api/me`, () => new HttpResponse('{"error":"nope"}', { status: 400, headers: { 'content-type': 'text/plain' } })));
    const error = await bffFetch('/api/me').catch((e: unknown) => e);
    expect((error as BffHttpError).body).toBe('{"error":"nope"}');
  });

  it('a network failure is a BffNetworkError that keeps its cause', async () => {
    t.server.use(http.get(`${ORIGIN}/api/me`, () => HttpResponse.error()));
    const error = await bffFetch('/api/me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BffNetworkError);
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('an empty error body is undefined, whatever its content type', async () => {
    for (const contentType of ['text/plain', 'application/json', 'application/problem+json']) {
      t.server.use(http.get(`${ORIGIN}/api/me`, () => new HttpResponse('', { status: 404, headers: { 'content-type': contentType } })));
      const error = await bffFetch('/api/me').catch((e: unknown) => e);
      expect(error, contentType).toBeInstanceOf(BffHttpError);
      expect((error as BffHttpError).body, contentType).toBeUndefined();
    }
  });

  it('an error body that claims JSON but is not is kept as text, and the error is still HTTP', async () => {
    t.server.use(http.get(`${ORIGIN}/api/me`, () => new HttpResponse('{"title": ', { status: 500, headers: { 'content-type': 'application/json' } })));
    const error = await bffFetch('/api/me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BffHttpError);
    expect((error as BffHttpError).status).toBe(500);
    expect((error as BffHttpError).body).toBe('{"title": ');
  });

  it('an error body cut off mid-way still gives the status, without a body', async () => {
    const cutOff = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"title": "Bad'));
          controller.error(new Error('connection reset'));
        },
      });
    for (const contentType of ['application/problem+json', 'text/plain']) {
      t.server.use(http.get(`${ORIGIN}/api/me`, () => new HttpResponse(cutOff(), { status: 502, headers: { 'content-type': contentType } })));
      const error = await bffFetch('/api/me').catch((e: unknown) => e);
      expect(error, contentType).toBeInstanceOf(BffHttpError);
      expect((error as BffHttpError).status).toBe(502);
      expect((error as BffHttpError).body).toBeUndefined();
    }
  });

  it('an error without a content type is kept as text', async () => {
    t.server.use(http.get(`${ORIGIN}/api/me`, () => new HttpResponse(new Blob(['nope']), { status: 400 })));
    const error = await bffFetch('/api/me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BffHttpError);
    expect((error as BffHttpError).body).toBe('nope');
  });

  it('an aborted request rejects as an abort, not as a network error', async () => {
    let arrived!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    // The answer never comes: only the abort can end this request.
    t.server.use(
      http.get(`${ORIGIN}/api/me`, async () => {
        arrived();
        await new Promise(() => {});
      }),
    );
    const controller = new AbortController();
    const pending = bffFetch('/api/me', { signal: controller.signal }).catch((e: unknown) => e);
    await reached;
    controller.abort();
    const error = await pending;
    expect(error).not.toBeInstanceOf(BffNetworkError);
    expect((error as Error).name).toBe('AbortError');
  });

  it('a request aborted before it starts is an abort too', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await bffFetch('/api/me', { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(BffNetworkError);
    expect((error as Error).name).toBe('AbortError');
  });

  it('a network failure with a signal that was never aborted is still a network error', async () => {
    t.server.use(http.get(`${ORIGIN}/api/me`, () => HttpResponse.error()));
    const error = await bffFetch('/api/me', { signal: new AbortController().signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BffNetworkError);
    expect((error as Error).message).toContain('/api/me');
  });

  it('refuses to send the request anywhere but its own origin', async () => {
    await expect(bffFetch('https://evil.example/api/me')).rejects.toThrow(/same-origin/);
    await expect(bffFetch('//evil.example/api/me')).rejects.toThrow(/same-origin/);
  });
});

describe('bffJson', () => {
  it('validates the body and returns typed data', async () => {
    t.server.use(http.get(`${ORIGIN}/api/notes`, () => HttpResponse.json([{ id: 7, text: 'hi', createdAt: '2030-01-01T00:00:00Z' }])));
    const notes = await bffJson('/api/notes', notesSchema);
    expect(notes).toEqual([{ id: '7', text: 'hi', createdAt: '2030-01-01T00:00:00Z' }]);
  });

  it('a 2xx body of the wrong shape is a BffResponseError', async () => {
    t.server.use(http.get(`${ORIGIN}/api/notes`, () => HttpResponse.json({ not: 'a list' })));
    await expect(bffJson('/api/notes', notesSchema)).rejects.toBeInstanceOf(BffResponseError);
  });

  it('a 2xx body that is not JSON is a BffResponseError that says so', async () => {
    t.server.use(http.get(`${ORIGIN}/api/notes`, () => new HttpResponse('<html>', { headers: { 'content-type': 'text/html' } })));
    const error = await bffJson('/api/notes', notesSchema).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BffResponseError);
    expect((error as Error).message).toMatch(/\/api\/notes.*not JSON/);
  });
});
