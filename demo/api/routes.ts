import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readJson, sendEmpty, sendError, sendJson } from './http.ts';
import { NoteStore, validNoteText, MAX_NOTE_LENGTH } from './notes.ts';
import { InvalidTokenError, UpstreamUnavailableError } from './verify.ts';
import type { Caller } from './verify.ts';
import { CALLER_HEADER, routeShowcase } from './showcase.ts';

// Routes of the demo API:
//   GET /health            200, no token needed
//   GET /me                the verified access-token claims
//   GET /notes             the shared notes (JSON array), for any signed-in caller
//   POST /notes {text}     201 the new note, for editors; 403 insufficient_scope for everyone else
//   DELETE /notes/:id      204 for editors, 403 insufficient_scope for everyone else
//   GET /notes/events      server-sent events: `event: notes` with the note count after each change
//   /catalog, /reports, /public, /partner: see showcase.ts

const EDITOR_ROLE = 'editor';
const NOTE_PATH = /^\/notes\/([\w-]{1,64})$/;

function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer +([\w.~+/-]+=*)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

function methodNotAllowed(allow: string): HttpError {
  return new HttpError(405, 'method_not_allowed', undefined, { allow });
}

/** Checked before the body is read or an id looked up, so readers learn nothing from a refusal. */
function requireEditor(caller: Caller, action: string): void {
  if (caller.roles.includes(EDITOR_ROLE)) return;
  throw new HttpError(403, 'insufficient_scope', `${action} requires the editor role`, {
    'www-authenticate': 'Bearer error="insufficient_scope"',
  });
}

export function createApiHandler(verify: (token: string) => Promise<Caller>, opts: { subscriptionKey?: string } = {}) {
  const notes = new NoteStore();

  async function authenticate(req: IncomingMessage): Promise<Caller> {
    const token = bearerToken(req);
    if (!token) {
      // RFC 6750 §3.1: a request without credentials gets a bare challenge, no error code.
      throw new HttpError(401, 'unauthorized', 'a bearer access token is required', { 'www-authenticate': 'Bearer' });
    }
    try {
      return await verify(token);
    } catch (err) {
      if (err instanceof InvalidTokenError) {
        throw new HttpError(401, 'invalid_token', err.message, { 'www-authenticate': 'Bearer error="invalid_token"' });
      }
      if (err instanceof UpstreamUnavailableError) {
        throw new HttpError(503, 'temporarily_unavailable', 'cannot reach the token issuer', { 'retry-after': '1' });
      }
      throw err;
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (path === '/health') {
      if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed('GET, HEAD');
      sendJson(res, 200, { status: 'ok' });
      return;
    }

    if (await routeShowcase(req, res, path, { authenticate, subscriptionKey: opts.subscriptionKey })) return;

    if (path === '/notes/events') {
      await authenticate(req);
      if (method !== 'GET') throw methodNotAllowed('GET');
      streamNoteEvents(req, res);
      return;
    }

    const noteMatch = NOTE_PATH.exec(path);
    if (path !== '/me' && path !== '/notes' && !noteMatch) throw new HttpError(404, 'not_found');

    const caller = await authenticate(req);

    if (path === '/me') {
      if (method !== 'GET') throw methodNotAllowed('GET');
      sendJson(res, 200, { ...caller.claims, sub: caller.sub, roles: caller.roles, scope: caller.scope, caller: caller.name }, { [CALLER_HEADER]: caller.name });
      return;
    }

    if (path === '/notes') {
      if (method === 'GET') {
        sendJson(res, 200, notes.list(), { [CALLER_HEADER]: caller.name });
        return;
      }
      if (method !== 'POST') throw methodNotAllowed('GET, POST');
      requireEditor(caller, 'adding notes');
      const body = await readJson(req);
      const text = validNoteText((body as { text?: unknown } | null)?.text);
      if (text === undefined) {
        throw new HttpError(400, 'invalid_request', `text must be a non-blank string of at most ${MAX_NOTE_LENGTH} characters`);
      }
      const note = notes.add(caller.sub, text);
      sendJson(res, 201, note, { location: `/notes/${note.id}` });
      return;
    }

    if (method !== 'DELETE') throw methodNotAllowed('DELETE');
    requireEditor(caller, 'deleting notes');
    if (!notes.remove(noteMatch?.[1] ?? '')) throw new HttpError(404, 'not_found');
    sendEmpty(res, 204);
  }

  /** The live feed: one event per change, until the caller goes away (the BFF aborts us then). */
  function streamNoteEvents(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    res.write(`event: notes\ndata: ${JSON.stringify({ count: notes.list().length })}\n\n`);
    const off = notes.onChange((count) => res.write(`event: notes\ndata: ${JSON.stringify({ count })}\n\n`));
    req.on('close', off);
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    try {
      await route(req, res, path);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) {
        sendError(res, err);
        return;
      }
      console.error('[demo-api] unexpected error:', err instanceof Error ? err.message : err);
      sendError(res, new HttpError(500, 'server_error'));
    }
  };
}
