import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, call, type Reply, signUp, startTestServer, type TestServer } from '../support/api.ts';

/**
 * Logging out ends the session on the server: the token (or the console's cookie) is refused from
 * the next request on, with a 401 that says the session has ended, unlike an expired or a forged
 * token's. Other sessions of the user, and API keys, go on.
 */

const JWT_SECRET = 'logout-test-secret-0123456789-abcdefghijklmnopqrstu';

let t: TestServer;
let ada: Account;

beforeAll(async () => {
  t = await startTestServer({ JWT_SECRET });
  ada = await signUp(t.url, 'Ada Org');
});
afterAll(async () => t?.close());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function login(account: Account): Promise<string> {
  const reply = await call(t.url, 'POST', '/auth/v1/login', {
    body: { email: account.email, password: account.password },
  });
  expect(reply.status).toBe(200);
  return reply.body.token;
}

/** Logs in as the console does: the session cookie and its CSRF token. */
async function browserLogin(account: Account): Promise<{ cookie: string; csrf: string }> {
  const reply = await call(t.url, 'POST', '/auth/v1/session', {
    body: { email: account.email, password: account.password },
  });
  expect(reply.status).toBe(200);
  return { cookie: (reply.headers.getSetCookie()[0] ?? '').split(';')[0]!, csrf: reply.body.csrf_token };
}

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

function expectEnded(reply: Reply) {
  expect(reply.status).toBe(401);
  expect(reply.headers.get('content-type')).toContain('application/problem+json');
  expect(reply.body.code).toBe('session_ended');
  expect(reply.body.detail).toContain('this login session has ended');
  expect(reply.body.detail).toContain('log in again');
}

describe('POST /auth/v1/logout', () => {
  it('ends the session of the token sent: the next request with it is 401 session_ended, on every route', async () => {
    const token = await login(ada);
    const other = await login(ada);
    expect(claimsOf(token).sid).toEqual(expect.any(String));
    expect(claimsOf(token).sid).not.toBe(claimsOf(other).sid);
    expect((await call(t.url, 'GET', '/api/v1/status', { headers: bearer(token) })).status).toBe(200);

    const out = await call(t.url, 'POST', '/auth/v1/logout', { headers: bearer(token) });
    expect(out.status).toBe(204);
    expect(out.body).toBe('');

    expectEnded(await call(t.url, 'GET', '/api/v1/status', { headers: bearer(token) }));
    expectEnded(await call(t.url, 'GET', '/client/v1', { headers: bearer(token) }));
    expectEnded(await call(t.url, 'POST', '/auth/v1/logout', { headers: bearer(token) }));
    expectEnded(
      await call(t.url, 'POST', '/api/v1/intent_hive_tasks', { headers: bearer(token), rawBody: '{' }),
    );
    // The user's other session and the organisation's key were not touched.
    expect((await call(t.url, 'GET', '/client/v1', { headers: bearer(other) })).status).toBe(200);
    expect(
      (await call(t.url, 'GET', '/api/v1/status', { headers: { 'x-api-key': ada.apiKey } })).status,
    ).toBe(200);
  });

  it('says something else for an expired, a forged and a sessionless token', async () => {
    const { sid, sub, org } = claimsOf(await login(ada)) as { sid: string; sub: string; org: string };
    const sign = (secret: string, claims: Record<string, unknown>, expiresIn: number) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(sub)
        .setIssuer('audiences')
        .setAudience('audiences-api')
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + expiresIn)
        .sign(new TextEncoder().encode(secret));
    const cases = {
      expired: await sign(JWT_SECRET, { org, sid }, -60),
      forged: await sign(randomBytes(32).toString('hex'), { org, sid }, 3600),
      sessionless: await sign(JWT_SECRET, { org }, 3600),
    };
    for (const [name, token] of Object.entries(cases)) {
      const reply = await call(t.url, 'GET', '/api/v1/status', { headers: bearer(token) });
      expect([name, reply.status, reply.body.code]).toEqual([name, 401, 'unauthorized']);
      expect(reply.body.detail).toContain('has expired or is not valid');
    }
    // The control: the same claims, signed right and in time, are let through.
    expect(
      (
        await call(t.url, 'GET', '/api/v1/status', {
          headers: bearer(await sign(JWT_SECRET, { org, sid }, 60)),
        })
      ).status,
    ).toBe(200);
  });

  it('takes the console’s cookie with its CSRF token, ends that session and removes the cookie', async () => {
    const { cookie, csrf } = await browserLogin(ada);
    const withoutCsrf = await call(t.url, 'POST', '/auth/v1/logout', { headers: { cookie } });
    expect([withoutCsrf.status, withoutCsrf.body.code]).toEqual([403, 'csrf_failed']);
    expect((await call(t.url, 'GET', '/api/v1/status', { headers: { cookie } })).status).toBe(200);

    const out = await call(t.url, 'POST', '/auth/v1/logout', { headers: { cookie, 'x-csrf-token': csrf } });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie()[0]).toMatch(/^audiences_session=;/);
    expectEnded(await call(t.url, 'GET', '/api/v1/status', { headers: { cookie } }));
  });

  it('refuses API keys, whatever they can do (401)', async () => {
    const reply = await call(t.url, 'POST', '/auth/v1/logout', { headers: { 'x-api-key': ada.apiKey } });
    expect([reply.status, reply.body.code]).toEqual([401, 'unauthorized']);
    expect(reply.body.detail).toContain('API keys cannot');
  });
});

describe("the console's log out (DELETE /auth/v1/session)", () => {
  it('ends the session on the server: the cookie kept by anyone is refused afterwards', async () => {
    const { cookie, csrf } = await browserLogin(ada);
    const signedIn = await call(t.url, 'GET', '/auth/v1/session', { headers: { cookie } });
    expect(signedIn.body).toMatchObject({ signed_in: true, csrf_token: csrf });

    const out = await call(t.url, 'DELETE', '/auth/v1/session', { headers: { cookie } });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie()[0]).toMatch(/^audiences_session=;/);

    // A copy of the old cookie (a shared computer, a stolen one) no longer works anywhere.
    expectEnded(await call(t.url, 'GET', '/api/v1/status', { headers: { cookie } }));
    expectEnded(
      await call(t.url, 'POST', '/client/v1', {
        headers: { cookie, 'x-csrf-token': csrf },
        body: { name: 'after logout' },
      }),
    );
    const after = await call(t.url, 'GET', '/auth/v1/session', { headers: { cookie } });
    expect(after.body).toEqual({ signed_in: false });
    // The cookie's token, sent as a Bearer, is as dead.
    expectEnded(await call(t.url, 'GET', '/client/v1', { headers: bearer(cookie.split('=')[1]!) }));
  });

  it('answers 204 without a cookie or with one already ended', async () => {
    expect((await call(t.url, 'DELETE', '/auth/v1/session')).status).toBe(204);
    const { cookie } = await browserLogin(ada);
    expect((await call(t.url, 'DELETE', '/auth/v1/session', { headers: { cookie } })).status).toBe(204);
    expect((await call(t.url, 'DELETE', '/auth/v1/session', { headers: { cookie } })).status).toBe(204);
  });
});
