import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOGIN_LIMITS } from '../../src/accounts/login-throttle.ts';
import { type Account, call, type Reply, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { throttledApiApp } from '../support/api-app.ts';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.close());

/** Long and uncommon, so it passes any reasonable password policy. */
const PASSWORD = 'violet-Tangerine-Harbor-42';
let emails = 0;

function uniqueEmail(local = 'user'): string {
  emails += 1;
  return `${local}${emails}-${Date.now()}@example.com`;
}

function register(email: string, password = PASSWORD, organization = 'Acme') {
  return call(t.url, 'POST', '/auth/v1/register', {
    body: { email, password, first_name: 'Ada', last_name: 'Lovelace', organization_name: organization },
  });
}

function login(email: string, password = PASSWORD) {
  return call(t.url, 'POST', '/auth/v1/login', { body: { email, password } });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A registered, logged-in user of a fresh organisation. */
async function user(organization = 'Acme') {
  const email = uniqueEmail();
  const registered = await register(email, PASSWORD, organization);
  expect(registered.status).toBe(201);
  const loggedIn = await login(email);
  expect(loggedIn.status).toBe(200);
  return {
    email,
    organizationId: registered.body.organization_id as string,
    token: loggedIn.body.token as string,
  };
}

async function createClient(token: string, name = 'ci') {
  const reply = await call(t.url, 'POST', '/client/v1', { body: { name }, headers: bearer(token) });
  expect(reply.status).toBe(201);
  return reply.body as { client_id: string; api_key: string; api_secret: string; key_prefix: string };
}

/** A task route with an API key: 200 while the key works, 401 once it does not. */
function useKey(apiKey: string) {
  return call(t.url, 'GET', '/api/v1/status', { headers: { 'x-api-key': apiKey } });
}

function expectProblem(reply: Reply, status: number, code: string) {
  expect(reply.status).toBe(status);
  expect(reply.headers.get('content-type')).toContain('application/problem+json');
  expect(reply.body).toMatchObject({ status, code, type: expect.any(String), title: expect.any(String) });
  expect(typeof reply.body.detail).toBe('string');
}

describe('registration', () => {
  it('creates a user and its organisation, with the e-mail lower-cased', async () => {
    const email = uniqueEmail('Grace.Hopper').replace('@example.com', '@Example.COM');
    const reply = await register(email);
    expect(reply.status).toBe(201);
    expect(reply.body.user_id).toEqual(expect.any(String));
    expect(reply.body.organization_id).toEqual(expect.any(String));
    expect(reply.body.user_id).not.toBe(reply.body.organization_id);
    expect(reply.body.email).toBe(email.toLowerCase());
    expect(JSON.stringify(reply.body)).not.toContain(PASSWORD);
    // The lower-cased address is the one that logs in, whatever case the user types.
    expect((await login(email.toLowerCase())).status).toBe(200);
  });

  it('refuses an e-mail that already has an account, also in another case (409 email_taken)', async () => {
    const email = uniqueEmail('dup');
    expect((await register(email)).status).toBe(201);
    expectProblem(await register(email), 409, 'email_taken');
    expectProblem(await register(email.toUpperCase()), 409, 'email_taken');
    // The original password still logs in: the duplicate did not overwrite the account.
    expect((await login(email)).status).toBe(200);
  });

  it('gives one of 10 concurrent sign-ups with one e-mail the account and the others 409 email_taken', async () => {
    const email = uniqueEmail('race');
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        register(i % 2 ? email : email.toUpperCase(), PASSWORD, `Race ${i}`),
      ),
    );
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    for (const reply of replies.filter((r) => r.status !== 201)) expectProblem(reply, 409, 'email_taken');
    const winner = replies.find((r) => r.status === 201)!;
    const loggedIn = await login(email);
    expect(loggedIn.status).toBe(200);
    expect(loggedIn.body.organization_id).toBe(winner.body.organization_id);
  });

  it('refuses a 5-character password with a 400 naming password', async () => {
    const email = uniqueEmail();
    const reply = await register(email, 'abcde');
    expectProblem(reply, 400, 'validation_failed');
    expect(reply.body.errors.map((e: { field: string }) => e.field)).toContain('password');
    // Nothing was created: the same e-mail can still register with a good password.
    expect((await register(email)).status).toBe(201);
  });
});

describe('login', () => {
  it('returns a token that expires in the future', async () => {
    const email = uniqueEmail();
    const registered = await register(email);
    const before = Date.now();
    const reply = await login(email);
    expect(reply.status).toBe(200);
    expect(reply.body.token).toEqual(expect.any(String));
    expect(reply.body.token.length).toBeGreaterThan(20);
    expect(reply.body.user_id).toBe(registered.body.user_id);
    expect(reply.body.organization_id).toBe(registered.body.organization_id);
    const expiresAt = Date.parse(reply.body.expires_at);
    expect(Number.isNaN(expiresAt)).toBe(false);
    expect(expiresAt).toBeGreaterThan(before);
    // The token is usable at once.
    const clients = await call(t.url, 'GET', '/client/v1', { headers: bearer(reply.body.token) });
    expect(clients.status).toBe(200);
  });

  it('answers a wrong password and an unknown e-mail with the same 401', async () => {
    const email = uniqueEmail();
    await register(email);
    const wrongPassword = await login(email, 'violet-Tangerine-Harbor-43');
    const unknownEmail = await login(uniqueEmail('nobody'), PASSWORD);
    expectProblem(wrongPassword, 401, 'invalid_credentials');
    expectProblem(unknownEmail, 401, 'invalid_credentials');
    expect(unknownEmail.body.detail).toBe(wrongPassword.body.detail);
    expect(unknownEmail.body.title).toBe(wrongPassword.body.title);
    expect(unknownEmail.body.code).toBe(wrongPassword.body.code);
    expect(unknownEmail.headers.get('attempts-remaining')).toBe('10');
    expect(wrongPassword.headers.get('attempts-remaining')).toBe('10');
    expect(wrongPassword.body.token).toBeUndefined();
  });
});

describe('API clients', () => {
  it('creates a client whose key and secret are shown once, with a display prefix', async () => {
    const { token } = await user();
    const reply = await call(t.url, 'POST', '/client/v1', {
      body: { name: 'warehouse' },
      headers: bearer(token),
    });
    expect(reply.status).toBe(201);
    const { api_key, api_secret, key_prefix, client_id, name } = reply.body;
    expect(client_id).toEqual(expect.any(String));
    expect(name).toBe('warehouse');
    expect(api_key).toMatch(/^dlvr_/);
    expect(api_key.length - 'dlvr_'.length).toBeGreaterThanOrEqual(43);
    expect(api_secret).toEqual(expect.any(String));
    expect(api_secret.length).toBeGreaterThanOrEqual(32);
    expect(api_secret).not.toBe(api_key);
    expect(key_prefix.length).toBeGreaterThan('dlvr_'.length);
    expect(key_prefix.length).toBeLessThan(api_key.length - 20);
    expect(api_key.startsWith(key_prefix)).toBe(true);
    // The key works on the task API straight away.
    expect((await useKey(api_key)).status).toBe(200);
  });

  it('lists the clients with their key prefix and never their key or secret', async () => {
    const { token } = await user();
    const first = await createClient(token, 'first');
    const second = await createClient(token, 'second');
    const response = await fetch(`${t.url}/client/v1`, { headers: bearer(token) });
    expect(response.status).toBe(200);
    const text = await response.text();
    for (const secret of [first.api_key, first.api_secret, second.api_key, second.api_secret]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toContain('api_key');
    expect(text).not.toContain('api_secret');
    const { clients } = JSON.parse(text) as {
      clients: Array<{ client_id: string; name: string; key_prefix: string }>;
    };
    const byId = new Map(clients.map((c) => [c.client_id, c]));
    expect(byId.get(first.client_id)).toMatchObject({ name: 'first', key_prefix: first.key_prefix });
    expect(byId.get(second.client_id)).toMatchObject({ name: 'second', key_prefix: second.key_prefix });
    expect(clients).toHaveLength(2);
  });

  it('revokes a client: 204, the key is refused on the very next request, revoking again is a 404', async () => {
    const { token } = await user();
    const client = await createClient(token);
    const keep = await createClient(token, 'keep');
    expect((await useKey(client.api_key)).status).toBe(200);

    const revoked = await call(t.url, 'DELETE', `/client/v1/${client.client_id}`, { headers: bearer(token) });
    expect(revoked.status).toBe(204);
    expect(revoked.body).toBe('');

    expectProblem(await useKey(client.api_key), 401, 'unauthorized');
    const create = await call(t.url, 'POST', '/api/v1/intent_hive_tasks', {
      body: { days: ['2024-05-01'], topic_id_prefixes: ['x'], scores: ['high'] },
      headers: { 'x-api-key': client.api_key },
    });
    expectProblem(create, 401, 'unauthorized');
    // Only that client: the organisation's other key still works.
    expect((await useKey(keep.api_key)).status).toBe(200);

    expectProblem(
      await call(t.url, 'DELETE', `/client/v1/${client.client_id}`, { headers: bearer(token) }),
      404,
      'not_found',
    );
    expectProblem(
      await call(t.url, 'DELETE', '/client/v1/00000000-0000-0000-0000-000000000000', {
        headers: bearer(token),
      }),
      404,
      'not_found',
    );
  });

  it('refuses client routes without a JWT, or with an API key in place of one (401)', async () => {
    const { token } = await user();
    const client = await createClient(token);
    const attempts: Array<Record<string, string>> = [
      {},
      { 'x-api-key': client.api_key },
      { authorization: `Bearer ${client.api_key}` },
      { authorization: `Bearer ${token}x` },
      { authorization: token },
    ];
    for (const headers of attempts) {
      expectProblem(
        await call(t.url, 'POST', '/client/v1', { body: { name: 'minted' }, headers }),
        401,
        'unauthorized',
      );
      expectProblem(await call(t.url, 'GET', '/client/v1', { headers }), 401, 'unauthorized');
      expectProblem(
        await call(t.url, 'DELETE', `/client/v1/${client.client_id}`, { headers }),
        401,
        'unauthorized',
      );
    }
    // None of those calls minted or revoked anything.
    const list = await call(t.url, 'GET', '/client/v1', { headers: bearer(token) });
    expect(list.body.clients).toHaveLength(1);
    expect(list.body.clients[0].revoked_at).toBeNull();
    expect((await useKey(client.api_key)).status).toBe(200);
  });

  it("keeps organisations apart: B can neither list nor revoke A's clients", async () => {
    const a = await user('Org A');
    const b = await user('Org B');
    expect(a.organizationId).not.toBe(b.organizationId);
    const aClient = await createClient(a.token, 'a-client');
    const bClient = await createClient(b.token, 'b-client');

    const bList = await call(t.url, 'GET', '/client/v1', { headers: bearer(b.token) });
    expect(bList.status).toBe(200);
    expect(bList.body.clients.map((c: { client_id: string }) => c.client_id)).toEqual([bClient.client_id]);
    expect(JSON.stringify(bList.body)).not.toContain(aClient.key_prefix);

    expectProblem(
      await call(t.url, 'DELETE', `/client/v1/${aClient.client_id}`, { headers: bearer(b.token) }),
      404,
      'not_found',
    );
    expect((await useKey(aClient.api_key)).status).toBe(200);
    const aList = await call(t.url, 'GET', '/client/v1', { headers: bearer(a.token) });
    expect(aList.body.clients).toEqual([
      expect.objectContaining({ client_id: aClient.client_id, revoked_at: null }),
    ]);
  });
});

/**
 * Login throttling over a real server whose throttle runs on a clock the test moves, so waits pass
 * without sleeping. Each test starts a window later than the last, so no failure carries over.
 */
describe('login throttling', () => {
  const throttled = throttledApiApp();

  const tryLogin = (email: string, password: string) =>
    call(throttled.api.url, 'POST', '/auth/v1/login', { body: { email, password } });
  const remaining = (reply: Reply) => reply.headers.get('attempts-remaining');
  const WRONG = 'not-the-Password-99';

  it('lets 10 wrong passwords be counted down, then the right one in, and starts the count afresh', async () => {
    const account = await signUp(throttled.api.url);
    for (let left = 10; left >= 1; left--) {
      const reply = await tryLogin(account.email, WRONG);
      expectProblem(reply, 401, 'invalid_credentials');
      expect(remaining(reply)).toBe(String(left));
      expect(reply.body.detail).toBe(
        `e-mail or password is wrong; ${left} ${left === 1 ? 'try' : 'tries'} left before a wait`,
      );
      expect(reply.headers.get('retry-after')).toBeNull();
    }
    const right = await tryLogin(account.email, account.password);
    expect(right.status).toBe(200);
    expect(right.body.token).toEqual(expect.any(String));
    // The success forgot the failures: the next mistake has the whole allowance again.
    expect(remaining(await tryLogin(account.email, WRONG))).toBe('10');
  });

  it('past the allowance answers 429 with a Retry-After that doubles; after the wait the right password logs in and resets', async () => {
    const account = await signUp(throttled.api.url);
    for (let i = 0; i < 10; i++) expect((await tryLogin(account.email, WRONG)).status).toBe(401);
    const waits: string[] = [];
    for (const wait of [1, 2, 4]) {
      const failed = await tryLogin(account.email, WRONG);
      expectProblem(failed, 401, 'invalid_credentials');
      expect(remaining(failed)).toBe('0');
      expect(failed.body.detail).toContain(`wait ${wait} s before the next try`);
      // Too early, even with the right password: nothing is checked, and nothing is counted.
      const early = await tryLogin(account.email, account.password);
      expectProblem(early, 429, 'rate_limited');
      expect(early.body.detail).toBe(`too many failed logins; try again in ${wait} s`);
      waits.push(early.headers.get('retry-after') ?? '');
      throttled.advance(wait * 1000);
    }
    expect(waits).toEqual(['1', '2', '4']);
    const right = await tryLogin(account.email, account.password);
    expect(right.status).toBe(200);
    expect(remaining(await tryLogin(account.email, WRONG))).toBe('10');
  });

  it('answers an unknown e-mail exactly as a known one, through the waits', async () => {
    const account = await signUp(throttled.api.url);
    const unknown = `nobody-${Date.now()}@example.com`;
    const answers: string[][] = [];
    for (const email of [account.email.toUpperCase(), unknown]) {
      throttled.advance(DEFAULT_LOGIN_LIMITS.windowMs);
      const replies: string[] = [];
      for (let i = 0; i < 13; i++) {
        const reply = await tryLogin(email, WRONG);
        replies.push(
          [
            reply.status,
            reply.body.code,
            reply.body.detail,
            remaining(reply),
            reply.headers.get('retry-after'),
          ].join(' | '),
        );
      }
      answers.push(replies);
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[0]!.slice(10).map((a) => a.split(' | ')[0])).toEqual(['401', '429', '429']);
  });

  it('lets no more than 11 of 20 concurrent wrong passwords be checked', async () => {
    const account = await signUp(throttled.api.url);
    const replies = await Promise.all(Array.from({ length: 20 }, () => tryLogin(account.email, WRONG)));
    expect(replies.filter((r) => r.status === 401)).toHaveLength(11);
    const limited = replies.filter((r) => r.status === 429);
    expect(limited).toHaveLength(9);
    for (const reply of limited) expect(reply.headers.get('retry-after')).toBe('1');
    expect(
      replies
        .map(remaining)
        .filter((r) => r !== null)
        .sort((a, b) => Number(a) - Number(b)),
    ).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
  });

  it("does not hold one address's failures against another address on another account", async () => {
    const victim: Account = await signUp(throttled.api.url);
    const bystander: Account = await signUp(throttled.api.url);
    // 127.0.0.1 guesses at one account until it must wait (11 failures), then sprays other e-mails
    // until the address must wait: its allowance (30) and one, less those 11.
    let reply: Reply;
    const guesses: number[] = [];
    do {
      reply = await tryLogin(victim.email, WRONG);
      guesses.push(reply.status);
    } while (reply.status === 401 && guesses.length < 100);
    expect(guesses).toEqual([...Array(11).fill(401), 429]);
    const sprayed: number[] = [];
    do {
      reply = await tryLogin(`sprayed-${sprayed.length}@example.com`, WRONG);
      sprayed.push(reply.status);
    } while (reply.status === 401 && sprayed.length < 100);
    expect(reply.status).toBe(429);
    expect(sprayed.filter((status) => status === 401)).toHaveLength(
      DEFAULT_LOGIN_LIMITS.addressAllowance + 1 - 11,
    );
    // 127.0.0.2 is not slowed down: its first mistake has the whole allowance, and it logs in.
    const elsewhere = await loginFrom('127.0.0.2', throttled.api.url, bystander.email, WRONG);
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.headers['attempts-remaining']).toBe('10');
    expect(
      (await loginFrom('127.0.0.2', throttled.api.url, bystander.email, bystander.password)).status,
    ).toBe(200);
  });
});

/** POST /auth/v1/login from another loopback address, as a second client machine would. */
function loginFrom(
  localAddress: string,
  url: string,
  email: string,
  password: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  const body = JSON.stringify({ email, password });
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${url}/auth/v1/login`,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
