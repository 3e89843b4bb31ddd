import type { ServerResponse } from 'node:http';
import { PROBLEM_CONTENT_TYPE } from '../../shared/problem.ts';
import { toProblem } from '../errors.ts';

/**
 * The one place that renders an error. Express's error handler and the raw `/api` fast path both
 * end here, so every error the BFF makes has the same shape and headers.
 */
export function sendProblem(res: ServerResponse, err: unknown): void {
  const { headers, ...problem } = toProblem(err);
  if (res.headersSent) {
    // Mid-stream failure: the status is gone; cutting the connection is the only honest signal.
    res.destroy();
    return;
  }
  const body = JSON.stringify(problem);
  res.statusCode = problem.status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('content-type', PROBLEM_CONTENT_TYPE);
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}
