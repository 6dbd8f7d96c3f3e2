import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { cliEnv, REPO, runCli } from '../support/cli-process.ts';
import { intentPrefixes } from '../support/duck.ts';

/**
 * Progress bars: drawn on a terminal (the command run under a pseudo-terminal by util-linux
 * `script`), absent when piped. And the help: every command explains its options, with an example.
 */

let t: TestServer;
let account: Account;
let prefix: string;

beforeAll(async () => {
  t = await startTestServer();
  account = await signUp(t.url);
  prefix = (await intentPrefixes(t.intentTree))[0]!;
});
afterAll(async () => t?.close());

const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/** Runs the CLI under a pseudo-terminal: everything it writes (stdout and stderr) as the terminal saw it. */
function underTerminal(args: string[]): Promise<{ code: number; output: string }> {
  const command = [process.execPath, path.join(REPO, 'bin/audiences.js'), ...args].map(quote).join(' ');
  const env = cliEnv({ AUDIENCES_URL: t.url, AUDIENCES_API_KEY: account.apiKey, TERM: 'xterm' });
  return new Promise((resolve) => {
    execFile('script', ['-qfec', command, '/dev/null'], { env, timeout: 45_000 }, (error, stdout) => {
      resolve({ code: error ? Number(error.code ?? -1) : 0, output: stdout });
    });
  });
}

describe('progress bars', () => {
  it('export --out draws the job bar and the byte bar on a terminal', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-cli-tty-'));
    try {
      const run = await underTerminal([
        'export',
        '--days',
        '2024-05-01',
        '--prefixes',
        prefix,
        '--scores',
        'high',
        '--out',
        out,
      ]);
      expect(run.code).toBe(0);
      expect(run.output).toMatch(/exporting \[[█░]+\] \d+\/\d+ jobs \| completed/);
      expect(run.output).toMatch(
        /download \[[█░]+\] 100% \| [\d.]+ [kM]?B \/ [\d.]+ [kM]?B \| file \d+\/\d+/,
      );
      expect(run.output).toContain('TOTAL');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('are absent when stderr is piped', async () => {
    const run = await runCli(['count', '--days', '2024-05-01', '--prefixes', prefix, '--scores', 'high'], {
      AUDIENCES_URL: t.url,
      AUDIENCES_API_KEY: account.apiKey,
    });
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(/[█░]|jobs \|/);
    expect(run.stderr).not.toContain('\u001b[');
    expect(run.stdout).toContain('TOTAL');
  });
});

describe('help', () => {
  it('audiences --help lists the server and the user commands, the exit codes and examples', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['start', 'serve', 'worker', 'migrate', 'demo-data', 'register', 'login', 'keys']) {
      expect(run.stdout).toContain(`  ${command}`);
    }
    for (const command of ['count', 'export', 'generic', 'tasks'])
      expect(run.stdout).toContain(`  ${command}`);
    expect(run.stdout).toContain('Exit codes: 0 success, 1 the task failed or was cancelled, 2 usage error');
    expect(run.stdout).toContain('Examples:');
  });

  it('each user command explains every option and shows an example', async () => {
    for (const command of [
      ['count'],
      ['export'],
      ['generic', 'export'],
      ['tasks', 'download'],
      ['login'],
      ['topics'],
    ]) {
      const run = await runCli([...command, '--help']);
      expect(run.code, command.join(' ')).toBe(0);
      expect(run.stdout, command.join(' ')).toMatch(/Examples?:\n {2}\$ audiences /);
      // Every option line carries a description.
      const options = run.stdout.split('\n').filter((line) => /^ {2}-/.test(line));
      expect(options.length).toBeGreaterThan(3);
      for (const line of options) expect(line.trim(), command.join(' ')).toMatch(/^\S.*\s{2,}\S/);
    }
  });
});
