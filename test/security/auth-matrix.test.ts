import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, apiClient, call, signUp, startTestServer, type TestServer } from '../support/api.ts';

/**
 * Every route that needs credentials, against every way of presenting bad ones, and against another
 * organisation's valid ones: always 401 (or 404 for the other organisation), always a problem
 * document, never a byte of organisation A's data.
 */

const JWT_SECRET = 'auth-matrix-secret-0123456789-abcdefghijklmnopqrs'; // 48 characters
const ISSUER = 'audiences';
const AUDIENCE = 'audiences-api';

let t: TestServer;
let a: Account;
let b: Account;
/** A's user id, read from the login answer (the JWT's `sub`). */
let aUserId: string;
/** The session of A's login token (its `sid`): forged tokens name it, so each is refused for its own defect. */
let aSessionId: string;
/** A token of A whose session was ended by a logout. */
let loggedOut: string;
/** A counted task of A (perform_unload: false), so an unauthorised unload would visibly change it. */
let aTask: { task_id: string; total_count: number; counts: Record<string, number> };
/** A client of A with a name nobody else could echo by chance. */
let aClient: { client_id: string; name: string };
let revokedKey: string;
/** A webhook of A, at a URL and with a secret nobody else could echo by chance. */
let aWebhook: { id: string; url: string; secret: string };

interface Route {
  name: string;
  method: string;
  path: () => string;
  body?: () => unknown;
  /** The route names one of A's resources: another organisation's valid credentials get a 404. */
  ownsResource?: 'task' | 'client' | 'webhook';
  /** Client routes take a user's JWT only. */
  userOnly?: boolean;
}

const intentBody = () => ({
  days: ['2024-05-01'],
  topic_id_prefixes: ['4eyes_101'],
  scores: ['high'],
  perform_unload: false,
});

const ROUTES: Route[] = [
  {
    name: 'POST /api/v1/intent_hive_tasks',
    method: 'POST',
    path: () => '/api/v1/intent_hive_tasks',
    body: intentBody,
  },
  {
    name: 'POST /api/v1/generic_parquet_tasks',
    method: 'POST',
    path: () => '/api/v1/generic_parquet_tasks',
    body: () => ({ input_path: `${t.intentTree}/day=2024-05-01/prefix=4eyes_101`, perform_unload: false }),
  },
  {
    name: 'POST /api/v1/intent_hive_tasks/estimate',
    method: 'POST',
    path: () => '/api/v1/intent_hive_tasks/estimate',
    body: intentBody,
  },
  {
    name: 'POST /api/v1/generic_parquet_tasks/estimate',
    method: 'POST',
    path: () => '/api/v1/generic_parquet_tasks/estimate',
    body: () => ({ input_path: `${t.intentTree}/day=2024-05-01/prefix=4eyes_101`, perform_unload: false }),
  },
  { name: 'GET /api/v1/catalog/intent', method: 'GET', path: () => '/api/v1/catalog/intent' },
  { name: 'GET /api/v1/status', method: 'GET', path: () => '/api/v1/status' },
  {
    name: 'GET /api/v1/status/{id}',
    method: 'GET',
    path: () => `/api/v1/status/${aTask.task_id}`,
    ownsResource: 'task',
  },
  {
    name: 'POST /api/v1/tasks/{id}/unload',
    method: 'POST',
    path: () => `/api/v1/tasks/${aTask.task_id}/unload`,
    ownsResource: 'task',
  },
  {
    name: 'POST /api/v1/tasks/{id}/cancel',
    method: 'POST',
    path: () => `/api/v1/tasks/${aTask.task_id}/cancel`,
    ownsResource: 'task',
  },
  {
    name: 'POST /api/v1/tasks/{id}/retry',
    method: 'POST',
    path: () => `/api/v1/tasks/${aTask.task_id}/retry`,
    ownsResource: 'task',
  },
  {
    name: 'GET /api/v1/tasks/{id}/manifest',
    method: 'GET',
    path: () => `/api/v1/tasks/${aTask.task_id}/manifest`,
    ownsResource: 'task',
  },
  {
    name: 'GET /api/v1/tasks/{id}/preview',
    method: 'GET',
    path: () => `/api/v1/tasks/${aTask.task_id}/preview`,
    ownsResource: 'task',
  },
  {
    name: 'POST /client/v1',
    method: 'POST',
    path: () => '/client/v1',
    body: () => ({ name: 'intruder' }),
    userOnly: true,
  },
  { name: 'GET /client/v1', method: 'GET', path: () => '/client/v1', userOnly: true },
  {
    name: 'POST /api/v1/webhooks',
    method: 'POST',
    path: () => '/api/v1/webhooks',
    body: () => ({ url: 'https://93.184.216.34/intruder', events: ['task.completed'] }),
  },
  { name: 'GET /api/v1/webhooks', method: 'GET', path: () => '/api/v1/webhooks' },
  {
    name: 'DELETE /api/v1/webhooks/{id}',
    method: 'DELETE',
    path: () => `/api/v1/webhooks/${aWebhook.id}`,
    ownsResource: 'webhook',
  },
  {
    name: 'GET /api/v1/webhooks/{id}/deliveries',
    method: 'GET',
    path: () => `/api/v1/webhooks/${aWebhook.id}/deliveries`,
    ownsResource: 'webhook',
  },
  {
    name: 'DELETE /client/v1/{id}',
    method: 'DELETE',
    path: () => `/client/v1/${aClient.client_id}`,
    ownsResource: 'client',
    userOnly: true,
  },
];

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A JWT with the real token's shape (issuer, audience, sub, org, sid, iat, exp), signed with `secret`. */
function forge(secret: string, claims: { sub: string; org: string; iat: number; exp: number; sid?: string }) {
  return new SignJWT({ org: claims.org, sid: claims.sid ?? aSessionId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(claims.iat)
    .setExpirationTime(claims.exp)
    .sign(new TextEncoder().encode(secret));
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

interface CredentialCase {
  name: string;
  headers: () => Promise<Record<string, string>>;
  /** The codes the 401 may carry. @defaultValue ['unauthorized'] */
  codes?: string[];
}

const BAD_CREDENTIALS: CredentialCase[] = [
  { name: 'no credentials', headers: async () => ({}) },
  {
    name: 'a bad API key',
    headers: async () => ({ 'x-api-key': `dlvr_${randomBytes(32).toString('base64url')}` }),
  },
  { name: 'a revoked API key', headers: async () => ({ 'x-api-key': revokedKey }) },
  {
    name: 'the JWT of a session that was logged out',
    headers: async () => bearer(loggedOut),
    codes: ['session_ended'],
  },
  {
    name: 'a JWT with the server secret naming a session never opened',
    headers: async () =>
      bearer(
        await forge(JWT_SECRET, {
          sub: aUserId,
          org: a.organizationId,
          iat: nowSeconds(),
          exp: nowSeconds() + 3600,
          sid: randomUUID(),
        }),
      ),
    codes: ['session_ended'],
  },
  {
    name: 'a JWT with the server secret and no session id',
    headers: async () => {
      const payload = { org: a.organizationId, iss: ISSUER, aud: AUDIENCE };
      return bearer(
        await new SignJWT(payload)
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
          .setSubject(aUserId)
          .setIssuedAt(nowSeconds())
          .setExpirationTime(nowSeconds() + 3600)
          .sign(new TextEncoder().encode(JWT_SECRET)),
      );
    },
  },
  {
    name: 'an expired JWT',
    headers: async () =>
      bearer(
        await forge(JWT_SECRET, {
          sub: aUserId,
          org: a.organizationId,
          iat: nowSeconds() - 7200,
          exp: nowSeconds() - 3600,
        }),
      ),
  },
  {
    name: 'a JWT with alg none',
    headers: async () => {
      const payload = {
        org: a.organizationId,
        sub: aUserId,
        iss: ISSUER,
        aud: AUDIENCE,
        iat: nowSeconds(),
        exp: nowSeconds() + 3600,
      };
      return bearer(`${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`);
    },
  },
  {
    name: "B's real JWT with org changed to A's (signature kept)",
    headers: async () => {
      const [header, payload, signature] = b.token.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
      expect(claims.org).toBe(b.organizationId);
      return bearer(`${header}.${b64url({ ...claims, org: a.organizationId })}.${signature}`);
    },
  },
  {
    name: "A's real JWT with org changed to B's (signature kept)",
    headers: async () => {
      const [header, payload, signature] = a.token.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
      return bearer(`${header}.${b64url({ ...claims, org: b.organizationId })}.${signature}`);
    },
  },
  {
    name: 'a JWT signed with another secret',
    headers: async () =>
      bearer(
        await forge(randomBytes(36).toString('base64url'), {
          sub: aUserId,
          org: a.organizationId,
          iat: nowSeconds(),
          exp: nowSeconds() + 3600,
        }),
      ),
  },
  { name: "A's valid API key sent as Bearer", headers: async () => bearer(a.apiKey) },
  { name: 'an empty Bearer', headers: async () => ({ authorization: 'Bearer ' }) },
  { name: 'a non-Bearer scheme with A’s JWT', headers: async () => ({ authorization: `Basic ${a.token}` }) },
];

interface Reply {
  status: number;
  contentType: string;
  text: string;
  body: { status?: unknown; code?: unknown; type?: unknown; title?: unknown; detail?: unknown };
}

async function send(route: Route, headers: Record<string, string>): Promise<Reply> {
  const body = route.body?.();
  const reply = await call(t.url, route.method, route.path(), {
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  return {
    status: reply.status,
    contentType: reply.headers.get('content-type') ?? '',
    text,
    body: reply.body,
  };
}

/** None of A's data in an answer; a refused one carries no resource fields at all. */
function expectNoDataOfA(text: string, refused = true) {
  expect(text).not.toContain(aClient.name);
  expect(text).not.toContain(aClient.client_id);
  expect(text).not.toContain(aWebhook.url);
  expect(text).not.toContain(aWebhook.secret);
  expect(text).not.toContain(a.organizationId);
  expect(text).not.toContain(aUserId);
  expect(text).not.toContain(a.email);
  for (const partition of Object.keys(aTask.counts)) expect(text).not.toContain(partition);
  expect(text).not.toContain(`"total_count":${aTask.total_count}`);
  if (refused) {
    expect(text).not.toMatch(
      /"(counts|total_count|outputs|output_links|files|key_prefix|api_key|tasks|clients)"/,
    );
    expect(text).not.toContain(`${aTask.total_count}`);
  }
}

function expectProblem(reply: Reply, status: number, codes: string[]) {
  expect(reply.status, reply.text.slice(0, 300)).toBe(status);
  expect(reply.contentType).toContain('application/problem+json');
  expect(reply.body.status).toBe(status);
  expect(codes).toContain(reply.body.code);
  expect(typeof reply.body.type).toBe('string');
  expect(typeof reply.body.title).toBe('string');
  expect(typeof reply.body.detail).toBe('string');
}

beforeAll(async () => {
  t = await startTestServer({ JWT_SECRET });
  a = await signUp(t.url, 'Organisation A');
  b = await signUp(t.url, 'Organisation B');
  const login = await call(t.url, 'POST', '/auth/v1/login', {
    body: { email: a.email, password: a.password },
  });
  aUserId = login.body.user_id;
  aSessionId = JSON.parse(Buffer.from(a.token.split('.')[1]!, 'base64url').toString('utf8')).sid;
  expect(aSessionId).toEqual(expect.any(String));
  const doomedLogin = await call(t.url, 'POST', '/auth/v1/login', {
    body: { email: a.email, password: a.password },
  });
  loggedOut = doomedLogin.body.token;
  expect((await call(t.url, 'POST', '/auth/v1/logout', { headers: bearer(loggedOut) })).status).toBe(204);

  const api = apiClient(t.url, a.apiKey);
  const created = await api.post('/api/v1/intent_hive_tasks', {
    days: ['2024-05-01', '2024-05-02'],
    topic_id_prefixes: ['4eyes_101', '4eyes_102'],
    scores: ['medium', 'high'],
    perform_unload: false,
  });
  expect(created.status).toBe(202);
  aTask = await api.waitFor(created.body.task_id, ['counted']);
  expect(aTask.total_count).toBeGreaterThan(999);

  const named = await call(t.url, 'POST', '/client/v1', {
    body: { name: `a-private-client-${randomUUID()}` },
    headers: bearer(a.token),
  });
  expect(named.status).toBe(201);
  aClient = named.body;

  const doomed = await call(t.url, 'POST', '/client/v1', {
    body: { name: 'doomed' },
    headers: bearer(a.token),
  });
  revokedKey = doomed.body.api_key;
  const hook = await api.post('/api/v1/webhooks', {
    url: `https://93.184.216.34/a-private-hook-${randomUUID()}`,
    events: ['task.completed', 'task.failed'],
  });
  expect(hook.status).toBe(201);
  aWebhook = hook.body;
  expect((await api.get('/api/v1/status')).status).toBe(200);
  expect(
    (await call(t.url, 'DELETE', `/client/v1/${doomed.body.client_id}`, { headers: bearer(a.token) })).status,
  ).toBe(204);
});
afterAll(async () => t?.close());

describe('the forging helpers are right (controls)', () => {
  it('a JWT signed with the server secret and valid claims is accepted, so the refusals below are about the defect', async () => {
    const token = await forge(JWT_SECRET, {
      sub: aUserId,
      org: a.organizationId,
      iat: nowSeconds(),
      exp: nowSeconds() + 3600,
    });
    const reply = await call(t.url, 'GET', `/api/v1/status/${aTask.task_id}`, { headers: bearer(token) });
    expect(reply.status).toBe(200);
    expect(reply.body.total_count).toBe(aTask.total_count);
    expect((await call(t.url, 'GET', '/client/v1', { headers: bearer(token) })).status).toBe(200);
  });

  it("B's real credentials work on B's own routes", async () => {
    expect((await call(t.url, 'GET', '/api/v1/status', { headers: { 'x-api-key': b.apiKey } })).status).toBe(
      200,
    );
    expect((await call(t.url, 'GET', '/client/v1', { headers: bearer(b.token) })).status).toBe(200);
  });
});

describe.each(ROUTES)('$name', (route) => {
  it.each(BAD_CREDENTIALS)('with $name: 401 problem document, none of A’s data', async (credential) => {
    const reply = await send(route, await credential.headers());
    expectProblem(reply, 401, credential.codes ?? ['unauthorized']);
    expect(reply.text).not.toContain(aTask.task_id);
    expectNoDataOfA(reply.text);
  });

  const others: CredentialCase[] = [
    { name: "organisation B's valid API key", headers: async () => ({ 'x-api-key': b.apiKey }) },
    { name: "organisation B's valid JWT", headers: async () => bearer(b.token) },
  ];
  it.each(others)('with $name: refused or scoped to B, none of A’s data', async (credential) => {
    const headers = await credential.headers();
    const reply = await send(route, headers);
    const isKey = 'x-api-key' in headers;
    if (route.userOnly && isKey) {
      // A key never reaches client routes, whoever owns it.
      expectProblem(reply, 401, ['unauthorized']);
      expect(reply.text).not.toContain(aTask.task_id);
      expectNoDataOfA(reply.text);
      return;
    }
    if (route.ownsResource) {
      const { code, id: ownId } = {
        task: { code: 'task_not_found', id: aTask.task_id },
        client: { code: 'not_found', id: aClient.client_id },
        webhook: { code: 'webhook_not_found', id: aWebhook.id },
      }[route.ownsResource];
      expectProblem(reply, 404, [code]);
      // The detail may echo the id the caller sent itself; apart from that echo, nothing of A's.
      const withoutEcho = reply.text.replaceAll(ownId, '<the id sent>');
      expect(withoutEcho).not.toContain(aTask.task_id);
      expectNoDataOfA(withoutEcho);
      // Same answer as for an id that exists nowhere: no oracle for which ids exist.
      const unknownId = randomUUID();
      const unknownPath = route.path().replace(ownId, unknownId);
      const unknown = await call(t.url, route.method, unknownPath, { headers });
      expect(unknown.status).toBe(reply.status);
      expect(JSON.stringify(unknown.body).replaceAll(unknownId, '<the id sent>')).toBe(withoutEcho);
      return;
    }
    // Routes about the caller's own organisation: they work, but for B only.
    expect(reply.status, reply.text.slice(0, 300)).toBeLessThan(300);
    expect(reply.text).not.toContain(aTask.task_id);
    expectNoDataOfA(reply.text, false);
  });
});

/**
 * Credentials are checked before anything else of the request is looked at: an anonymous caller
 * gets the same 401 whatever it sends, never a validation report of the body, params or query
 * (and the server does not parse up to 64 KiB of JSON for somebody it does not know).
 */
describe('credentials come before the request is read', () => {
  const INVALID_REQUESTS: Array<{ name: string; method: string; path: () => string; rawBody?: string }> = [
    {
      name: 'intent task, malformed JSON',
      method: 'POST',
      path: () => '/api/v1/intent_hive_tasks',
      rawBody: '{"days":',
    },
    {
      name: 'intent task, schema-invalid body',
      method: 'POST',
      path: () => '/api/v1/intent_hive_tasks',
      rawBody: '{}',
    },
    {
      name: 'intent task, body over the size limit',
      method: 'POST',
      path: () => '/api/v1/intent_hive_tasks',
      rawBody: JSON.stringify({ where_expr: 'x'.repeat(70_000) }),
    },
    {
      name: 'generic task, schema-invalid body',
      method: 'POST',
      path: () => '/api/v1/generic_parquet_tasks',
      rawBody: '[]',
    },
    {
      name: 'intent estimate, schema-invalid body',
      method: 'POST',
      path: () => '/api/v1/intent_hive_tasks/estimate',
      rawBody: '{}',
    },
    { name: 'status list, invalid query', method: 'GET', path: () => '/api/v1/status?limit=abc&x=1' },
    { name: 'status, id too long', method: 'GET', path: () => `/api/v1/status/${'a'.repeat(80)}` },
    { name: 'unload, id too long', method: 'POST', path: () => `/api/v1/tasks/${'a'.repeat(80)}/unload` },
    { name: 'cancel, id too long', method: 'POST', path: () => `/api/v1/tasks/${'a'.repeat(80)}/cancel` },
    { name: 'client, schema-invalid body', method: 'POST', path: () => '/client/v1', rawBody: '{"name":""}' },
    { name: 'client revoke, id too long', method: 'DELETE', path: () => `/client/v1/${'a'.repeat(80)}` },
    { name: 'webhook, schema-invalid body', method: 'POST', path: () => '/api/v1/webhooks', rawBody: '{}' },
    {
      name: 'webhook deliveries, invalid query',
      method: 'GET',
      path: () => `/api/v1/webhooks/${'a'.repeat(80)}/deliveries?limit=x`,
    },
  ];
  const credentials = BAD_CREDENTIALS.filter((c) =>
    [
      'no credentials',
      'a bad API key',
      'an expired JWT',
      'the JWT of a session that was logged out',
    ].includes(c.name),
  );
  it.each(INVALID_REQUESTS)(
    '$name: 401 without, with a bad key, with an expired or logged-out JWT',
    async (request) => {
      const answers: Array<[string, number, unknown]> = [];
      for (const credential of credentials) {
        const reply = await call(t.url, request.method, request.path(), {
          headers: await credential.headers(),
          ...(request.rawBody === undefined ? {} : { rawBody: request.rawBody }),
        });
        answers.push([credential.name, reply.status, reply.body.code]);
        expect(reply.headers.get('content-type')).toContain('application/problem+json');
      }
      expect(answers).toEqual(credentials.map((c) => [c.name, 401, c.codes?.[0] ?? 'unauthorized']));
    },
  );
});

describe('after all of it', () => {
  it('A’s task is intact (still counted, same counts), A’s client is not revoked, A’s key still works', async () => {
    const api = apiClient(t.url, a.apiKey);
    const task = await api.get(`/api/v1/status/${aTask.task_id}`);
    expect(task.status).toBe(200);
    expect(task.body.status).toBe('counted');
    expect(task.body.total_count).toBe(aTask.total_count);
    expect(task.body.counts).toEqual(aTask.counts);
    expect(task.body.output_links).toEqual([]);

    const list = await api.get('/api/v1/status');
    expect(list.status).toBe(200);
    // Only A's own task: nothing was created in A's name by the forged credentials.
    expect(list.body.tasks.map((x: { task_id: string }) => x.task_id)).toEqual([aTask.task_id]);

    const clients = await call(t.url, 'GET', '/client/v1', { headers: bearer(a.token) });
    expect(clients.status).toBe(200);
    const mine = clients.body.clients.find((c: { client_id: string }) => c.client_id === aClient.client_id);
    expect(mine).toMatchObject({ name: aClient.name, revoked_at: null });
    expect(clients.body.clients.map((c: { name: string }) => c.name)).not.toContain('intruder');

    // The revoked key stays revoked; A's working key still works, for the JWT too.
    expect(
      (await call(t.url, 'GET', '/api/v1/status', { headers: { 'x-api-key': revokedKey } })).status,
    ).toBe(401);
    expect(
      (await call(t.url, 'GET', `/api/v1/status/${aTask.task_id}`, { headers: bearer(a.token) })).status,
    ).toBe(200);
    // And A can still do what the intruders could not: export its counted task.
    const unload = await api.post(`/api/v1/tasks/${aTask.task_id}/unload`);
    expect(unload.status).toBe(202);
    const done = await api.waitFor(aTask.task_id, ['completed']);
    expect(done.total_count).toBe(aTask.total_count);
  });
});
