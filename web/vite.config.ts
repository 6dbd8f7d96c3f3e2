import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Builds the console into dist/web, which the API serves at `/` (src/http/console.ts). */
export default defineConfig({
  root: here,
  plugins: [react()],
  build: {
    outDir: path.resolve(here, '../dist/web'),
    emptyOutDir: true,
    // The CSP allows no inline script or data: script, so every module is its own file.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 700,
  },
  server: {
    // `npx vite web` during development: the API runs beside it (npm start) and answers /api etc.
    proxy: Object.fromEntries(
      ['/api', '/auth', '/client', '/docs', '/openapi.json', '/downloads'].map((prefix) => [
        prefix,
        'http://127.0.0.1:8080',
      ]),
    ),
  },
});
