import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from './server-process.ts';

const BINARY = fs.existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : 'redis-server';

/** Starts `redis-server` on `port` of 127.0.0.1, without persistence, its log in `dir`. */
function spawnServer(dir: string, port: number): ChildProcess {
  const log = fs.openSync(path.join(dir, 'redis.log'), 'a');
  try {
    return spawn(
      BINARY,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: ['ignore', log, 'inherit'] },
    );
  } finally {
    // The server has its own copy of the descriptor; this process's would stay open for good.
    fs.closeSync(log);
  }
}

/** Waits (up to 10 s) until the server at `url` answers PING; kills it when it does not. */
async function connectWhenUp(child: ChildProcess, url: string): Promise<Redis> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      return client;
    } catch (error) {
      client.disconnect();
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`redis-server at ${url} did not start: ${String(error)}`);
      }
      await sleep(100);
    }
  }
}

/**
 * A Redis server of a run's own (the chaos run, a test that restarts Redis), on a free port of
 * 127.0.0.1, without persistence: it may be flushed or stopped, which must never happen to the Redis
 * other suites share.
 */
export class PrivateRedis {
  private exited!: Promise<void>;

  private constructor(
    private child: ChildProcess,
    private readonly dir: string,
    readonly url: string,
    /**
     * The run's own connection: FLUSHALL, and looking up the queue's keys. It outlives a `halt` and
     * `restart` (ioredis reconnects by itself), so whoever holds it keeps it.
     */
    readonly client: Redis,
  ) {
    this.watch(child);
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Whether the server process is running (false between `halt` and `restart`). */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts a server in `dir`, on `port` (a restart) or on a free one. */
  static async start(dir: string, port?: number): Promise<PrivateRedis> {
    fs.mkdirSync(dir, { recursive: true });
    port ??= await freePort();
    const child = spawnServer(dir, port);
    const url = `redis://127.0.0.1:${port}`;
    return new PrivateRedis(child, dir, url, await connectWhenUp(child, url));
  }

  async flushAll(): Promise<void> {
    await this.client.flushall();
  }

  /**
   * Stops the server (SIGTERM) but keeps this object and its client: `restart` brings a new server
   * up on the same port and folder, empty (no persistence), as a restarted Redis without a dump is.
   */
  async halt(): Promise<void> {
    if (this.running) this.child.kill('SIGTERM');
    await this.exited;
  }

  /** Starts the server again after `halt`, on the same port and folder; resolves once it answers PING. */
  async restart(): Promise<void> {
    if (this.running) throw new Error('redis-server is still running');
    this.child = spawnServer(this.dir, this.port);
    this.watch(this.child);
    const probe = await connectWhenUp(this.child, this.url);
    probe.disconnect();
  }

  async stop(): Promise<void> {
    this.client.disconnect();
    if (this.running) this.child.kill('SIGTERM');
    await this.exited;
  }

  private watch(child: ChildProcess): void {
    this.exited = new Promise((resolve) => child.on('exit', () => resolve()));
  }
}
