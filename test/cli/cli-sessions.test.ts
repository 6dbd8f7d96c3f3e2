import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, call, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { freshHome, runCli } from '../support/cli-process.ts';

/** `keys create --scope`, `password` and `logout` with the command line alone, against the real server. */

let t: TestServer;
let account: Account;
let env: Record<string, string>;
let profiles: string;

beforeAll(async () => {
  t = await startTestServer();
  account = await signUp(t.url, 'CLI Sessions');
  const { home, configHome } = freshHome();
  env = { HOME: home, XDG_CONFIG_HOME: configHome, AUDIENCES_URL: t.url };
  profiles = path.join(configHome, 'audiences', 'profiles.json');
  const login = await runCli(['login', '--email', account.email], {
    ...env,
    AUDIENCES_PASSWORD: account.password,
  });
  expect(login.code).toBe(0);
});
afterAll(async () => t?.close());

const savedToken = (): string | undefined =>
  JSON.parse(fs.readFileSync(profiles, 'utf8')).profiles.default.token;
const status = (headers: Record<string, string>) => call(t.url, 'GET', '/api/v1/status', { headers });

describe('keys create --scope', () => {
  it('creates a key with the scopes given, which keys list shows and the API holds it to', async () => {
    const made = await runCli(
      ['keys', 'create', 'dash', '--scope', 'read', '--scope', 'write', '--json'],
      env,
    );
    expect(made.code).toBe(0);
    const key = JSON.parse(made.stdout);
    expect(key.scopes).toEqual(['read', 'write']);
    expect((await status({ 'x-api-key': key.api_key })).status).toBe(200);
    const hooks = await call(t.url, 'GET', '/api/v1/webhooks', { headers: { 'x-api-key': key.api_key } });
    expect([hooks.status, hooks.body.code]).toEqual([403, 'scope_missing']);

    const listed = await runCli(['keys', 'list'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')[0]).toMatch(/CLIENT\s+NAME\s+KEY PREFIX\s+SCOPES\s+CREATED\s+REVOKED/);
    expect(listed.stdout.split('\n').find((line) => line.includes(' dash '))).toMatch(/\sread,write\s/);
    // Without --scope: all three.
    const plain = await runCli(['keys', 'create', 'plain', '--json'], env);
    expect(JSON.parse(plain.stdout).scopes).toEqual(['read', 'write', 'admin']);
  });

  it('refuses a scope that is none with a usage error (exit 2) naming the scopes there are', async () => {
    const run = await runCli(['keys', 'create', 'bad', '--scope', 'delete'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"delete" is no scope; use read, write, admin');
    const listed = JSON.parse((await runCli(['keys', 'list', '--json'], env)).stdout);
    expect(listed.clients.map((c: { name: string }) => c.name)).not.toContain('bad');
  });
});

describe('password and logout', () => {
  it('password: a wrong current one exits 3 naming it; the right one ends the other sessions, not the saved login', async () => {
    const wrong = await runCli(['password'], {
      ...env,
      AUDIENCES_PASSWORD: 'not-the-Password-99',
      AUDIENCES_NEW_PASSWORD: 'amber-Lighthouse-Orchard-77',
    });
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain('the API answered 403: current_password: is not your current password');

    const changed = await runCli(['password'], {
      ...env,
      AUDIENCES_PASSWORD: account.password,
      AUDIENCES_NEW_PASSWORD: 'amber-Lighthouse-Orchard-77',
    });
    expect(changed.stderr).toContain('this login goes on');
    expect(changed.code).toBe(0);
    // The sign-up's login was the one other session.
    expect(changed.stdout.trim()).toBe('password changed; 1 other session ended');
    const other = await status({ authorization: `Bearer ${account.token}` });
    expect([other.status, other.body.code]).toEqual([401, 'session_ended']);
    expect((await runCli(['keys', 'list'], env)).code).toBe(0);
  });

  it('without a terminal or AUDIENCES_NEW_PASSWORD, password is a usage error that changes nothing', async () => {
    const run = await runCli(['password'], { ...env, AUDIENCES_PASSWORD: 'amber-Lighthouse-Orchard-77' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('set AUDIENCES_NEW_PASSWORD');
  });

  it('logout ends the saved login on the server and forgets it; keys then need a login again', async () => {
    const token = savedToken();
    expect(token).toEqual(expect.any(String));
    const out = await runCli(['logout', '--json'], env);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ url: t.url, profile: 'default', session_ended: true });
    expect(savedToken()).toBeUndefined();
    const refused = await status({ authorization: `Bearer ${token}` });
    expect([refused.status, refused.body.code]).toEqual([401, 'session_ended']);
    const keys = await runCli(['keys', 'list'], env);
    expect(keys.code).toBe(2);
    expect(keys.stderr).toContain('needs a login');
    // Nothing left to end: said so, still a success.
    const again = await runCli(['logout'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to end');
  });
});
