import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, call, type Reply, signUp } from '../support/api.ts';
import { type Deployment, startDeployment } from '../support/deployment.ts';

/**
 * Sessions that end, across processes: two `audiences serve` on one PostgreSQL database. A session
 * ended through one process (a logout, a password change) is refused by the other on the very next
 * request, however recently that process let the token through.
 */

const NEW_PASSWORD = 'amber-Lighthouse-Orchard-77';

let deployment: Deployment;
let account: Account;

beforeAll(async () => {
  deployment = await startDeployment({ apis: 2, workers: 0 });
  account = await signUp(deployment.url);
});
afterAll(async () => deployment?.close());

const api = (i: number) => deployment.apis[i % 2]!.url;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function login(i: number, who = account, password = who.password): Promise<string> {
  const reply = await call(api(i), 'POST', '/auth/v1/login', { body: { email: who.email, password } });
  expect(reply.status).toBe(200);
  return reply.body.token;
}

const status = (i: number, headers: Record<string, string>) =>
  call(api(i), 'GET', '/api/v1/status', { headers });

function expectEnded(reply: Reply) {
  expect([reply.status, reply.body.code]).toEqual([401, 'session_ended']);
}

describe('sessions on 2 serve processes over PostgreSQL', () => {
  it('a logout through one process is refused by the other at once (10 rounds, both ways)', async () => {
    for (let round = 0; round < 10; round++) {
      const [here, there] = [round, round + 1];
      const token = await login(here);
      // Both processes have just let it through: whatever they keep cannot outlive the logout.
      for (let i = 0; i < 3; i++) {
        expect((await status(there, bearer(token))).status).toBe(200);
        expect((await status(here, bearer(token))).status).toBe(200);
      }
      expect((await call(api(here), 'POST', '/auth/v1/logout', { headers: bearer(token) })).status).toBe(204);
      expectEnded(await status(there, bearer(token)));
      expectEnded(await status(here, bearer(token)));
    }
  });

  it("the console's log out through one process ends the cookie on the other", async () => {
    const session = await call(api(0), 'POST', '/auth/v1/session', {
      body: { email: account.email, password: account.password },
    });
    const cookie = (session.headers.getSetCookie()[0] ?? '').split(';')[0]!;
    expect((await status(1, { cookie })).status).toBe(200);
    expect((await call(api(0), 'DELETE', '/auth/v1/session', { headers: { cookie } })).status).toBe(204);
    expectEnded(await status(1, { cookie }));
    expect((await call(api(1), 'GET', '/auth/v1/session', { headers: { cookie } })).body).toEqual({
      signed_in: false,
    });
  });

  it('a password change through one process ends the other sessions on both, the caller’s goes on', async () => {
    // An account of its own: the other tests' sessions are not counted here.
    const own = await signUp(deployment.url);
    const caller = await login(1, own);
    // The sign-up's login, and three more through either process.
    const others = [own.token, await login(0, own), await login(1, own), await login(0, own)];
    for (const token of others) expect((await status(0, bearer(token))).status).toBe(200);

    const changed = await call(api(1), 'POST', '/auth/v1/password', {
      headers: bearer(caller),
      body: { current_password: own.password, new_password: NEW_PASSWORD },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.other_sessions_ended).toBe(4);
    for (const token of others) {
      expectEnded(await status(0, bearer(token)));
      expectEnded(await status(1, bearer(token)));
    }
    for (const i of [0, 1]) expect((await status(i, bearer(caller))).status).toBe(200);
    expect(
      (
        await call(api(0), 'POST', '/auth/v1/login', {
          body: { email: own.email, password: own.password },
        })
      ).status,
    ).toBe(401);
    await login(0, own, NEW_PASSWORD);
  });

  it('a key made through one process is held to its scopes by the other', async () => {
    const made = await call(api(0), 'POST', '/client/v1', {
      headers: bearer(await login(0)),
      body: { name: 'reader', scopes: ['read'] },
    });
    expect(made.status).toBe(201);
    const key = { 'x-api-key': made.body.api_key };
    expect((await status(1, key)).status).toBe(200);
    const refused = await call(api(1), 'POST', '/api/v1/webhooks', {
      headers: key,
      body: { url: 'https://93.184.216.34/hook', events: ['task.completed'] },
    });
    expect([refused.status, refused.body.code]).toEqual([403, 'scope_missing']);
  });
});
