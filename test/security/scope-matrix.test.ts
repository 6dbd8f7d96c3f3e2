import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, call, type Reply, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { type ServedRoute, servedRoutes } from '../support/routes.ts';

/**
 * Every route of the API, as the running app's router lists them (a route added without a line
 * here fails the first test), against every kind of caller: nobody, an API key of each scope, a key
 * made without scopes, a user's login token, the console's cookie, and a login that was logged
 * out. What each route needs is written down below, apart from the code under test.
 */

type Need = 'public' | 'user' | 'read' | 'write' | 'admin';

const NEEDS: Record<string, Need> = {
  'POST /auth/v1/register': 'public',
  'POST /auth/v1/login': 'public',
  'POST /auth/v1/session': 'public',
  'GET /auth/v1/session': 'public',
  'DELETE /auth/v1/session': 'public',
  'POST /auth/v1/logout': 'user',
  'POST /auth/v1/password': 'user',
  'POST /client/v1': 'user',
  'GET /client/v1': 'user',
  'DELETE /client/v1/:client_id': 'user',
  'POST /api/v1/intent_hive_tasks': 'write',
  'POST /api/v1/intent_hive_tasks/estimate': 'read',
  'POST /api/v1/generic_parquet_tasks': 'write',
  'POST /api/v1/generic_parquet_tasks/estimate': 'read',
  'GET /api/v1/status': 'read',
  'GET /api/v1/status/:task_id': 'read',
  'GET /api/v1/tasks/:task_id/manifest': 'read',
  'GET /api/v1/tasks/:task_id/preview': 'read',
  'GET /api/v1/tasks/:task_id/archive': 'read',
  'POST /api/v1/tasks/:task_id/unload': 'write',
  'POST /api/v1/tasks/:task_id/cancel': 'write',
  'POST /api/v1/tasks/:task_id/retry': 'write',
  'GET /api/v1/catalog/intent': 'read',
  'GET /api/v1/catalog/intent/topics': 'read',
  'GET /api/v1/downloads/:file_id/:name': 'public',
  'POST /api/v1/audiences': 'write',
  'GET /api/v1/audiences': 'read',
  'POST /api/v1/audiences/estimate': 'read',
  'GET /api/v1/audiences/:audience_id': 'read',
  'PATCH /api/v1/audiences/:audience_id': 'write',
  'DELETE /api/v1/audiences/:audience_id': 'write',
  'POST /api/v1/audiences/:audience_id/runs': 'write',
  'GET /api/v1/audiences/:audience_id/runs': 'read',
  'GET /api/v1/audiences/:audience_id/runs/:run_id': 'read',
  'POST /api/v1/audiences/:audience_id/resync': 'write',
  'POST /api/v1/overlap': 'read',
  'POST /api/v1/webhooks': 'admin',
  'GET /api/v1/webhooks': 'admin',
  'DELETE /api/v1/webhooks/:webhook_id': 'admin',
  'GET /api/v1/webhooks/:webhook_id/deliveries': 'admin',
};

/** Routes that end the session they are called with: each call gets a login of its own. */
const ENDS_SESSION = new Set(['POST /auth/v1/logout', 'DELETE /auth/v1/session']);

/** The API's routes: everything else the app serves is the docs, probes, metrics and the console's pages. */
const API = /^\/(api|client|auth)\//;

/** The codes of a refusal for want of credentials or scope. */
const REFUSALS = ['unauthorized', 'session_ended', 'scope_missing', 'csrf_failed'];

interface Caller {
  name: string;
  /** An API key's scopes; undefined for anything but a key. */
  scopes?: Need[];
  /** What a route needing `need` answers this caller: let through, or refused with this status and code. */
  expect: (need: Need) => 'through' | [number, string];
  /** The request's credentials; `fresh` asks for a login of its own. */
  headers: (fresh: boolean) => Promise<Record<string, string>>;
}

let t: TestServer;
let ada: Account;
let routes: ServedRoute[];
const keys: Record<string, string> = {};
let token: string;
let cookie: { cookie: string; 'x-csrf-token': string };
let ended: string;

async function login(): Promise<string> {
  const reply = await call(t.url, 'POST', '/auth/v1/login', {
    body: { email: ada.email, password: ada.password },
  });
  expect(reply.status).toBe(200);
  return reply.body.token;
}

async function browser(): Promise<{ cookie: string; 'x-csrf-token': string }> {
  const reply = await call(t.url, 'POST', '/auth/v1/session', {
    body: { email: ada.email, password: ada.password },
  });
  expect(reply.status).toBe(200);
  return {
    cookie: (reply.headers.getSetCookie()[0] ?? '').split(';')[0]!,
    'x-csrf-token': reply.body.csrf_token,
  };
}

/** A key with `scopes` (undefined: a key made without them). */
function keyCaller(name: string, scopes: Need[] | undefined): Caller {
  const held = scopes ?? ['read', 'write', 'admin'];
  return {
    name,
    scopes: held,
    expect: (need) => {
      if (need === 'public') return 'through';
      if (need === 'user') return [401, 'unauthorized'];
      return held.includes(need) ? 'through' : [403, 'scope_missing'];
    },
    headers: async () => ({ 'x-api-key': keys[name]! }),
  };
}

/** A user's login holds every scope and may use the routes keys may not. */
const user = (): 'through' => 'through';

const CALLERS: Caller[] = [
  {
    name: 'no credentials',
    expect: (need) => (need === 'public' ? 'through' : [401, 'unauthorized']),
    headers: async () => ({}),
  },
  keyCaller('read key', ['read']),
  keyCaller('write key', ['write']),
  keyCaller('admin key', ['admin']),
  keyCaller('default key', undefined),
  {
    name: "user's login token",
    expect: user,
    headers: async (fresh) => ({ authorization: `Bearer ${fresh ? await login() : token}` }),
  },
  {
    name: "console's session cookie",
    expect: user,
    headers: async (fresh) => (fresh ? browser() : cookie),
  },
  {
    name: 'logged-out login token',
    expect: (need) => (need === 'public' ? 'through' : [401, 'session_ended']),
    headers: async () => ({ authorization: `Bearer ${ended}` }),
  },
];

const routeKey = (route: ServedRoute) => `${route.method === 'HEAD' ? 'GET' : route.method} ${route.url}`;

/** The route with a made-up id in each parameter: an authorised caller gets a 404 or a 400, never data. */
function pathOf(route: ServedRoute): string {
  return route.url.replace(/:(\w+)/g, (_, name: string) => (name === 'name' ? 'x.parquet' : randomUUID()));
}

async function send(route: ServedRoute, caller: Caller): Promise<Reply> {
  const headers = await caller.headers(ENDS_SESSION.has(routeKey(route)));
  const changes = !['GET', 'HEAD', 'DELETE'].includes(route.method);
  // Empty bodies: a caller let through is answered by validation (400) or the handler, and nothing is created.
  return call(t.url, route.method, pathOf(route), { headers, ...(changes ? { body: {} } : {}) });
}

beforeAll(async () => {
  t = await startTestServer();
  ada = await signUp(t.url, 'Matrix Org');
  for (const caller of CALLERS.filter((c) => c.name.endsWith(' key'))) {
    const scopes = caller.name === 'default key' ? {} : { scopes: caller.scopes };
    const made = await call(t.url, 'POST', '/client/v1', {
      headers: { authorization: `Bearer ${ada.token}` },
      body: { name: caller.name, ...scopes },
    });
    expect(made.status).toBe(201);
    keys[caller.name] = made.body.api_key;
  }
  token = await login();
  cookie = await browser();
  ended = await login();
  expect(
    (await call(t.url, 'POST', '/auth/v1/logout', { headers: { authorization: `Bearer ${ended}` } })).status,
  ).toBe(204);
  routes = servedRoutes(t.server.app).filter((route) => API.test(route.url) && route.method !== 'OPTIONS');
});
afterAll(async () => t?.close());

describe('the routes', () => {
  it('are read whole from the router: every path of the OpenAPI document is among them', async () => {
    const document = (await call(t.url, 'GET', '/openapi.json')).body;
    const all = servedRoutes(t.server.app).map((route) => `${route.method} ${route.url}`);
    for (const [path, operations] of Object.entries(document.paths as Record<string, object>)) {
      for (const method of Object.keys(operations)) {
        expect(all).toContain(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
      }
    }
  });

  it('each have a line in the table above, and the table names no route the app does not serve', () => {
    const served = [...new Set(routes.filter((r) => r.method !== 'HEAD').map(routeKey))].sort();
    expect(served).toEqual(Object.keys(NEEDS).sort());
    // A GET's HEAD is checked alongside it.
    expect(routes.filter((r) => r.method === 'HEAD').every((r) => routeKey(r) in NEEDS)).toBe(true);
  });
});

describe.each(CALLERS)('with $name', (caller) => {
  it('every route lets through or refuses as the table says', async () => {
    const wrong: string[] = [];
    for (const route of routes.filter((r) => r.method !== 'HEAD')) {
      const need = NEEDS[routeKey(route)];
      if (!need) continue; // the test above names it
      const expected = caller.expect(need);
      const reply = await send(route, caller);
      const got = `${reply.status} ${reply.body?.code ?? ''}`.trim();
      const cell = `${route.method} ${route.url} (${need})`;
      if (expected === 'through') {
        if (REFUSALS.includes(reply.body?.code) || reply.status >= 500) {
          wrong.push(`${cell}: expected to be let through, got ${got}`);
        }
      } else if (reply.status !== expected[0] || reply.body?.code !== expected[1]) {
        wrong.push(`${cell}: expected ${expected.join(' ')}, got ${got}`);
      } else if (
        expected[1] === 'scope_missing' &&
        !reply.body.detail.includes(`lacks the '${need}' scope`)
      ) {
        wrong.push(`${cell}: the detail does not name the '${need}' scope: ${reply.body.detail}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('every HEAD answers as its GET does (it has no body to say more)', async () => {
    const differing: string[] = [];
    for (const route of routes.filter((r) => r.method === 'HEAD')) {
      const head = await send(route, caller);
      const get = await send({ ...route, method: 'GET' }, caller);
      if (head.status !== get.status) differing.push(`${route.url}: HEAD ${head.status}, GET ${get.status}`);
    }
    expect(differing).toEqual([]);
  });
});

describe('callers let through', () => {
  it('get the same answer from each route, whoever they are (the handler decides, not the credential)', async () => {
    const differing: string[] = [];
    for (const route of routes.filter((r) => r.method !== 'HEAD')) {
      const need = NEEDS[routeKey(route)]!;
      const through = CALLERS.filter((caller) => caller.expect(need) === 'through');
      const answers = new Set<string>();
      for (const caller of through) {
        const reply = await send(route, caller);
        answers.add(`${reply.status} ${reply.body?.code ?? ''}`.trim());
      }
      if (answers.size > 1) {
        differing.push(`${route.method} ${route.url}: ${[...answers].join(' | ')}`);
      }
    }
    expect(differing).toEqual([]);
  });
});
