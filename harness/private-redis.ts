import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from './server-process.ts';

const BINARY = fs.existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : 'redis-server';

/**
 * A Redis server of a run's own (the chaos run, a test that restarts Redis), on a free port of
 * 127.0.0.1, without persistence: it may be flushed or stopped, which must never happen to the Redis
 * other suites share.
 */
export class PrivateRedis {
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    /** The run's own connection: FLUSHALL, and looking up the queue's keys. */
    readonly client: Redis,
  ) {
    this.exited = new Promise((resolve) => child.on('exit', () => resolve()));
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Starts a server in `dir`, on `port` (a restart) or on a free one. */
  static async start(dir: string, port?: number): Promise<PrivateRedis> {
    fs.mkdirSync(dir, { recursive: true });
    port ??= await freePort();
    const child = spawn(
      BINARY,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: ['ignore', fs.openSync(path.join(dir, 'redis.log'), 'a'), 'inherit'] },
    );
    const url = `redis://127.0.0.1:${port}`;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.ping();
        return new PrivateRedis(child, url, client);
      } catch (error) {
        client.disconnect();
        if (child.exitCode !== null || Date.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error(`redis-server on port ${port} did not start: ${String(error)}`);
        }
        await sleep(100);
      }
    }
  }

  async flushAll(): Promise<void> {
    await this.client.flushall();
  }

  async stop(): Promise<void> {
    this.client.disconnect();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}
