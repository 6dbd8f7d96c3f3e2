import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_ROUTES, consolePlugin } from '../../src/http/console.ts';
import { call, startTestServer, type TestServer } from '../support/api.ts';

const INDEX = '<!doctype html><title>Audiences</title><script type="module" src="/assets/app-1.js"></script>';

/** A stand-in for `dist/web`: what the plugin serves does not depend on what Vite put in it. */
function builtConsole(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-console-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), INDEX);
  fs.writeFileSync(path.join(dir, 'assets', 'app-1.js'), 'console.log(1);');
  return dir;
}

describe('the console plugin', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers index.html at every console route, with a CSP that allows no inline script', async () => {
    const dir = builtConsole();
    dirs.push(dir);
    const app = Fastify();
    await app.register(consolePlugin, { dir });
    for (const route of CONSOLE_ROUTES) {
      const reply = await app.inject({ method: 'GET', url: route.replace(':task_id', 'abc') });
      expect(reply.statusCode, route).toBe(200);
      expect(reply.body).toBe(INDEX);
      expect(reply.headers['content-type']).toContain('text/html');
      expect(reply.headers['cache-control']).toBe('no-cache');
      const csp = String(reply.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
    }
    const asset = await app.inject({ method: 'GET', url: '/assets/app-1.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe('console.log(1);');
    expect(asset.headers['cache-control']).toContain('immutable');
    expect(asset.headers['content-security-policy']).toBeDefined();
    expect((await app.inject({ method: 'GET', url: '/assets/missing.js' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/not-a-console-page' })).statusCode).toBe(404);
    await app.close();
  });

  it('says to run npm run build:web when the console was never built', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-console-'));
    dirs.push(dir);
    const app = Fastify();
    await app.register(consolePlugin, { dir });
    const reply = await app.inject({ method: 'GET', url: '/' });
    expect(reply.statusCode).toBe(503);
    expect(reply.headers['content-type']).toContain('application/problem+json');
    expect(reply.json()).toMatchObject({ code: 'console_not_built', status: 503 });
    expect(reply.json().detail).toContain('npm run build:web');
    await app.close();
  });
});

describe('the console inside the API', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => t?.close());

  it('leaves the API, the probes and the docs as they were', async () => {
    const unknown = await call(t.url, 'GET', '/api/v1/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    const health = await call(t.url, 'GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.headers.get('content-security-policy')).toBeNull();
    const docs = await fetch(`${t.url}/docs/`);
    expect(docs.status).toBe(200);
    // Swagger UI runs an inline script: the console's policy must not reach it.
    expect(docs.headers.get('content-security-policy') ?? '').not.toContain("script-src 'self'");
    const document = await call(t.url, 'GET', '/openapi.json');
    expect(Object.keys(document.body.paths).some((p) => p === '/' || p.startsWith('/tasks'))).toBe(false);
  });
});
