import type { DestinationStream } from 'pino';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };

function value(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  if (v && typeof v === 'object' && 'message' in v && 'type' in v) return JSON.stringify((v as { message: unknown }).message);
  return JSON.stringify(v);
}

/**
 * One pino JSON line as a person reads it: local time, level, event, then `key=value` pairs.
 * `cause` and `fix` (provider diagnoses) go on their own indented lines, since they are sentences.
 */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { time, level, event, msg, cause, fix, ...rest } = entry;
  const at = typeof time === 'number' ? new Date(time).toTimeString().slice(0, 8) : '';
  const head = [at, LEVELS[level as number] ?? String(level), event ?? msg ?? ''].filter(Boolean).join(' ');
  const pairs = Object.entries(rest).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${value(v)}`);
  const lines = [pairs.length ? `${head}  ${pairs.join(' ')}` : head];
  if (typeof cause === 'string') lines.push(`    cause: ${cause}`);
  if (typeof fix === 'string') lines.push(`    fix:   ${fix}`);
  return `${lines.join('\n')}\n`;
}

/** A pino destination that writes pretty lines to `out` (stdout by default). */
export function prettyDestination(out: { write(chunk: string): unknown } = process.stdout): DestinationStream {
  return { write: (line: string) => void out.write(prettyLine(line)) };
}
