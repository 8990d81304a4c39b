/**
 * Serves the built browser app (Vite's `dist/app`): hashed files under `assets/` are cached for a
 * year as immutable, everything else (index.html above all) is revalidated on every load so a
 * deployment takes effect at once. Extension-less GET paths outside `/api` and `/socket.io` fall
 * back to index.html (client-side routes). Without a build, a 503 page says how to make one.
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler, type Response, Router } from 'express';
import { setMetricsRoute } from './http-metrics.js';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mekong IOC — app not built</title></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 4rem auto">
<h1>The browser app has not been built</h1>
<p>The web server is running (the API answers under <code>/api</code>), but it found no
<code>index.html</code> in its app directory.</p>
<p>Build the app with <code>npm run build:app</code> (or start with <code>npm start</code>, which builds it), then reload.</p>
</body></html>
`;

function isAppRoute(urlPath: string): boolean {
  if (urlPath === '/api' || urlPath.startsWith('/api/') || urlPath.startsWith('/socket.io')) return false;
  const lastSegment = urlPath.slice(urlPath.lastIndexOf('/') + 1);
  return !lastSegment.includes('.');
}

function sendIndex(res: Response, indexFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    res.set('Cache-Control', REVALIDATE);
    res.sendFile(indexFile, { cacheControl: false }, (error) => (error ? reject(error) : resolve()));
  });
}

/** Static files of `appDir` plus the SPA fallback. Mount after the API routes. */
export function staticApp(appDir: string): RequestHandler {
  const root = path.resolve(appDir);
  const indexFile = path.join(root, 'index.html');
  const router = Router();

  router.use((_req, res, next) => {
    setMetricsRoute(res, 'app');
    next();
  });
  router.use(
    express.static(root, {
      index: false,
      redirect: false,
      cacheControl: false,
      setHeaders: (res, file) => {
        const relative = path.relative(root, file);
        res.setHeader('Cache-Control', relative.startsWith(`assets${path.sep}`) ? IMMUTABLE : REVALIDATE);
      },
    }),
  );
  router.use(async (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !isAppRoute(req.path)) {
      next();
      return;
    }
    if (!fs.existsSync(indexFile)) {
      res.status(503).set('Cache-Control', 'no-store').type('html').send(NOT_BUILT_PAGE);
      return;
    }
    try {
      await sendIndex(res, indexFile);
    } catch (error) {
      if (!res.headersSent && !res.destroyed) next(error);
    }
  });
  return router;
}
