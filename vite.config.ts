import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { precompress } from './build/compress.ts';
import { bffDevProxy } from './demo/dev-proxy.ts';

// The SPA's dev server proxies the BFF's routes so the session cookie stays same-origin.
// `npm run dev` (demo/dev.ts) sets both; they are read here too so a bare `vite` behaves the same.
const bff = process.env.BFF_DEV_TARGET ?? 'http://127.0.0.1:3000';
const devPort = Number(process.env.DEV_PORT || 5173);

/** Gzipped JavaScript the browser downloads; the build fails above this. */
const JS_BUDGET_KB = 100;

/**
 * Sums the gzipped size of every emitted JS file and fails the build when it exceeds the budget,
 * so a heavy dependency is noticed in the PR that adds it rather than by users on slow phones.
 * KB here is 1000 bytes, matching the sizes Vite itself prints.
 */
function jsBudget(budgetKb: number): Plugin {
  return {
    name: 'js-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      let bytes = 0;
      for (const file of Object.values(bundle)) {
        if (file.type === 'chunk') bytes += gzipSync(file.code).length;
        else if (file.fileName.endsWith('.js')) bytes += gzipSync(file.source).length;
      }
      const kb = bytes / 1000;
      process.stdout.write(`JS shipped: ${kb.toFixed(1)} KB gzipped (budget ${budgetKb} KB)\n`);
      if (kb > budgetKb) this.error(`JS budget exceeded: ${kb.toFixed(1)} KB gzipped > ${budgetKb} KB`);
    },
  };
}

export default defineConfig({
  root: 'client',
  plugins: [react(), jsBudget(JS_BUDGET_KB), precompress()],
  build: {
    // Beside the compiled BFF (dist/bff), which serves it by default.
    outDir: '../dist/spa',
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    // The provider redirects back to this exact port: moving to another one would break sign-in.
    port: devPort,
    strictPort: true,
    host: '127.0.0.1',
    proxy: bffDevProxy(bff, fileURLToPath(new URL('./client', import.meta.url))),
  },
});
