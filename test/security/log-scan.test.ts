import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ServerProcess, spawnServer } from '../../harness/server-process.ts';
import { apiClient, call } from '../support/api.ts';

/**
 * The real process at LOG_LEVEL=trace, through a whole user journey: no credential, secret or
 * link signature may reach its stdout or stderr.
 */

let dataDir: string;
let server: ServerProcess | undefined;

async function start(): Promise<string> {
  server = await spawnServer(
    {
      DATA_DIR: dataDir,
      INTENT_INPUT_PATH: inject('intentTree'),
      WORKER_CONCURRENCY: '2',
      DUCKDB_THREADS: '1',
      LOG_LEVEL: 'trace',
    },
    { capture: true },
  );
  return server.url;
}

/** SIGTERM, then wait for the exit, so every log line is flushed before the scan. */
async function stop(): Promise<number | null> {
  const running = server;
  server = undefined;
  return running ? running.stop('SIGTERM') : null;
}

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-log-scan-'));
});
afterAll(async () => {
  await stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('logs at trace level', () => {
  it('carry request lines but never a password, token, key, secret or link signature', async () => {
    const url = await start();
    const email = `log-scan-${Date.now()}@example.com`;
    const password = 'Quokka-Lantern-Meridian-8731';
    const wrongPassword = 'Walrus-Teapot-Nebula-5529';

    // Register, log in, a failed login.
    const registered = await call(url, 'POST', '/auth/v1/register', {
      body: { email, password, first_name: 'Log', last_name: 'Scan', organization_name: 'Log Scan Ltd' },
    });
    expect(registered.status).toBe(201);
    const login = await call(url, 'POST', '/auth/v1/login', { body: { email, password } });
    expect(login.status).toBe(200);
    const token: string = login.body.token;
    const wrong = await call(url, 'POST', '/auth/v1/login', { body: { email, password: wrongPassword } });
    expect(wrong.status).toBe(401);
    const auth = { authorization: `Bearer ${token}` };

    // A client, the list of clients.
    const client = await call(url, 'POST', '/client/v1', { body: { name: 'log-scan' }, headers: auth });
    expect(client.status).toBe(201);
    const apiKey: string = client.body.api_key;
    const apiSecret: string = client.body.api_secret;
    expect((await call(url, 'GET', '/client/v1', { headers: auth })).status).toBe(200);

    // An intent task with a filter, run to the end, and its status.
    const api = apiClient(url, apiKey);
    const created = await api.post('/api/v1/intent_hive_tasks', {
      days: ['2024-05-01'],
      topic_id_prefixes: ['4eyes_101', '4eyes_102'],
      scores: ['medium', 'high'],
      where_expr: "intent_score >= 50 AND country IN ('US', 'GB')",
    });
    expect(created.status).toBe(202);
    await api.waitFor(created.body.task_id, ['completed']);
    const status = await api.get(`/api/v1/status/${created.body.task_id}`);
    expect(status.status).toBe(200);
    // Also with the JWT, so the token travels on a task route too.
    expect((await call(url, 'GET', `/api/v1/status/${created.body.task_id}`, { headers: auth })).status).toBe(
      200,
    );
    const links: string[] = status.body.output_links;
    expect(links.length).toBeGreaterThan(0);
    const signatures = links.map((link) => new URL(link).searchParams.get('signature')!);
    expect(signatures.every((s) => s && s.length >= 16)).toBe(true);

    // A download through its link, then a tampered link.
    const download = await fetch(links[0]!);
    expect(download.status).toBe(200);
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(bytes.subarray(0, 4).toString()).toBe('PAR1');
    const tampered = new URL(links[0]!);
    const realSignature = tampered.searchParams.get('signature')!;
    const forgedSignature = (realSignature[0] === 'A' ? 'B' : 'A') + realSignature.slice(1);
    tampered.searchParams.set('signature', forgedSignature);
    const refused = await fetch(tampered);
    expect(refused.status).toBe(403);
    await refused.arrayBuffer();

    // Revoke the client; its key no longer works.
    expect((await call(url, 'DELETE', `/client/v1/${client.body.client_id}`, { headers: auth })).status).toBe(
      204,
    );
    expect((await api.get('/api/v1/status')).status).toBe(401);

    // Error paths, where a careless handler would log the raw body or the headers.
    const broken = await call(url, 'POST', '/auth/v1/login', {
      rawBody: `{"email":"${email}","password":"${password}"`,
    });
    expect(broken.status).toBe(400);
    const junk = await call(url, 'POST', '/auth/v1/login', {
      rawBody: `{"email":"${email}","password":"${password}", oops}`,
    });
    expect(junk.status).toBe(400);
    const plain = await call(url, 'POST', '/auth/v1/login', {
      rawBody: `${email} ${password}`,
      headers: { 'content-type': 'text/plain' },
    });
    expect(plain.status).toBe(415);
    const tooLong = await call(url, 'POST', '/auth/v1/login', {
      body: { email, password: password.repeat(20) },
    });
    expect(tooLong.status).toBe(400);
    expect((await call(url, 'GET', '/no/such/route', { headers: auth })).status).toBe(404);
    expect(
      (await call(url, 'POST', '/api/v1/intent_hive_tasks', { rawBody: '{"days":', headers: auth })).status,
    ).toBe(400);

    // A wrong and a right password change from a second login (the first login's session ends),
    // which then logs out.
    const second = await call(url, 'POST', '/auth/v1/login', { body: { email, password } });
    const secondAuth = { authorization: `Bearer ${second.body.token}` };
    const newPassword = 'Heron-Cobalt-Juniper-6142';
    const wrongChange = await call(url, 'POST', '/auth/v1/password', {
      headers: secondAuth,
      body: { current_password: wrongPassword, new_password: newPassword },
    });
    expect(wrongChange.status).toBe(403);
    const changed = await call(url, 'POST', '/auth/v1/password', {
      headers: secondAuth,
      body: { current_password: password, new_password: newPassword },
    });
    expect(changed.status).toBe(200);
    expect((await call(url, 'POST', '/auth/v1/logout', { headers: secondAuth })).status).toBe(204);
    expect((await call(url, 'GET', '/client/v1', { headers: secondAuth })).status).toBe(401);

    const output = server!.output;
    expect(await stop()).toBe(0);
    const logs = Buffer.concat(output).toString('utf8');

    // Logging is on, with request lines: a silent logger would pass the scan below.
    expect(logs.length).toBeGreaterThan(1000);
    const lines = logs
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map(
        (line) =>
          JSON.parse(line) as { level: number; msg?: string; req?: { method?: string; url?: string } },
      );
    const requestUrls = lines.filter((l) => l.req?.url).map((l) => `${l.req!.method} ${l.req!.url}`);
    expect(requestUrls).toContain('POST /auth/v1/login');
    expect(requestUrls).toContain('POST /client/v1');
    expect(requestUrls.some((u) => u.startsWith('GET /api/v1/downloads/'))).toBe(true);
    expect(lines.filter((l) => l.msg === 'incoming request').length).toBeGreaterThanOrEqual(12);
    expect(lines.some((l) => l.msg === 'request completed')).toBe(true);

    const secrets: Record<string, string> = {
      password,
      'wrong password': wrongPassword,
      'new password': newPassword,
      JWT: token,
      'second JWT': second.body.token,
      'JWT signature': token.split('.')[2]!,
      'JWT payload': token.split('.')[1]!,
      api_key: apiKey,
      'api_key without its prefix': apiKey.slice('dlvr_'.length),
      api_secret: apiSecret,
      'jwt-secret file': fs.readFileSync(path.join(dataDir, 'jwt-secret'), 'utf8').trim(),
      'link-secret file': fs.readFileSync(path.join(dataDir, 'link-secret'), 'utf8').trim(),
      'tampered link signature': forgedSignature,
    };
    signatures.forEach((signature, i) => {
      secrets[`signature of link ${i}`] = signature;
    });
    const found = Object.entries(secrets)
      .filter(([, value]) => {
        expect(value.length).toBeGreaterThanOrEqual(12);
        return logs.includes(value) || logs.includes(encodeURIComponent(value));
      })
      .map(([name]) => name);
    expect(found, `secrets found in the logs:\n${logs.slice(0, 4000)}`).toEqual([]);
    expect(logs).not.toMatch(/signature=/);
  });
});
