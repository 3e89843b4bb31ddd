import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The SPA's dev server proxies the BFF's routes so the session cookie stays same-origin.
const bff = process.env.BFF_DEV_TARGET ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: 'client',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
  server: {
    port: 5173,
    proxy: {
      '/auth': { target: bff, changeOrigin: false, xfwd: true },
      '/api': { target: bff, changeOrigin: false, xfwd: true },
    },
  },
});
