import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

// The unit and integration pass on Node 24 (`npm run test:node24`, a step of .ci/run). Browser and
// dev-server tests run once, on the machine's own Node, in `npm test`: they test Chromium and Vite,
// not the runtime, and would double the suite's time.
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: ['test/e2e/**', 'test/dev/**', 'node_modules/**'],
      outputFile: { json: 'test-results/vitest-node24.json' },
    },
  }),
);
