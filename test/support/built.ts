import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A compiled entry point under dist/ (what `npm start` and operators run: plain JavaScript, no
 * TypeScript loader). `npm test` builds first; a single test file run alone needs `npm run build`.
 */
export function builtEntry(relative: 'bff/main.js' | 'demo/start.js'): string {
  const file = `${ROOT}dist/${relative}`;
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first (npm test does).`);
  return file;
}
