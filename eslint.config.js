import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['.stryker-tmp/', 'node_modules/', 'client/dist/', 'dist/', 'coverage/', 'test-results/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    // `import { z } from 'zod'` hands esbuild one object holding all of zod, translations included
    // (300 KB of the standalone bundle); with `import * as z` it keeps only what is used.
    files: ['bff/**', 'shared/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='zod'] > :matches(ImportSpecifier[imported.name='z'], ImportDefaultSpecifier)",
          message: "Write `import * as z from 'zod'`: the bundle then leaves out what is not used.",
        },
      ],
    },
  },
  {
    // The React module (exports "./react") ships on its own: only its peer dependencies, zod/mini,
    // its own files and shared/ may be imported, never the demo SPA around it.
    files: ['client/bff/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!(?:react|react-dom|@tanstack/react-query|zod/mini)(?:/|$)|\\./|\\.\\./\\.\\./shared/)',
              message: 'client/bff is published alone: import only react, react-dom, @tanstack/react-query, zod/mini, ./ and ../../shared/.',
            },
            {
              // `./../api/…` or `../../shared/../client/…` would pass the rule above.
              regex: '^(?:\\.\\./\\.\\./shared/(?:.*/)?|(?!\\.\\./\\.\\./shared/)(?:.*/)?)\\.\\.(?:/|$)',
              message: 'client/bff is published alone: no way out of client/bff but ../../shared/.',
            },
          ],
        },
      ],
      'no-restricted-syntax': ['error', { selector: 'ImportExpression', message: 'client/bff imports statically, so the rule above sees every import.' }],
    },
  },
  {
    // The SPA talks to the BFF only through its React module (client/bff).
    files: ['client/**'],
    ignores: ['client/bff/**'],
    rules: {
      'no-restricted-globals': ['error', { name: 'fetch', message: 'Call the BFF through client/bff (bffFetch, bffJson).' }],
      'no-restricted-properties': [
        'error',
        { object: 'window', property: 'fetch', message: 'Call the BFF through client/bff (bffFetch, bffJson).' },
        { object: 'globalThis', property: 'fetch', message: 'Call the BFF through client/bff (bffFetch, bffJson).' },
      ],
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '/shared/problem(\\.ts)?$', message: 'Problems are read by client/bff: use its error classes.' }] },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'Literal[value=/^\\/auth\\//]', message: "Build the BFF's /auth URLs with client/bff (loginUrl, signIn, signOut)." },
        { selector: 'TemplateElement[value.raw=/^\\/auth\\//]', message: "Build the BFF's /auth URLs with client/bff (loginUrl, signIn, signOut)." },
        {
          selector: "MemberExpression[object.name='paths'][property.name=/^(login|callback|session|logout)$/]",
          message: "Build the BFF's /auth URLs with client/bff (loginUrl, signIn, signOut).",
        },
      ],
    },
  },
  {
    files: ['bench/**', 'demo/**', 'bff/main.ts', 'test/**'],
    rules: { 'no-console': 'off' },
  },
);
