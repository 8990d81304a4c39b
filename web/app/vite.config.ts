/**
 * Builds the browser app (React + Leaflet) into dist/app at the repository root, where the web
 * server serves it. Everything the app needs is bundled: no CDN scripts, styles, fonts or tiles.
 * `npm run build:app` = `vite build --config web/app/vite.config.ts`.
 */
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const appRoot = import.meta.dirname;

export default defineConfig({
  root: appRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: path.resolve(appRoot, '../../dist/app'),
    emptyOutDir: true,
    sourcemap: true,
    // The app is served from the platform, often on isolated networks: keep one predictable bundle.
    chunkSizeWarningLimit: 1024,
  },
  server: {
    // `npx vite --config web/app/vite.config.ts` during development proxies the API to a running platform.
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/socket.io': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
});
