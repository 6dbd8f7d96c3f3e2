import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../support/api.ts';
import { freshHome, parseCountTable, runCli } from '../support/cli-process.ts';
import { expectedIntentCounts, intentPrefixes } from '../support/duck.ts';

/**
 * A new user's path with the command line alone: register, log in (the profile saved with mode
 * 0600 under XDG_CONFIG_HOME), count with the saved profile, manage keys.
 */

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.close());

describe('register, login and a saved profile', () => {
  it('register, then login --create-key writes a 0600 profile that count and keys use', async () => {
    const { home, configHome } = freshHome();
    const email = `cli-${Date.now()}@example.com`;
    const env = {
      HOME: home,
      XDG_CONFIG_HOME: configHome,
      AUDIENCES_URL: t.url,
      AUDIENCES_PASSWORD: 'violet-Tangerine-Harbor-42',
    };
    const registered = await runCli(
      [
        'register',
        '--email',
        email,
        '--first-name',
        'Ada',
        '--last-name',
        'Lovelace',
        '--organization',
        'Acme',
        '--json',
      ],
      env,
    );
    expect(registered.code).toBe(0);
    expect(JSON.parse(registered.stdout)).toMatchObject({ email, organization_name: 'Acme' });

    const login = await runCli(['login', '--email', email, '--create-key', 'laptop'], env);
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    const file = path.join(configHome, 'audiences', 'profiles.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const profile = JSON.parse(fs.readFileSync(file, 'utf8')).profiles.default;
    expect(profile).toMatchObject({ url: t.url, email, api_key: expect.stringMatching(/^dlvr_/) });
    // The saved key is a real key of the API.
    expect(
      (await call(t.url, 'GET', '/api/v1/status', { headers: { 'x-api-key': profile.api_key } })).status,
    ).toBe(200);

    // A later command, with no key in its flags or environment, uses the profile.
    const [prefix] = await intentPrefixes(t.intentTree);
    const profileEnv = { HOME: home, XDG_CONFIG_HOME: configHome };
    const count = await runCli(
      ['count', '--days', '2024-05-02', '--prefixes', prefix!, '--scores', 'medium'],
      profileEnv,
    );
    expect(count.code).toBe(0);
    expect(parseCountTable(count.stdout).counts).toEqual(
      await expectedIntentCounts(
        t.intentTree,
        `day = '2024-05-02' AND prefix = '${prefix}' AND score = 'medium'`,
      ),
    );

    const keys = await runCli(['keys', 'list', '--json'], profileEnv);
    expect(keys.code).toBe(0);
    const { clients } = JSON.parse(keys.stdout);
    expect(clients.map((c: { name: string }) => c.name)).toEqual(['laptop']);
    expect(clients[0].client_id).toBe(profile.client_id);

    // Revoking the saved key drops it from the profile; the login token still serves task commands.
    const revoked = await runCli(['keys', 'revoke', profile.client_id], profileEnv);
    expect(revoked.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).profiles.default.api_key).toBeUndefined();
    const list = await runCli(['tasks', 'list', '--json'], profileEnv);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).tasks).toHaveLength(1);
  });

  it('a wrong password exits 3 with the API detail; no profile is written', async () => {
    const { home, configHome } = freshHome();
    const run = await runCli(['login', '--email', 'nobody@example.com'], {
      HOME: home,
      XDG_CONFIG_HOME: configHome,
      AUDIENCES_URL: t.url,
      AUDIENCES_PASSWORD: 'not-the-password-at-all',
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('401');
    expect(fs.existsSync(path.join(configHome, 'audiences', 'profiles.json'))).toBe(false);
  });

  it('without AUDIENCES_PASSWORD and no terminal, login is a usage error', async () => {
    const run = await runCli(['login', '--email', 'ada@example.com'], { AUDIENCES_URL: t.url });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('set AUDIENCES_PASSWORD');
  });
});
