import type { Request, Response, NextFunction } from 'express';
import { BadRequest } from '../errors.ts';

/** Longest request target accepted; longer ones are refused before any routing (414). */
export const MAX_URL_LENGTH = 8192;

/**
 * Refuses a query string that is not well-formed: broken percent-encoding (`%zz`, `%E0%A4%A`) or a
 * parameter given twice. Parsers disagree on both (first wins, last wins, arrays), which is how
 * parameter-pollution attacks slip a second value past a check.
 */
export function assertWellFormedQuery(req: Request, _res: Response, next: NextFunction): void {
  const url = req.originalUrl;
  const q = url.indexOf('?');
  if (q === -1) return next();
  const seen = new Set<string>();
  for (const pair of url.slice(q + 1).split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    let name: string;
    try {
      name = decodeURIComponent((eq === -1 ? pair : pair.slice(0, eq)).replaceAll('+', ' '));
      if (eq !== -1) decodeURIComponent(pair.slice(eq + 1).replaceAll('+', ' '));
    } catch {
      throw new BadRequest('The query string is not valid percent-encoding.');
    }
    if (seen.has(name)) throw new BadRequest(`The query parameter "${name.slice(0, 40)}" is given more than once.`);
    seen.add(name);
  }
  next();
}
