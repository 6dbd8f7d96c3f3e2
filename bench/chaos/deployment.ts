import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { databaseUrl, POSTGRES_ADMIN_URL, query } from '../../harness/postgres.ts';
import type { PrivateHostedPostgres } from '../../harness/private-postgres.ts';
import { PrivateRedis } from '../../harness/private-redis.ts';
import {
  freePort,
  type ProcessEnv,
  runCommand,
  type ServerProcess,
  spawnCommand,
} from '../../harness/server-process.ts';
import { sleep } from '../stats.ts';

export type Role = 'serve' | 'worker';

/** One place in the deployment (`api1`, `worker2`, …): a process of its role, replaced when it dies. */
export interface Slot {
  name: string;
  role: Role;
  /** An API keeps its port across restarts, so clients keep their list of URLs. */
  port: number | undefined;
  dataDir: string;
  /** The live process; undefined while one is being started. */
  process: ServerProcess | undefined;
  /** Processes started in this slot so far. */
  generation: number;
}

/** A process that exited without being killed by the run. */
export interface Crash {
  slot: string;
  pid: number;
  code: number | null;
  at: number;
  logFile: string;
}

export interface DeploymentOptions {
  /** This run's folder: output, DATA_DIRs, Redis, logs. */
  runDir: string;
  tree: string;
  apis: number;
  workers: number;
  /** JOB_MAX_BYTES of every process: jobs over more input split at their start. */
  jobMaxBytes: number;
  /**
   * A PostgreSQL server of the run's own (one it may stop and start); the database is made on it.
   * @defaultValue the shared server of POSTGRES_ADMIN_URL
   */
  postgres?: PrivateHostedPostgres;
  /** Environment every process gets besides the deployment's own (the object store's settings). */
  env?: ProcessEnv;
  /** OUTPUT_PATH. @defaultValue `runDir/output` */
  outputPath?: string;
  /** When set, each slot's STAGING_DIR is `stagingRoot/{slot}` (on the run's small disk). */
  stagingRoot?: string;
  log: (message: string) => void;
}

/** The admin URL of the server the deployment's database is on, and the URL of a database there. */
function serverUrls(postgres: PrivateHostedPostgres | undefined) {
  return postgres
    ? { admin: postgres.url(), of: (database: string) => postgres.url(database) }
    : { admin: POSTGRES_ADMIN_URL, of: databaseUrl };
}

/**
 * A scaled-out deployment as an operator runs it (README "Scaling out"): a fresh PostgreSQL
 * database, a private Redis, `audiences migrate`, then `serve` and `worker` processes sharing one
 * OUTPUT_PATH. A slot whose process is killed gets a new process of the same role at once, as a
 * supervisor (systemd, Kubernetes) would restart it.
 */
export class Deployment {
  readonly slots: Slot[] = [];
  readonly crashes: Crash[] = [];
  /** Kill (or crash) → the new process answering its readiness check (at `readyAt`, epoch ms), per restart. */
  readonly restarts: Array<{ slot: string; role: Role; ms: number; readyAt: number }> = [];
  /** Restarts that failed and were tried again. */
  readonly failedStarts: Array<{ slot: string; error: string }> = [];
  readonly outputPath: string;
  readonly logDir: string;
  private readonly killed = new Set<number>();
  private readonly pending = new Set<Promise<void>>();
  private stopping = false;

  private constructor(
    private readonly options: DeploymentOptions,
    readonly database: string,
    readonly redis: PrivateRedis,
    private readonly env: ProcessEnv,
  ) {
    this.outputPath = env.OUTPUT_PATH!;
    this.logDir = path.join(options.runDir, 'logs');
  }

  get databaseUrl(): string {
    return serverUrls(this.options.postgres).of(this.database);
  }

  /** Prefix of every Redis key of the deployment (BullMQ's keys are `{prefix}:audiences-jobs:…`). */
  static readonly REDIS_PREFIX = 'chaos';

  static async start(options: DeploymentOptions): Promise<Deployment> {
    const { runDir, tree, log } = options;
    const database = `audiences_chaos_${randomBytes(6).toString('hex')}`;
    const urls = serverUrls(options.postgres);
    await query(urls.admin, `CREATE DATABASE ${database}`);
    let redis: PrivateRedis | undefined;
    try {
      redis = await PrivateRedis.start(path.join(runDir, 'redis'));
      log(`private redis-server ${redis.url} (pid ${redis.pid}); database ${database}`);
      const outputPath = options.outputPath ?? path.join(runDir, 'output');
      fs.mkdirSync(outputPath, { recursive: true });
      const env: ProcessEnv = {
        DATABASE_URL: urls.of(database),
        REDIS_URL: redis.url,
        REDIS_PREFIX: Deployment.REDIS_PREFIX,
        JWT_SECRET: `jwt-${randomUUID()}-${randomUUID()}`,
        LINK_SECRET: `link-${randomUUID()}-${randomUUID()}`,
        INTENT_INPUT_PATH: tree,
        LOCAL_INPUT_ROOTS: tree,
        OUTPUT_PATH: outputPath,
        DEMO_DATA: '0',
        HOST: '127.0.0.1',
        PUBLIC_URL: undefined,
        MAX_ACTIVE_TASKS: '100000',
        WORKER_CONCURRENCY: '1',
        COUNT_CONCURRENCY: '1',
        DUCKDB_THREADS: '1',
        DUCKDB_MEMORY_LIMIT: '1GB',
        JOB_MAX_BYTES: String(options.jobMaxBytes),
        // Filtered counts split as finely as unique work (16 × would keep most of them one job).
        COUNT_JOB_MAX_BYTES: String(4 * options.jobMaxBytes),
        // Scheduled audiences run every few seconds; their members are kept in one shared folder.
        SCHEDULE_MIN_INTERVAL: '1s',
        SNAPSHOT_PATH: path.join(runDir, 'snapshots'),
        // Last: the object store's settings (and INTENT_INPUT_PATH on it) when the input is there.
        ...options.env,
      };
      const deployment = new Deployment(options, database, redis, env);
      fs.mkdirSync(deployment.logDir, { recursive: true });
      const migrated = await runCommand(
        'migrate',
        { ...env, DATA_DIR: path.join(runDir, 'migrate') },
        { timeoutMs: 120_000 },
      );
      if (migrated.code !== 0) throw new Error(`migrate exited ${migrated.code}: ${migrated.output}`);
      for (let i = 1; i <= options.apis; i++) deployment.addSlot(`api${i}`, 'serve', await freePort());
      for (let i = 1; i <= options.workers; i++) deployment.addSlot(`worker${i}`, 'worker', undefined);
      try {
        await Promise.all(deployment.slots.map((slot) => deployment.launch(slot)));
      } catch (error) {
        await deployment.stop();
        throw error;
      }
      return deployment;
    } catch (error) {
      await redis?.stop();
      await query(urls.admin, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      throw error;
    }
  }

  /** The APIs' base URLs, one per API slot (stable across restarts). */
  get apiUrls(): string[] {
    return this.slots.filter((slot) => slot.role === 'serve').map((slot) => `http://127.0.0.1:${slot.port}`);
  }

  /** Slots of `role` whose process is up. */
  up(role: Role): Slot[] {
    return this.slots.filter((slot) => slot.role === role && slot.process !== undefined);
  }

  /** Pids of the live worker processes. */
  workerPids(): Map<number, Slot> {
    return new Map(this.up('worker').map((slot) => [slot.process!.pid, slot]));
  }

  /**
   * `kill -9` of the slot's process; resolves once it has exited (with the moment of the kill), and
   * starts its replacement at once without waiting for it.
   */
  async kill(slot: Slot): Promise<{ pid: number; killedAt: number }> {
    const victim = slot.process;
    if (!victim) throw new Error(`${slot.name} has no process to kill`);
    slot.process = undefined;
    this.killed.add(victim.pid);
    const killedAt = Date.now();
    await victim.stop('SIGKILL');
    this.track(this.replace(slot, killedAt));
    return { pid: victim.pid, killedAt };
  }

  /** Waits for the restarts under way (the run ends with every slot up). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Stops every process (SIGTERM: workers hand back what they hold), Redis, and drops the database. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.pending]);
    await Promise.all(this.slots.map((slot) => slot.process?.stop('SIGTERM')));
    await this.redis.stop();
    await this.dropDatabase();
  }

  /** The run was interrupted: kills every process at once, stops Redis, drops the database. */
  async abort(): Promise<void> {
    this.stopping = true;
    for (const slot of this.slots) if (slot.process) process.kill(slot.process.pid, 'SIGKILL');
    await this.redis.stop();
    await this.dropDatabase();
  }

  /** Drops the database (on a private server, the server goes with the run: nothing to drop). */
  private async dropDatabase(): Promise<void> {
    if (this.options.postgres) return;
    await query(POSTGRES_ADMIN_URL, `DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`);
  }

  private addSlot(name: string, role: Role, port: number | undefined): void {
    const dataDir = path.join(this.options.runDir, 'data', name);
    fs.mkdirSync(dataDir, { recursive: true });
    this.slots.push({ name, role, port, dataDir, process: undefined, generation: 0 });
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** Starts the slot's replacement process, trying again (up to 5 times) when a start fails. */
  private async replace(slot: Slot, since: number): Promise<void> {
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        await this.launch(slot);
        this.restarts.push({ slot: slot.name, role: slot.role, ms: Date.now() - since, readyAt: Date.now() });
        return;
      } catch (error) {
        this.failedStarts.push({ slot: slot.name, error: String(error).slice(0, 500) });
        if (attempt >= 5) throw error;
        await sleep(1000 * attempt);
      }
    }
  }

  private async launch(slot: Slot): Promise<void> {
    slot.generation += 1;
    const logFile = path.join(this.logDir, `${slot.name}-${slot.generation}.log`);
    const env: ProcessEnv = {
      ...this.env,
      DATA_DIR: slot.dataDir,
      ...(this.options.stagingRoot ? { STAGING_DIR: path.join(this.options.stagingRoot, slot.name) } : {}),
      ...(slot.role === 'serve'
        ? { PORT: String(slot.port), LOG_LEVEL: 'warn' }
        : // At info a worker logs its lease owner at start and each job it records or splits.
          { LOG_LEVEL: 'info', METRICS_PORT: undefined }),
    };
    // Two cores start five processes at once: give them time.
    const child = await spawnCommand(slot.role, env, { logFile, readyTimeoutMs: 90_000 });
    if (this.stopping) {
      await child.stop('SIGKILL');
      return;
    }
    slot.process = child;
    void child.exited.then((code) => {
      if (this.killed.has(child.pid) || this.stopping || slot.process !== child) return;
      // Not killed by the run: a crash. Recorded (a reported failure) and restarted like a kill.
      this.crashes.push({ slot: slot.name, pid: child.pid, code, at: Date.now(), logFile });
      this.options.log(`${slot.name} (pid ${child.pid}) exited on its own with code ${code}`);
      slot.process = undefined;
      this.track(this.replace(slot, Date.now()));
    });
  }
}
