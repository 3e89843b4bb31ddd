// Mutation testing (StrykerJS 9 + its Vitest runner): `npm run mutate`, outside `npm test` because a
// full run takes far longer than the suite. Narrow it with `npm run mutate -- --mutate 'bff/relay/**/*.ts'`.
// Stryker 9 is the last line that runs on Node 20 (10 needs Node 22).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    'bff/session/**/*.ts',
    'bff/relay/**/*.ts',
    'bff/oidc/**/*.ts',
    'bff/http/**/*.ts',
    'client/bff/**/*.ts',
    'client/bff/**/*.tsx',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'test-results/mutation/index.html' },
  jsonReporter: { fileName: 'test-results/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignoreStatic: true,
};
