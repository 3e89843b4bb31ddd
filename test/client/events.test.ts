// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://localhost:3000/"}
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { bffEvents, BffProblemError, type BffEvent } from '../../client/bff/index.ts';
import { ORIGIN, problem } from './support/bff.ts';
import { setupClientTests } from './support/setup.tsx';

const t = setupClientTests();

/** A response whose body arrives in exactly these chunks. */
function chunked(chunks: string[]): HttpResponse<ReadableStream> {
  const encoder = new TextEncoder();
  const body = new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(c));
      controller.close();
    },
  });
  return new HttpResponse(body, { headers: { 'content-type': 'text/event-stream' } });
}

describe('bffEvents', () => {
  it('parses events split anywhere across chunks, with names, multi-line data, comments and CRLF', async () => {
    let csrf: string | null = null;
    t.server.use(
      http.get(`${ORIGIN}/api/feed`, ({ request }) => {
        csrf = request.headers.get('x-csrf');
        return chunked([': hello\n\nevent: no', 'tes\ndata: {"count":1}\n', '\ndata: line one\r\ndata: line two\r\n\r\ndata:no-space\n\n']);
      }),
    );
    const seen: BffEvent[] = [];
    await bffEvents('/api/feed', (e) => seen.push(e));
    expect(csrf).toBe('1');
    expect(seen).toEqual([
      { event: 'notes', data: '{"count":1}' },
      { event: 'message', data: 'line one\nline two' },
      { event: 'message', data: 'no-space' },
    ]);
  });

  it('rejects like bffFetch when the BFF refuses the stream', async () => {
    t.server.use(http.get(`${ORIGIN}/api/feed`, () => problem(401, 'unauthenticated', 'Unauthorized')));
    await expect(bffEvents('/api/feed', () => undefined)).rejects.toBeInstanceOf(BffProblemError);
  });
});
