import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { AppError } from '../errors.ts';
import { sendProblem } from './problem.ts';

/** Where `npm run build:web` writes the console: `dist/web` at the root of the package. */
export const DEFAULT_CONSOLE_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../dist/web',
);

/**
 * The console's own pages (its client-side routes): each answers `index.html`, so a reload or a
 * shared link opens the same screen. Listed one by one rather than as a catch-all, so the console
 * can never shadow the API's routes or turn an unknown API path into an HTML page.
 */
export const CONSOLE_ROUTES = [
  '/',
  '/login',
  '/signup',
  '/keys',
  '/audiences',
  '/audiences/saved',
  '/audiences/:audience_id',
  '/tasks',
  '/tasks/:task_id',
];

/**
 * What the console's pages and assets may load: only files of this origin, no inline script or
 * style, no plugins, no framing. `/docs` (Swagger UI) is outside this plugin and keeps its own rules.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface ConsoleOptions {
  /** The built console (its `index.html` and `assets/`). @defaultValue {@link DEFAULT_CONSOLE_DIR} */
  dir?: string;
}

/**
 * Serves the web console built by Vite: hashed assets under `/assets/` (cached for good) and
 * `index.html` at each console route (never cached, so a new build is picked up at once). Without a
 * build, the console's routes answer `console_not_built` saying how to build it.
 */
export const consolePlugin: FastifyPluginAsync<ConsoleOptions> = async (app, options) => {
  const dir = options.dir ?? DEFAULT_CONSOLE_DIR;
  const built = fs.existsSync(path.join(dir, 'index.html'));

  app.addHook('onSend', async (_request, reply: FastifyReply) => {
    reply.header('content-security-policy', CONSOLE_CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
  });

  if (!built) {
    for (const url of CONSOLE_ROUTES) {
      app.get(url, { schema: { hide: true } }, (_request, reply) =>
        sendProblem(
          reply,
          new AppError(
            'console_not_built',
            `the web console is not built (no ${path.join(dir, 'index.html')}); run npm run build:web`,
          ),
        ),
      );
    }
    return;
  }

  await app.register(fastifyStatic, {
    root: path.join(dir, 'assets'),
    prefix: '/assets/',
    index: false,
    // File names carry a content hash: a changed file is a new URL.
    maxAge: '365d',
    immutable: true,
  });
  for (const url of CONSOLE_ROUTES) {
    app.get(url, { schema: { hide: true } }, (_request, reply) =>
      reply.header('cache-control', 'no-cache').sendFile('index.html', dir, { cacheControl: false }),
    );
  }
};
