import { pino, type Logger, type DestinationStream } from 'pino';

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

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: undefined,
      // Error causes from HTTP clients can carry request options; keep only what helps diagnosis.
      serializers: { err: serializeError },
    },
    destination,
  );
}

function serializeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const e = err as Error & { code?: unknown; status?: unknown; error?: unknown };
  return { type: e.name, message: e.message, code: e.code, status: e.status, error: e.error, stack: e.stack };
}

export type { Logger };
