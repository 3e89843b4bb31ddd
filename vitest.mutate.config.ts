import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.ts';

// What Stryker runs per mutant: the unit, integration and security tests. The browser and
// real-provider tests exercise the same code far more slowly and would only stretch the run.
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: ['test/e2e/**', 'test/demo/**', 'node_modules/**'],
      reporters: ['default'],
      outputFile: {},
    },
  }),
);
