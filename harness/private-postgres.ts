import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './server-process.ts';

/** Where Debian keeps the server's programs (the newest installed version). */
function binaries(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const bin = path.join(root, version, 'bin');
    if (fs.existsSync(path.join(bin, 'pg_ctl'))) return bin;
  }
  throw new Error(`no PostgreSQL server programs under ${root}`);
}

/**
 * A PostgreSQL server of a test's own, on a free port of 127.0.0.1, in a temporary folder: a test
 * that stops and starts the database under load must never do it to the server other suites share.
 * As root, the server runs as the `postgres` user (PostgreSQL refuses to run as root).
 */
export class PrivateHostedPostgres {
  private constructor(
    private readonly bin: string,
    private readonly dir: string,
    readonly port: number,
  ) {}

  /** The URL of a database on it (`postgres`, made by initdb, or one `createDatabase` made). */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  static async start(): Promise<PrivateHostedPostgres> {
    const bin = binaries();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-private-pg-'));
    const server = new PrivateHostedPostgres(bin, dir, await freePort());
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres', dir]);
    server.run('initdb', ['-D', server.data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await server.resume();
    return server;
  }

  private get data(): string {
    return path.join(this.dir, 'data');
  }

  /** Starts the server (again) and waits until it takes connections. */
  async resume(): Promise<void> {
    this.run('pg_ctl', [
      '-D',
      this.data,
      '-l',
      path.join(this.dir, 'server.log'),
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      '-w',
      'start',
    ]);
  }

  /** Stops the server (fast: open connections are closed at once), as a failover or a restart would. */
  async pause(): Promise<void> {
    this.run('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', 'stop']);
  }

  /** Stops the server for good and removes its folder. */
  async close(): Promise<void> {
    this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop'], true);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private run(program: string, args: string[], mayFail = false): void {
    const command = path.join(this.bin, program);
    const asRoot = process.getuid?.() === 0;
    const result = asRoot
      ? spawnSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8' })
      : spawnSync(command, args, { encoding: 'utf8' });
    if (result.status !== 0 && !mayFail) {
      throw new Error(
        `${program} ${args.join(' ')} exited ${result.status}: ${result.stderr}${result.stdout}`,
      );
    }
  }
}
