import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '../log.ts';

/**
 * Query parameters whose values are safe to log. Everything else (`code`, `state`, `sid`,
 * `session_state`, an app's own `?token=`) is logged as `[redacted]`: a query string is where
 * secrets leak into logs most often.
 */
const LOGGABLE_QUERY = new Set(['returnTo', 'error', 'error_description', 'iss', 'provider', 'prompt']);

/** The request target as it may be logged: path as sent, query values redacted unless known harmless. */
export function loggablePath(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  if (q === -1) return raw;
  const params = new URLSearchParams(raw.slice(q + 1));
  const shown = [...params].map(([k, v]) => `${encodeURIComponent(k)}=${LOGGABLE_QUERY.has(k) ? encodeURIComponent(v) : '[redacted]'}`);
  return `${raw.slice(0, q)}?${shown.join('&')}`;
}

/**
 * One `debug` line per request once its response ends (or the client goes away): method, path,
 * status, duration. No headers, so no cookie, token or authorization ever reaches it.
 */
export function withAccessLog(log: Logger, handle: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (log.isLevelEnabled('debug')) {
      const start = process.hrtime.bigint();
      res.once('close', () => {
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        log.debug({ event: 'request', method: req.method, path: loggablePath(req.url), status: res.statusCode, ms: Math.round(ms * 10) / 10, ...(res.writableFinished ? {} : { aborted: true }) });
      });
    }
    handle(req, res);
  };
}
