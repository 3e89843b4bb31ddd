import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import express, { type Request, type Response, type NextFunction } from 'express';
import { pickEncoding } from './accept-encoding.ts';

/** Vite names built assets with a content hash: they never change, so they may be cached forever. */
const HASHED_ASSET = /\/assets\/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Text files the build precompresses (build/compress.ts); the rest are served as they are. */
const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|txt|xml|webmanifest|map)$/;

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>BFF</title></head>
<body><main><h1>The SPA is not built</h1><p>Run <code>npm run build</code> (or <code>npm start</code>, which builds it).</p>
<p><a href="/auth/login">Sign in</a> · <a href="/auth/session">Session</a></p></main></body></html>`;

const cacheControlFor = (urlPath: string) => (HASHED_ASSET.test(urlPath) ? IMMUTABLE : 'no-cache');

/**
 * The file under `distDir` that a request path names, or undefined for anything that is not a
 * plain relative path (dot segments, backslashes, NUL, bad escapes). Those are left to
 * express.static, which refuses them as it always has: this fast path never widens what is served.
 */
function fileFor(distDir: string, urlPath: string): string | undefined {
  if (/%(?:2f|5c|00)/i.test(urlPath)) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (!decoded.startsWith('/') || /[\\\0]/.test(decoded)) return undefined;
  const segments = decoded.slice(1).split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.startsWith('.'))) return undefined;
  const file = join(distDir, ...segments);
  return file.startsWith(distDir + sep) ? file : undefined;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Sends `file` as the build precompressed it, in the best encoding the browser accepts
 * (`file.br`, `file.gz`, or the file itself), with the original's Content-Type. Every answer
 * varies by Accept-Encoding, so a shared cache keeps the variants apart.
 */
async function sendNegotiated(req: Request, res: Response, file: string, cacheControl: string): Promise<boolean> {
  if (!COMPRESSIBLE.test(file) || !(await isFile(file))) return false;
  res.vary('Accept-Encoding');
  res.setHeader('cache-control', cacheControl);
  res.type(extname(file));
  const encoding = pickEncoding(req.get('accept-encoding'));
  const variant = encoding && (await isFile(file + encoding.suffix)) ? encoding : undefined;
  if (variant) res.setHeader('content-encoding', variant.coding);
  await new Promise<void>((resolve, reject) => {
    res.sendFile(variant ? file + variant.suffix : file, (err) => {
      // A browser that went away mid-file is no error; anything else is answered as a problem,
      // which must not claim to be brotli.
      if (!err || res.headersSent) return resolve();
      res.removeHeader('content-encoding');
      reject(err);
    });
  });
  return true;
}

/**
 * The built SPA: hashed assets `immutable`, documents `no-cache`, text files precompressed, and
 * every unknown GET path gets `index.html` so client-side routes survive a reload.
 */
export function createStaticHandler(dir: string) {
  // Absolute and without a trailing separator: res.sendFile needs the one, the containment check the other.
  const distDir = resolve(dir);
  const index = join(distDir, 'index.html');
  const files = express.static(distDir, {
    index: false,
    fallthrough: true,
    setHeaders(res, path) {
      res.setHeader('cache-control', cacheControlFor(path.replaceAll('\\', '/')));
    },
  });
  return [
    async function precompressed(req: Request, res: Response, next: NextFunction): Promise<void> {
      if (req.method !== 'GET' && req.method !== 'HEAD') return next();
      const file = fileFor(distDir, req.path);
      if (!file) return next();
      if (!(await sendNegotiated(req, res, file, cacheControlFor(req.path)))) next();
    },
    files,
    async function spaFallback(req: Request, res: Response, next: NextFunction): Promise<void> {
      if (req.method !== 'GET' && req.method !== 'HEAD') return next();
      if (!existsSync(index)) {
        res.setHeader('cache-control', 'no-cache');
        res.status(200).type('html').send(NOT_BUILT);
        return;
      }
      if (!(await sendNegotiated(req, res, index, 'no-cache'))) next();
    },
  ];
}
