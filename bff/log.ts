import { pino, type Logger, type DestinationStream } from 'pino';
import { prettyDestination } from './log-pretty.ts';

export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT when set; otherwise pretty for a person at a terminal, JSON for a log collector. */
export function resolveLogFormat(forced: LogFormat | undefined, stdout: { isTTY?: boolean } = process.stdout): LogFormat {
  return forced ?? (stdout.isTTY ? 'pretty' : 'json');
}

/**
 * Paths pino censors wherever they appear in a log object. Tokens never reach a log call by design;
 * this is the second line of defence for headers and token-endpoint shapes.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.code_verifier',
  '*.client_secret',
  '*.token',
  'access_token',
  'refresh_token',
  'id_token',
];

/** `format: 'pretty'` renders each line for people (bff/log-pretty.ts), to `destination` or stdout. */
export function createLogger(level: string, destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  const out = format === 'pretty' ? prettyDestination(destination ?? process.stdout) : destination;
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: undefined,
      // Error causes from HTTP clients can carry request options; keep only what helps diagnosis.
      serializers: { err: serializeError },
    },
    out,
  );
}

function serializeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const e = err as Error & { code?: unknown; status?: unknown; error?: unknown };
  return { type: e.name, message: e.message, code: e.code, status: e.status, error: e.error, stack: e.stack };
}

export type { Logger };
