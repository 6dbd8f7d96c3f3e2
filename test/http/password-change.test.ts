import { describe, expect, it } from 'vitest';
import { DEFAULT_LOGIN_LIMITS } from '../../src/accounts/login-throttle.ts';
import { type Account, call, type Reply, signUp } from '../support/api.ts';
import { throttledApiApp } from '../support/api-app.ts';

/**
 * `POST /auth/v1/password`: the current password checked like a login (and counted against the same
 * throttle), the new one through the password policy, and on success every other session of the
 * user ended while the caller's goes on.
 */

const throttled = throttledApiApp();

const NEW_PASSWORD = 'amber-Lighthouse-Orchard-77';
const WRONG = 'not-the-Password-99';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function login(email: string, password: string): Promise<Reply> {
  return call(throttled.api.url, 'POST', '/auth/v1/login', { body: { email, password } });
}

async function token(account: Account, password = account.password): Promise<string> {
  const reply = await login(account.email, password);
  expect(reply.status).toBe(200);
  return reply.body.token;
}

function change(headers: Record<string, string>, current_password: string, new_password = NEW_PASSWORD) {
  return call(throttled.api.url, 'POST', '/auth/v1/password', {
    headers,
    body: { current_password, new_password },
  });
}

describe('changing the password', () => {
  it('ends every other session of the user at once; the caller’s session and the API keys go on', async () => {
    const account = await signUp(throttled.api.url);
    const caller = await token(account);
    const others = [account.token, await token(account)];
    const browser = await call(throttled.api.url, 'POST', '/auth/v1/session', {
      body: { email: account.email, password: account.password },
    });
    const cookie = (browser.headers.getSetCookie()[0] ?? '').split(';')[0]!;
    // Another user's session is no business of this change.
    const stranger = await signUp(throttled.api.url);

    const changed = await change(bearer(caller), account.password);
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({
      user_id: expect.any(String),
      other_sessions_ended: 3,
      changed_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });

    for (const other of others) {
      const reply = await call(throttled.api.url, 'GET', '/api/v1/status', { headers: bearer(other) });
      expect([reply.status, reply.body.code]).toEqual([401, 'session_ended']);
    }
    const byCookie = await call(throttled.api.url, 'GET', '/api/v1/status', { headers: { cookie } });
    expect([byCookie.status, byCookie.body.code]).toEqual([401, 'session_ended']);
    expect((await call(throttled.api.url, 'GET', '/client/v1', { headers: bearer(caller) })).status).toBe(
      200,
    );
    expect(
      (await call(throttled.api.url, 'GET', '/api/v1/status', { headers: bearer(stranger.token) })).status,
    ).toBe(200);
    expect(
      (await call(throttled.api.url, 'GET', '/api/v1/status', { headers: { 'x-api-key': account.apiKey } }))
        .status,
    ).toBe(200);

    // The old password no longer logs in; the new one does.
    expect((await login(account.email, account.password)).status).toBe(401);
    expect((await login(account.email, NEW_PASSWORD)).status).toBe(200);
  });

  it('answers a wrong current password 403 naming current_password, counted as a failed login', async () => {
    const account = await signUp(throttled.api.url);
    const caller = await token(account);
    for (let left = 10; left >= 8; left--) {
      const reply = await change(bearer(caller), WRONG);
      expect(reply.status).toBe(403);
      expect(reply.body).toMatchObject({
        code: 'current_password_wrong',
        detail: `current_password: is not your current password; ${left} tries left before a wait`,
        errors: [{ field: 'current_password' }],
      });
      expect(reply.headers.get('attempts-remaining')).toBe(String(left));
    }
    // The login throttle saw those three: a wrong login now has 7 tries left, not 10.
    const wrongLogin = await login(account.email, WRONG);
    expect(wrongLogin.headers.get('attempts-remaining')).toBe('7');
    // Nothing changed, and no session ended.
    expect(
      (await call(throttled.api.url, 'GET', '/api/v1/status', { headers: bearer(account.token) })).status,
    ).toBe(200);
    expect((await login(account.email, account.password)).status).toBe(200);
  });

  it('makes the guesses of a stolen session wait like a login’s: 429 with Retry-After, even for the right password', async () => {
    const account = await signUp(throttled.api.url);
    const caller = await token(account);
    for (let i = 0; i < DEFAULT_LOGIN_LIMITS.emailAllowance + 1; i++) {
      expect((await change(bearer(caller), WRONG)).status).toBe(403);
    }
    const waiting = await change(bearer(caller), account.password);
    expect(waiting.status).toBe(429);
    expect(waiting.body.code).toBe('rate_limited');
    expect(waiting.headers.get('retry-after')).toBe('1');
    // A login of that e-mail waits as well: one counter.
    expect((await login(account.email, account.password)).status).toBe(429);
    throttled.advance(1000);
    expect((await change(bearer(caller), account.password)).status).toBe(200);
  });

  it('refuses a new password the policy refuses, or the current one, with a 400 naming new_password', async () => {
    const account = await signUp(throttled.api.url);
    const caller = await token(account);
    const cases: Array<[string, string]> = [
      ['short-1', 'must be at least 12 characters'],
      ['password2024!!', 'is too easy to guess'],
      [account.password, 'is your current password'],
      [`${account.email.split('@')[0]}-Harbor-Violet`, 'must not contain your e-mail address'],
    ];
    for (const [next, message] of cases) {
      const reply = await change(bearer(caller), account.password, next);
      expect(reply.status).toBe(400);
      expect(reply.body.code).toBe('validation_failed');
      expect(reply.body.errors).toEqual([
        { field: 'new_password', message: expect.stringContaining(message) },
      ]);
    }
    // Nothing changed: the password is the old one, every session goes on.
    expect(
      (await call(throttled.api.url, 'GET', '/api/v1/status', { headers: bearer(account.token) })).status,
    ).toBe(200);
    expect((await login(account.email, account.password)).status).toBe(200);
  });

  it('takes a login only: 401 for an API key, without credentials, or with an ended session', async () => {
    const account = await signUp(throttled.api.url);
    const asKey = await change({ 'x-api-key': account.apiKey }, account.password);
    expect([asKey.status, asKey.body.code]).toEqual([401, 'unauthorized']);
    expect(asKey.body.detail).toContain('API keys cannot');
    expect((await change({}, account.password)).status).toBe(401);
    const ended = await token(account);
    expect(
      (await call(throttled.api.url, 'POST', '/auth/v1/logout', { headers: bearer(ended) })).status,
    ).toBe(204);
    const afterLogout = await change(bearer(ended), account.password);
    expect([afterLogout.status, afterLogout.body.code]).toEqual([401, 'session_ended']);
    // Unknown or missing fields are named, before anything is checked.
    const bad = await call(throttled.api.url, 'POST', '/auth/v1/password', {
      headers: bearer(account.token),
      body: { current: account.password },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'current',
      'current_password',
      'new_password',
    ]);
  });
});
