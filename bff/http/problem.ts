import type { ServerResponse } from 'node:http';
import { PROBLEM_CONTENT_TYPE } from '../../shared/problem.ts';
import { toProblem } from '../errors.ts';
import { sendJson } from './json.ts';

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
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('cache-control', 'no-store');
  sendJson(res, problem.status, problem, PROBLEM_CONTENT_TYPE);
}
