import type { ServerResponse } from 'node:http';

/** What `res.json` would have sent; clients and tests read the charset. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * Every JSON body the BFF writes itself (session, readiness, providers, OAuth and problem answers)
 * goes out here. Not express's `res.json`: that resolves a constant content type through mime-types
 * on every call and offers ETag/JSONP options this app turns off, and keeping mime-types out of the
 * API path means the standalone bundle loads its database only when it serves a static file.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, contentType: string = JSON_CONTENT_TYPE): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', contentType);
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}
