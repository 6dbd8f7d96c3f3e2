import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, call, type Reply, signUp, startTestServer, type TestServer } from '../support/api.ts';

let t: TestServer;
let ada: Account;
let bob: Account;

beforeAll(async () => {
  t = await startTestServer();
  ada = await signUp(t.url, 'Ada Org');
  bob = await signUp(t.url, 'Bob Org');
});
afterAll(async () => t?.close());

interface Session {
  cookie: string;
  csrf: string;
  setCookie: string;
  reply: Reply;
}

/** Logs in as a browser does and keeps what the browser would: the cookie and the CSRF token. */
async function browserLogin(account: Account): Promise<Session> {
  const reply = await call(t.url, 'POST', '/auth/v1/session', {
    body: { email: account.email, password: account.password },
  });
  expect(reply.status).toBe(200);
  const setCookie = reply.headers.getSetCookie()[0] ?? '';
  return { cookie: setCookie.split(';')[0]!, csrf: reply.body.csrf_token, setCookie, reply };
}

describe('browser sessions', () => {
  it('sets an HttpOnly, SameSite=Strict cookie for the whole site and never answers the token', async () => {
    const { setCookie, reply, cookie } = await browserLogin(ada);
    const attributes = setCookie.split(';').map((part) => part.trim().toLowerCase());
    expect(cookie.startsWith('audiences_session=')).toBe(true);
    expect(attributes).toContain('httponly');
    expect(attributes).toContain('samesite=strict');
    expect(attributes).toContain('path=/');
    // Plain http: a Secure cookie would never come back.
    expect(attributes).not.toContain('secure');
    expect(attributes.some((a) => a.startsWith('expires='))).toBe(true);
    expect(reply.body).toEqual({
      signed_in: true,
      user_id: expect.any(String),
      organization_id: ada.organizationId,
      first_name: 'Ada',
      last_name: 'Lovelace',
      organization_name: 'Ada Org',
      csrf_token: expect.any(String),
    });
    expect(JSON.stringify(reply.body)).not.toContain(cookie.split('=')[1]);
  });

  it('answers who is logged in, with the same CSRF token, after a reload', async () => {
    const session = await browserLogin(ada);
    const whoAmI = await call(t.url, 'GET', '/auth/v1/session', { headers: { cookie: session.cookie } });
    expect(whoAmI.status).toBe(200);
    expect(whoAmI.body).toEqual(session.reply.body);
  });

  it('answers signed_in: false (200, not an error) without a session or with a forged one', async () => {
    const none = await call(t.url, 'GET', '/auth/v1/session');
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ signed_in: false });
    const forgedCookie = { cookie: 'audiences_session=eyJhbGciOiJub25lIn0.e30.' };
    const forged = await call(t.url, 'GET', '/auth/v1/session', { headers: forgedCookie });
    expect(forged.status).toBe(200);
    expect(forged.body).toEqual({ signed_in: false });
    // Logged out: the cookie is gone, and so is the session.
    const { cookie } = await browserLogin(ada);
    const out = await call(t.url, 'DELETE', '/auth/v1/session', { headers: { cookie } });
    const cleared = (out.headers.getSetCookie()[0] ?? '').split(';')[0]!;
    const after = await call(t.url, 'GET', '/auth/v1/session', { headers: { cookie: cleared } });
    expect(after.body).toEqual({ signed_in: false });
  });

  it('refuses a forged cookie on the API and a wrong password without a cookie', async () => {
    const forged = await call(t.url, 'GET', '/api/v1/status', {
      headers: { cookie: 'audiences_session=eyJhbGciOiJub25lIn0.e30.' },
    });
    expect(forged.status).toBe(401);
    const wrong = await call(t.url, 'POST', '/auth/v1/session', {
      body: { email: ada.email, password: 'not-the-Password-99' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('invalid_credentials');
    expect(wrong.headers.getSetCookie()).toEqual([]);
  });

  it('reads task and account routes with the cookie alone', async () => {
    const { cookie } = await browserLogin(ada);
    const tasks = await call(t.url, 'GET', '/api/v1/status', { headers: { cookie } });
    expect(tasks.status).toBe(200);
    const clients = await call(t.url, 'GET', '/client/v1', { headers: { cookie } });
    expect(clients.status).toBe(200);
    expect(clients.body.clients.map((c: { client_id: string }) => c.client_id)).toEqual([ada.clientId]);
  });

  it('refuses a change made with the cookie but without its CSRF token, or with another session’s', async () => {
    const session = await browserLogin(ada);
    const other = await browserLogin(bob);
    const create = (headers: Record<string, string>) =>
      call(t.url, 'POST', '/client/v1', {
        body: { name: 'console' },
        headers: { cookie: session.cookie, ...headers },
      });
    const attempts: Array<Record<string, string>> = [
      {},
      { 'x-csrf-token': 'nope' },
      { 'x-csrf-token': other.csrf },
    ];
    for (const headers of attempts) {
      const refused = await create(headers);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('csrf_failed');
      expect(refused.body.detail).toContain('x-csrf-token');
    }
    const revoke = await call(t.url, 'DELETE', `/client/v1/${ada.clientId}`, {
      headers: { cookie: session.cookie },
    });
    expect(revoke.status).toBe(403);
    const task = await call(t.url, 'POST', '/api/v1/intent_hive_tasks', {
      body: { days: ['2024-05-01'], topic_id_prefixes: ['x'], scores: ['high'] },
      headers: { cookie: session.cookie },
    });
    expect(task.status).toBe(403);
    // Nothing was created: the organisation still has its one client.
    const clients = await call(t.url, 'GET', '/client/v1', { headers: { cookie: session.cookie } });
    expect(clients.body.clients).toHaveLength(1);
  });

  it('accepts a change made with the cookie and its CSRF token', async () => {
    const session = await browserLogin(bob);
    const created = await call(t.url, 'POST', '/client/v1', {
      body: { name: 'console' },
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
    });
    expect(created.status).toBe(201);
    const key = await call(t.url, 'GET', '/api/v1/status', {
      headers: { 'x-api-key': created.body.api_key },
    });
    expect(key.status).toBe(200);
  });

  it('logs out by removing the cookie', async () => {
    const { cookie } = await browserLogin(ada);
    const out = await call(t.url, 'DELETE', '/auth/v1/session', { headers: { cookie } });
    expect(out.status).toBe(204);
    const cleared = out.headers.getSetCookie()[0] ?? '';
    expect(cleared.startsWith('audiences_session=;')).toBe(true);
    const expires = /expires=([^;]+)/i.exec(cleared)?.[1];
    expect(new Date(expires!).getTime()).toBeLessThan(Date.parse('2000-01-01'));
  });

  it('lists the session routes in the OpenAPI document', async () => {
    const document = await call(t.url, 'GET', '/openapi.json');
    expect(Object.keys(document.body.paths['/auth/v1/session']).sort()).toEqual(['delete', 'get', 'post']);
  });
});

describe('browser login throttling', () => {
  it('says in the 401 how many tries are left before a wait, as the console shows it, and lets the right password in', async () => {
    const carol = await signUp(t.url, 'Carol Org');
    const wrong = await call(t.url, 'POST', '/auth/v1/session', {
      body: { email: carol.email, password: 'not-the-Password-99' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('invalid_credentials');
    // The console shows `detail` as it is.
    expect(wrong.body.detail).toBe('e-mail or password is wrong; 10 tries left before a wait');
    expect(wrong.headers.get('attempts-remaining')).toBe('10');
    const right = await call(t.url, 'POST', '/auth/v1/session', {
      body: { email: carol.email, password: carol.password },
    });
    expect(right.status).toBe(200);
  });
});
