import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusedPort } from '../../harness/server-process.ts';
import { type Account, apiClient, call, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { runCli } from '../support/cli-process.ts';
import { intentPrefixes } from '../support/duck.ts';

/** Exit codes: 1 a task failed or was cancelled, 2 a usage error, 3 an API or network error. */

let t: TestServer;
let account: Account;
let prefix: string;
let env: Record<string, string>;

beforeAll(async () => {
  t = await startTestServer();
  account = await signUp(t.url);
  prefix = (await intentPrefixes(t.intentTree))[0]!;
  env = { AUDIENCES_URL: t.url, AUDIENCES_API_KEY: account.apiKey };
});
afterAll(async () => t?.close());

describe('exit code 2: usage errors', () => {
  it('an unknown flag, and a missing one', async () => {
    const missing = await runCli(['count', '--prefixes', prefix!, '--scores', 'high'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--days <days>' not specified");
    const run = await runCli(
      ['count', '--days', '2024-05-01', '--prefixes', prefix!, '--scores', 'high', '--bogus', '--json'],
      env,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--bogus'");
    expect(run.stdout).toBe('');
  });

  it('a reversed day range, with the range to write instead', async () => {
    const run = await runCli(
      ['count', '--days', '2024-05-03..2024-05-01', '--prefixes', prefix!, '--scores', 'high'],
      env,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('write the earlier day first (2024-05-01..2024-05-03)');
  });

  it('a day that does not exist, and a score that is none', async () => {
    const day = await runCli(
      ['count', '--days', '2024-13-45', '--prefixes', prefix!, '--scores', 'high'],
      env,
    );
    expect(day.code).toBe(2);
    expect(day.stderr).toContain('"2024-13-45" is not a date; use YYYY-MM-DD or YYYYMMDD');
    const score = await runCli(
      ['count', '--days', '2024-05-01', '--prefixes', prefix!, '--scores', 'hot'],
      env,
    );
    expect(score.code).toBe(2);
    expect(score.stderr).toContain('"hot" is not a score; use low, medium or high');
  });

  it('a missing API key', async () => {
    const run = await runCli(['tasks', 'list'], { AUDIENCES_URL: t.url });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no API key');
  });
});

describe('exit code 3: API and network errors', () => {
  it("a wrong API key: the API's 401 detail on stderr", async () => {
    const wrong = 'dlvr_wrong-key-0000000000000000';
    const answer = await call(t.url, 'GET', '/api/v1/status', { headers: { 'x-api-key': wrong } });
    expect(answer.status).toBe(401);
    const run = await runCli(['tasks', 'list', '--api-key', wrong, '--json'], { AUDIENCES_URL: t.url });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(answer.body.detail);
    expect(run.stdout).toBe('');
  });

  it('an unknown task: 404', async () => {
    const run = await runCli(['tasks', 'show', '00000000-0000-4000-8000-000000000000'], env);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('404');
  });

  it('a server that is not listening', async () => {
    const closed = await refusedPort();
    const run = await runCli(['tasks', 'list', '--url', `http://127.0.0.1:${closed}`], {
      AUDIENCES_API_KEY: account.apiKey,
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('cannot reach the API');
  });
});

describe('exit code 1: a task that ended', () => {
  it('tasks wait on a task cancelled through the API; --json still prints its detail', async () => {
    const api = apiClient(t.url, account.apiKey);
    const id = await api.createIntentTask({
      days: ['2024-05-01'],
      topic_id_prefixes: [prefix],
      scores: ['high'],
      perform_unload: false,
    });
    await api.waitFor(id, ['counted']);
    expect((await api.post(`/api/v1/tasks/${id}/cancel`)).status).toBe(202);
    const run = await runCli(['tasks', 'wait', id, '--json'], env);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ task_id: id, status: 'cancelled' });
    expect(run.stderr).toContain(`task ${id} cancelled`);
  });
});
