import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The React module ships alone (exports "./react"), and the SPA proves it by talking to the BFF
// only through it. eslint.config.js enforces both; these tests prove the rules fire (a rule with
// a broken pattern would pass every file silently), as someone working around them would try.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const eslint = new ESLint({ cwd: ROOT });

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

const importIn = (spec: string) => ruleIds(`import { x } from '${spec}';\nexport { x };\n`, 'client/bff/probe.ts');

describe('client/bff imports nothing of the demo SPA', () => {
  it.each([
    '../api/notes.ts',
    '../features/api-panel/demoRoutes.ts',
    '../App.tsx',
    './../api/notes.ts',
    '../../shared/../client/api/notes.ts',
    '../../shared/x/../../client/features/home/HomePage.tsx',
    '../../demo/routes.ts',
    '../../bff/config.ts',
    'wouter',
    'zod',
    'react-domx',
  ])('refuses %s', async (spec) => {
    expect(await importIn(spec)).toContain('no-restricted-imports');
  });

  it('refuses a re-export and a dynamic import from the SPA', async () => {
    expect(await ruleIds("export * from '../api/queries.ts';\n", 'client/bff/probe.ts')).toContain('no-restricted-imports');
    expect(await ruleIds("export const load = () => import('../api/notes.ts');\n", 'client/bff/probe.ts')).toContain('no-restricted-syntax');
  });

  it.each(['./errors.ts', 'react', 'react-dom/client', '@tanstack/react-query', 'zod/mini', '../../shared/paths.ts'])('allows %s', async (spec) => {
    expect(await importIn(spec)).toEqual([]);
  });
});

describe('the SPA reaches the BFF only through client/bff', () => {
  it.each([
    ["fetch('/api/notes');", 'no-restricted-globals'],
    ["window.fetch('/api/notes');", 'no-restricted-properties'],
    ["globalThis.fetch('/api/notes');", 'no-restricted-properties'],
    ["location.assign('/auth/login?returnTo=%2F');", 'no-restricted-syntax'],
    ['const sid = 1; location.assign(`/auth/logout?sid=${sid}`);', 'no-restricted-syntax'],
    ["import { paths } from '../../shared/paths.ts';\nlocation.assign(paths.login);", 'no-restricted-syntax'],
    ["import { problemSchema } from '../../shared/problem.ts';\nexport { problemSchema };", 'no-restricted-imports'],
  ])('refuses %s', async (code, rule) => {
    expect(await ruleIds(code, 'client/features/probe/probe.ts')).toContain(rule);
  });

  it('lets the SPA name its own routes from shared/paths', async () => {
    expect(await ruleIds("import { paths } from '../../shared/paths.ts';\nexport const where = paths.loginError + paths.api;\n", 'client/features/probe/probe.ts')).toEqual([]);
  });
});
