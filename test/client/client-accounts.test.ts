import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudiencesClient } from '../../src/client/index.ts';
import { startTestServer, type TestServer } from '../support/api.ts';
import { failure } from './client-failure.ts';

let t: TestServer;
const password = 'violet-Tangerine-Harbor-42';
const email = `client-${Date.now()}@example.com`;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.close());

describe('accounts through the client', () => {
  it('registers, logs in, creates, lists and revokes API keys; a revoked key stops working', async () => {
    const client = new AudiencesClient({ baseUrl: t.url });
    const registered = await client.register({
      email,
      password,
      first_name: 'Ada',
      last_name: 'Lovelace',
      organization_name: 'Client Co',
    });
    expect(registered).toMatchObject({ email, organization_name: 'Client Co' });

    const login = await client.login({ email, password });
    expect(login.organization_id).toBe(registered.organization_id);
    expect(login.user_id).toBe(registered.user_id);
    expect(Date.parse(login.expires_at)).toBeGreaterThan(Date.now());

    // login keeps the token: the account routes need it.
    const key = await client.createKey({ name: 'ci' });
    expect(key.name).toBe('ci');
    expect(key.api_key).toMatch(/^dlvr_/);
    const listed = await client.listKeys();
    expect(listed.map((k) => k.client_id)).toEqual([key.client_id]);
    expect(listed[0]!.revoked_at).toBeNull();
    expect(JSON.stringify(listed)).not.toContain(key.api_key);

    const withKey = new AudiencesClient({ baseUrl: t.url, apiKey: key.api_key });
    expect((await withKey.catalog()).days.length).toBeGreaterThan(0);
    await client.revokeKey(key.client_id);
    expect((await client.listKeys())[0]!.revoked_at).not.toBeNull();
    const revoked = await failure(withKey.catalog());
    expect(revoked).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('a token from new AudiencesClient({token}) works as well as one from login', async () => {
    const login = await new AudiencesClient({ baseUrl: t.url }).login({ email, password });
    const client = new AudiencesClient({ baseUrl: t.url, token: login.token });
    expect(Array.isArray(await client.listKeys())).toBe(true);
  });
});

describe('typed errors (AudiencesError carries the problem document)', () => {
  const client = () => new AudiencesClient({ baseUrl: t.url });

  it('400 with the offending fields in errors[]', async () => {
    const error = await failure(
      client().register({
        email: 'not-an-email',
        password,
        first_name: 'A',
        last_name: 'B',
        organization_name: 'C',
      }),
    );
    expect(error.status).toBe(400);
    expect(error.code).toBe('validation_failed');
    expect(error.errors.map((e) => e.field)).toContain('email');
    expect(error.problem).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(error.message).toBe(error.detail);
  });

  it('401 for a wrong password, with one message for unknown e-mails too', async () => {
    const wrong = await failure(client().login({ email, password: 'wrong-Password-000' }));
    const unknown = await failure(client().login({ email: `nobody-${Date.now()}@example.com`, password }));
    expect(wrong).toMatchObject({ status: 401, code: 'invalid_credentials' });
    expect(unknown.detail).toBe(wrong.detail);
  });

  it('401 for account routes without a token', async () => {
    expect(await failure(client().listKeys())).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('409 when the e-mail is taken', async () => {
    const error = await failure(
      client().register({ email, password, first_name: 'A', last_name: 'B', organization_name: 'C' }),
    );
    expect(error).toMatchObject({ status: 409, code: 'email_taken' });
  });

  it('404 for a client that does not exist', async () => {
    const c = client();
    await c.login({ email, password });
    const error = await failure(c.revokeKey('00000000-0000-0000-0000-000000000000'));
    expect(error).toMatchObject({ status: 404, code: 'not_found' });
  });
});

describe('health', () => {
  it('answers /healthz and /readyz', async () => {
    const c = new AudiencesClient({ baseUrl: `${t.url}/` });
    expect((await c.health()).status).toBe('ok');
    expect((await c.ready()).status).toBe('ok');
  });
});
