import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountService } from '../../src/accounts/account-service.ts';
import { TokenService } from '../../src/accounts/tokens.ts';
import { Problem } from '../../src/contract/problem-schema.ts';
import { principalOf } from '../../src/http/auth.ts';
import { sendProblem, toAppError } from '../../src/http/problem.ts';
import { routeAccess } from '../../src/http/route-access.ts';
import { type OpenedStore, STORE_BACKENDS } from '../store/store-backends.ts';

/**
 * `config.access`, the one place a route says who may call it: a route of the API without it stops
 * the app from starting, so none can be added unguarded; a route with it gets its credentials check
 * before anything else runs, and its scope in the OpenAPI document.
 */

let opened: OpenedStore;
let accounts: AccountService;

beforeAll(async () => {
  opened = await STORE_BACKENDS[0]!.open();
  accounts = new AccountService(
    opened.store,
    new TokenService('a route-access test secret of 32+ bytes', 60_000),
  );
});
afterAll(async () => opened?.dispose());

/** Every route as the app finally declared it, after the access plugin's changes. */
const declared: RouteOptions[] = [];

/** An app with the access plugin and the given routes, started (`ready`). */
async function appWith(declare: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.addSchema(Problem);
  app.setErrorHandler((error, request, reply) => sendProblem(reply, toAppError(error as Error, request)));
  await app.register(routeAccess, { accounts });
  app.addHook('onRoute', (route) => {
    declared.push(route);
  });
  declare(app);
  await app.ready();
  return app;
}

describe('a route without access', () => {
  it.each([
    ['GET', '/api/v1/forgotten'],
    ['POST', '/client/v1/forgotten'],
    ['DELETE', '/auth/v1/forgotten'],
  ])('under the API (%s %s) stops the app from starting, saying what to add', async (method, url) => {
    await expect(
      appWith((app) => {
        app.route({ method: method as 'GET', url, handler: async () => ({ leaked: true }) });
      }),
    ).rejects.toThrow(
      `${method} ${url} declares no access: add config: { access: 'read' | 'write' | 'admin' | 'user' | 'public' }`,
    );
  });

  it('in a plugin of its own is caught as well', async () => {
    await expect(
      appWith((app) => {
        void app.register(async (inner) => {
          inner.get('/api/v1/nested', async () => ({ leaked: true }));
        });
      }),
    ).rejects.toThrow('GET /api/v1/nested declares no access');
  });

  it('outside the API (probes, docs, the console) needs none', async () => {
    const app = await appWith((a) => {
      a.get('/healthz-too', async () => ({ ok: true }));
    });
    expect((await app.inject({ method: 'GET', url: '/healthz-too' })).statusCode).toBe(200);
    await app.close();
  });
});

describe('a route with access', () => {
  let app: FastifyInstance;
  let handled = 0;

  beforeAll(async () => {
    app = await appWith((a) => {
      a.post(
        '/api/v1/things',
        {
          config: { access: 'write' },
          schema: { body: { type: 'object', required: ['n'] }, security: [{ apiKey: [] }, { bearer: [] }] },
        },
        async (request) => {
          handled += 1;
          return { organization: principalOf(request).organizationId };
        },
      );
      a.get('/api/v1/open', { config: { access: 'public' } }, async () => ({ open: true }));
    });
  });
  afterAll(async () => app?.close());

  it('refuses callers before the body is read, and lets the right one through', async () => {
    const post = (headers: Record<string, string>, payload = '{') =>
      app.inject({
        method: 'POST',
        url: '/api/v1/things',
        headers: { 'content-type': 'application/json', ...headers },
        payload,
      });
    const none = await post({});
    expect([none.statusCode, none.json().code]).toEqual([401, 'unauthorized']);

    // A real user, organisation and key of the store; a key of `read` only lacks `write`.
    await opened.store.createOrganizationWithUser(
      { id: 'org-r', name: 'R', createdAt: new Date().toISOString() },
      {
        id: 'u-r',
        organizationId: 'org-r',
        email: 'r@example.com',
        passwordHash: 'x',
        firstName: 'R',
        lastName: 'R',
        createdAt: new Date().toISOString(),
      },
    );
    const principal = { organizationId: 'org-r', userId: 'u-r' };
    const reader = await accounts.createClient(principal, 'reader', ['read']);
    const writer = await accounts.createClient(principal, 'writer', ['write']);
    const refused = await post({ 'x-api-key': reader.api_key });
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'scope_missing']);
    expect(handled).toBe(0);

    const malformed = await post({ 'x-api-key': writer.api_key });
    expect(malformed.statusCode).toBe(400);
    const done = await post({ 'x-api-key': writer.api_key }, '{"n":1}');
    expect([done.statusCode, done.json()]).toEqual([200, { organization: 'org-r' }]);
    expect(handled).toBe(1);
    expect((await app.inject({ method: 'GET', url: '/api/v1/open' })).json()).toEqual({ open: true });
  });

  it('documents the scope its API key needs, and the 403 of a key without it', () => {
    const route = declared.find((r) => r.url === '/api/v1/things');
    const schema = route?.schema as { security: unknown; response: Record<number, { description: string }> };
    expect(schema.security).toEqual([{ apiKey: ['write'] }, { bearer: [] }]);
    expect(schema.response[403]?.description).toBe(
      'Refused: an API key without the `write` scope (scope_missing), or a browser session without its ' +
        'X-CSRF-Token (csrf_failed)',
    );
  });
});
