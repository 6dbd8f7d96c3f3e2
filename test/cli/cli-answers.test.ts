import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { freshHome, runCli } from '../support/cli-process.ts';
import { intentPrefixes } from '../support/duck.ts';

/**
 * The command line's names for tasks, and its error lines: one line each, the field said once, a
 * profile of another server named as such, and a local failure (a file it cannot write) exiting 3.
 */

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

/** No line of a stack trace (`    at fn (file:line)`). */
const NO_STACK = /^\s+at /m;

describe('task names', () => {
  it('count --name names the task; tasks list shows it and finds it with --search; tasks show prints it', async () => {
    const segment = ['--days', '2024-05-01', '--prefixes', prefix, '--scores', 'high'];
    const counted = await runCli(['count', ...segment, '--name', 'Cloud security, May', '--json'], env);
    expect(counted.code, counted.stderr).toBe(0);
    const task = JSON.parse(counted.stdout);
    expect(task.name).toBe('Cloud security, May');
    const other = await runCli(['count', ...segment, '--json'], env);
    const unnamed = JSON.parse(other.stdout).task_id;

    const list = await runCli(['tasks', 'list'], env);
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TASK\s+NAME\s+TYPE\s+STATUS/);
    expect(lines.find((line) => line.startsWith(task.task_id))).toContain('Cloud security, May');
    expect(lines.find((line) => line.startsWith(unnamed))).toMatch(
      new RegExp(`^${unnamed}\\s+-\\s+intent_hive`),
    );

    const search = await runCli(['tasks', 'list', '--search', 'CLOUD SECURITY', '--json'], env);
    expect(JSON.parse(search.stdout).tasks.map((t: { task_id: string }) => t.task_id)).toEqual([
      task.task_id,
    ]);
    const none = await runCli(['tasks', 'list', '--search', 'nothing like it'], env);
    expect(none.code).toBe(0);
    expect(none.stderr).toContain('no task\'s name contains "nothing like it"');

    const show = await runCli(['tasks', 'show', task.task_id], env);
    expect(show.stdout).toMatch(/^name\s+Cloud security, May$/m);
  });

  it("a blank --name is the API's 400, said once", async () => {
    const run = await runCli(
      ['count', '--days', '2024-05-01', '--prefixes', prefix, '--scores', 'high', '--name', '  '],
      env,
    );
    expect(run.code).toBe(3);
    expect(run.stderr.trim().split('\n')).toEqual([
      'error: the API answered 400: name: is blank; give the task a name of 1 to 120 characters, or leave name out',
    ]);
  });
});

describe('error lines', () => {
  it('names the field of an API problem once', async () => {
    const run = await runCli(
      [
        'count',
        '--days',
        '2024-05-01',
        '--prefixes',
        prefix,
        '--scores',
        'high',
        '--where',
        'no_such_column > 1',
      ],
      env,
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^error: the API answered 400: where_expr: unknown column "no_such_column"/);
    expect(run.stderr.match(/where_expr:/g)).toHaveLength(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('says the saved profile is for another server, and how to log in to this one', async () => {
    const { home, configHome } = freshHome();
    const saved = 'http://127.0.0.1:9';
    fs.mkdirSync(path.join(configHome, 'audiences'), { recursive: true });
    fs.writeFileSync(
      path.join(configHome, 'audiences', 'profiles.json'),
      JSON.stringify({
        profiles: { default: { url: saved, email: 'a@example.com', api_key: account.apiKey } },
      }),
      { mode: 0o600 },
    );
    const run = await runCli(['tasks', 'list'], {
      HOME: home,
      XDG_CONFIG_HOME: configHome,
      AUDIENCES_URL: t.url,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `error: no API key for ${t.url}: the saved profile "default" is for ${saved}`,
    );
    expect(run.stderr).toContain(`audiences login --url ${t.url} --profile NAME`);
    expect(run.stderr).toContain(`To use ${saved}, unset AUDIENCES_URL`);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    // With --url instead of the variable, the advice says so.
    const flagged = await runCli(['keys', 'list', '--url', t.url], {
      HOME: home,
      XDG_CONFIG_HOME: configHome,
    });
    expect(flagged.code).toBe(2);
    expect(flagged.stderr).toContain(
      `this command needs a login to ${t.url}: the saved profile "default" is for ${saved}`,
    );
    expect(flagged.stderr).toContain(`To use ${saved}, drop --url`);
  });

  it('a folder it cannot write under --out: one line, no stack trace, exit 3', async () => {
    const api = apiClient(t.url, account.apiKey);
    const id = await api.createIntentTask({
      days: ['2024-05-01'],
      topic_id_prefixes: [prefix],
      scores: ['high'],
    });
    await api.waitFor(id, ['completed']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-out-'));
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'not a folder');
    for (const out of [file, path.join(file, 'below')]) {
      const run = await runCli(['tasks', 'download', id, '--out', out], env);
      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr).not.toMatch(NO_STACK);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^error: cannot create the folder ${file}/\\S+: a part of the path is a file, not a folder \\(ENOTDIR\\)$`,
        ),
      );
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a full disk under --out: one line naming the folder, no stack trace, exit 3', async () => {
    const api = apiClient(t.url, account.apiKey);
    const id = await api.createIntentTask({
      days: ['2024-05-02'],
      topic_id_prefixes: [prefix],
      scores: ['high'],
    });
    const task = await api.waitFor(id, ['completed']);
    // A 64 KiB tmpfs (the tests run as root), smaller than the export's first file.
    expect(task.files[0].size_bytes).toBeGreaterThan(64 * 1024);
    const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]);
    try {
      const out = path.join(mnt, 'segment');
      const run = await runCli(['tasks', 'download', id, '--out', out], env);
      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr).not.toMatch(NO_STACK);
      expect(run.stderr.trim().split('\n')).toEqual([
        `error: cannot write ${out}: no space left on the device (ENOSPC)`,
      ]);
      // The download leaves no half-written file.
      const left = fs.readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
      expect(left).toEqual([]);
    } finally {
      execFileSync('umount', [mnt]);
      fs.rmdirSync(mnt);
    }
  });
});
