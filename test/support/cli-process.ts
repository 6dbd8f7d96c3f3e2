import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The repository root, where `bin/audiences.js` lives. */
export const REPO = path.resolve(import.meta.dirname, '../..');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the `audiences` command line as a process (`node bin/audiences.js ...`), with a clean
 * environment: none of the caller's AUDIENCES_* variables, a HOME and XDG_CONFIG_HOME of its own
 * (so no real profile is read), plus `env`. Never rejects: the exit code is part of the answer.
 */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 45_000,
): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(REPO, 'bin/audiences.js'), ...args],
      { cwd: REPO, env: cliEnv(env), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** An empty home for a run: its own HOME and XDG_CONFIG_HOME. */
export function freshHome(): { home: string; configHome: string } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-cli-home-'));
  const configHome = path.join(home, 'config');
  return { home, configHome };
}

/** The environment of a CLI process: PATH and a throwaway home unless `env` says otherwise. */
export function cliEnv(env: Record<string, string>): Record<string, string> {
  const own = env.HOME
    ? {}
    : (({ home, configHome }) => ({ HOME: home, XDG_CONFIG_HOME: configHome }))(freshHome());
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', ...own, ...env };
}
/** `{partition: rows}` from the table `count` prints: lines `day=…  ROWS`. */
export function parseCountTable(stdout: string): {
  counts: Record<string, number>;
  total?: number;
  unique?: number;
} {
  const counts: Record<string, number> = {};
  let total: number | undefined;
  let unique: number | undefined;
  for (const line of stdout.split('\n')) {
    const cells = line.trim().split(/\s+/);
    if (cells[0] === 'TOTAL') {
      total = Number(cells[1]);
      if (cells[2] !== undefined) unique = Number(cells[2]);
    } else if (cells[0]?.includes('=') && /^\d+$/.test(cells[1] ?? '')) {
      counts[cells[0]] = Number(cells[1]);
    }
  }
  return { counts, ...(total === undefined ? {} : { total }), ...(unique === undefined ? {} : { unique }) };
}
