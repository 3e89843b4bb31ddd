import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Request, type Response, type NextFunction } from 'express';

/** Vite names built assets with a content hash: they never change, so they may be cached forever. */
const HASHED_ASSET = /\/assets\/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>BFF</title></head>
<body><main><h1>The SPA is not built</h1><p>Run <code>npm run build</code> (or <code>npm start</code>, which builds it).</p>
<p><a href="/auth/login">Sign in</a> · <a href="/auth/session">Session</a></p></main></body></html>`;

/**
 * The built SPA: hashed assets `immutable`, documents `no-cache`, and every unknown GET path gets
 * `index.html` so client-side routes survive a reload.
 */
export function createStaticHandler(distDir: string) {
  const index = join(distDir, 'index.html');
  const files = express.static(distDir, {
    index: false,
    fallthrough: true,
    setHeaders(res, path) {
      res.setHeader('cache-control', HASHED_ASSET.test(path.replaceAll('\\', '/')) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return [
    files,
    function spaFallback(req: Request, res: Response, next: NextFunction): void {
      if (req.method !== 'GET' && req.method !== 'HEAD') return next();
      res.setHeader('cache-control', 'no-cache');
      if (!existsSync(index)) {
        res.status(200).type('html').send(NOT_BUILT);
        return;
      }
      res.sendFile(index);
    },
  ];
}
