import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBValue,
  type DuckDBValueConverter,
} from '@duckdb/node-api';
import { quoteString } from './sql-quote.ts';

export interface SandboxOptions {
  /** The only folders the instance may read or write (a job's input and output folders). */
  allowedDirectories: readonly string[];
  /**
   * Spill folder for queries larger than memory; must be inside an allowed folder. An empty string
   * turns spilling off (a query that outgrows the memory limit fails instead).
   */
  tempDirectory: string;
  /** DuckDB size string, e.g. `512MB`. */
  memoryLimit: string;
  threads: number;
  /** A statement running longer than this is interrupted and fails with `EngineTimeoutError`. */
  timeoutMs?: number;
}

/** A started DuckDB that has run nothing yet and is not locked down: only `Sandbox.lock` may use it. */
export interface PreparedInstance {
  instance: DuckDBInstance;
  connection: DuckDBConnection;
}

/** Whether DuckDB's error says a statement outgrew the instance's `memory_limit`. */
export function isOutOfMemory(error: unknown): boolean {
  return /Out of Memory/i.test(String(error));
}

export class EngineTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the query ran longer than ${Math.round(timeoutMs / 1000)} s and was stopped`);
    this.name = 'EngineTimeoutError';
  }
}

/** A query stopped by `Sandbox.interrupt` (the job was cancelled), or refused after it. */
export class EngineInterruptedError extends Error {
  constructor() {
    super('the query was interrupted');
    this.name = 'EngineInterruptedError';
  }
}

/** A query's answer as a table: its columns in order and its rows keyed by column name. */
export interface QueryTable<T> {
  columns: Array<{ name: string; type: string }>;
  rows: Array<Record<string, T | null>>;
}

/**
 * One DuckDB instance for one job, locked down before any query runs: it can touch only the
 * allowed folders, cannot load extensions or reach the network, and its settings cannot be changed
 * back by a query.
 */
export class Sandbox {
  private interrupted = false;
  /** Statements of this connection in flight. */
  private running = 0;
  /** Repeats an interrupt until the statements in flight end (see `interrupt`). */
  private repeating: NodeJS.Timeout | undefined;
  /** Further connections to the instance (see `siblings`), interrupted and closed with this one. */
  private readonly others: Sandbox[] = [];

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    /** Longest one statement may run before it is interrupted; undefined: no limit. */
    readonly timeoutMs: number | undefined,
    /** DuckDB threads of the instance, which all its connections share. */
    readonly threads: number,
  ) {}

  static async open(options: SandboxOptions): Promise<Sandbox> {
    return Sandbox.lock(await Sandbox.prepare(options), options);
  }

  /**
   * Starts an instance with the settings every job shares (threads, memory), not yet locked: it must
   * go through `lock` before it runs anything. Starting one costs 10-40 ms, which a pool pays ahead.
   */
  static async prepare(options: Pick<SandboxOptions, 'threads' | 'memoryLimit'>): Promise<PreparedInstance> {
    const instance = await DuckDBInstance.create(':memory:', {
      threads: String(options.threads),
      memory_limit: options.memoryLimit,
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    try {
      return { instance, connection: await instance.connect() };
    } catch (error) {
      instance.closeSync();
      throw error;
    }
  }

  /** Confines a prepared instance to one job's folders and locks its configuration. */
  static async lock(prepared: PreparedInstance, options: SandboxOptions): Promise<Sandbox> {
    const { instance, connection } = prepared;
    try {
      const dirs = options.allowedDirectories.map((dir) => quoteString(withSlash(dir))).join(', ');
      // One round trip; the statements run in order and the last one locks the rest in place.
      await connection.run(
        [
          // The instance may have started with more threads than this job gets (see `SandboxPool.open`).
          `SET threads = ${Math.max(1, Math.trunc(options.threads))}`,
          `SET allowed_directories = [${dirs}]`,
          `SET temp_directory = ${quoteString(options.tempDirectory)}`,
          // A job's batch holds up to 1000 partitions: keep a file open for each while exporting
          // (GLOBAL, so every connection of the instance has it; see `siblings`).
          'SET GLOBAL partitioned_write_max_open_files = 1000',
          'SET enable_external_access = false',
          'SET lock_configuration = true',
        ].join(';\n'),
      );
    } catch (error) {
      connection.closeSync();
      instance.closeSync();
      throw error;
    }
    return new Sandbox(instance, connection, options.timeoutMs, options.threads);
  }

  /**
   * This sandbox and `count - 1` more connections to its instance, for statements that run side by
   * side (one file each, say, where a single statement would leave threads idle). They share the
   * instance's locked settings, threads and memory; interrupting or closing this sandbox interrupts
   * or closes them too.
   */
  async siblings(count: number): Promise<Sandbox[]> {
    while (this.others.length < count - 1) {
      if (this.interrupted) throw new EngineInterruptedError();
      const sibling = new Sandbox(this.instance, await this.instance.connect(), this.timeoutMs, this.threads);
      this.others.push(sibling);
    }
    return [this, ...this.others.slice(0, Math.max(0, count - 1))];
  }

  /**
   * Runs a statement and returns its rows as plain objects (BIGINT as bigint); `timeoutMs` bounds
   * this one statement instead of the sandbox's limit (a caller running several within one limit).
   */
  async query(
    sql: string,
    params?: DuckDBValue[],
    timeoutMs = this.timeoutMs,
  ): Promise<Record<string, unknown>[]> {
    return this.withTimeout(async () => {
      const reader = await this.connection.runAndReadAll(sql, params);
      return reader.getRowObjects() as Record<string, unknown>[];
    }, timeoutMs);
  }

  /**
   * Runs a query and returns its columns (name and DuckDB type, in order) and its rows, each value
   * converted by `converter`. Rows are built as own properties, whatever the column names.
   */
  async table<T>(sql: string, converter: DuckDBValueConverter<T>): Promise<QueryTable<T>> {
    return this.withTimeout(async () => {
      const reader = await this.connection.runAndReadAll(sql);
      const names = reader.columnNames();
      const types = reader.columnTypes();
      return {
        columns: names.map((name, i) => ({ name, type: types[i]!.toString() })),
        rows: reader
          .convertRows(converter)
          .map((values) => Object.fromEntries(names.map((name, i) => [name, values[i] ?? null]))),
      };
    });
  }

  /**
   * Stops the running statement, if any, and refuses every later one: both fail with
   * `EngineInterruptedError`. DuckDB checks for an interrupt between chunks of work, so a long scan or
   * `COPY` stops within milliseconds. For a job whose task was cancelled.
   */
  interrupt(): void {
    this.interrupted = true;
    this.connection.interrupt();
    for (const other of this.others) other.interrupt();
    // DuckDB clears an interrupt when a statement begins: one sent while a statement is still being
    // handed over is lost, and the statement runs to its end. Repeated until it ends, it lands.
    if (this.running > 0 && !this.repeating) {
      this.repeating = setInterval(() => this.connection.interrupt(), REPEAT_INTERRUPT_MS);
      this.repeating.unref();
    }
  }

  close(): void {
    clearInterval(this.repeating);
    for (const other of this.others) other.connection.closeSync();
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private async withTimeout<T>(run: () => Promise<T>, timeoutMs = this.timeoutMs): Promise<T> {
    if (this.interrupted) throw new EngineInterruptedError();
    let timedOut = false;
    const timer = timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          this.connection.interrupt();
        }, timeoutMs)
      : undefined;
    this.running += 1;
    try {
      return await run();
    } catch (error) {
      if (this.interrupted) throw new EngineInterruptedError();
      if (timedOut) throw new EngineTimeoutError(timeoutMs!);
      throw error;
    } finally {
      clearTimeout(timer);
      this.running -= 1;
      if (this.running === 0) {
        clearInterval(this.repeating);
        this.repeating = undefined;
      }
    }
  }
}

function withSlash(dir: string): string {
  return dir.endsWith('/') ? dir : `${dir}/`;
}

/** How often an interrupt is sent again while the statements it was meant for are in flight. */
const REPEAT_INTERRUPT_MS = 20;

/** How long a finished job's instance waits before it is closed (see `SandboxPool.retire`). */
const RETIRE_AFTER_MS = 100;

/**
 * Keeps up to `size` prepared instances ready, so a job locks one down (a few SET statements)
 * instead of starting DuckDB on its critical path. Prepared instances hold no data and run nothing
 * until they are locked to one job.
 *
 * Closing an instance blocks the thread for 5-20 ms (DuckDB frees its buffers and joins its
 * threads), so a finished job's instance is retired: closed a moment later, when the answer to the
 * job's client has gone and the next job, if any, is busy in DuckDB, and replaced after that.
 */
export class SandboxPool {
  private readonly ready: Array<Promise<PreparedInstance | undefined>> = [];
  private readonly retiring = new Map<NodeJS.Timeout, () => void>();
  private closed = false;

  constructor(
    private readonly settings: Pick<SandboxOptions, 'threads' | 'memoryLimit'>,
    private readonly size: number,
  ) {}

  /** Fills the pool (at start, and after each retired instance is closed). */
  warm(): void {
    while (!this.closed && this.ready.length < this.size) this.ready.push(this.prepare());
  }

  /**
   * A sandbox for one job: a ready instance when there is one, else a new one. With `threads`, it
   * is locked once that promise tells how many threads the job gets (at most the pool's), so the
   * instance starts while the job finds out.
   */
  async open(
    options: Omit<SandboxOptions, 'threads' | 'memoryLimit'> & { threads?: Promise<number> },
  ): Promise<Sandbox> {
    const { threads, ...rest } = options;
    const prepared = (await this.ready.shift()) ?? (await Sandbox.prepare(this.settings));
    let granted = this.settings.threads;
    try {
      if (threads) granted = Math.min(granted, await threads);
    } catch (error) {
      prepared.connection.closeSync();
      prepared.instance.closeSync();
      throw error;
    }
    return Sandbox.lock(prepared, { ...this.settings, ...rest, threads: granted });
  }

  /** Closes a job's sandbox shortly, then runs `after` (the job's clean-up) and refills the pool. */
  retire(sandbox: Sandbox, after: () => void = () => {}): void {
    const finish = () => {
      this.retiring.delete(timer);
      sandbox.close();
      after();
      this.warm();
    };
    const timer = setTimeout(finish, RETIRE_AFTER_MS);
    this.retiring.set(timer, finish);
  }

  /** Closes retiring and ready instances at once; later opens start their own. */
  async close(): Promise<void> {
    this.closed = true;
    for (const [timer, finish] of [...this.retiring]) {
      clearTimeout(timer);
      finish();
    }
    const waiting = this.ready.splice(0);
    for (const prepared of await Promise.all(waiting)) {
      prepared?.connection.closeSync();
      prepared?.instance.closeSync();
    }
  }

  private prepare(): Promise<PreparedInstance | undefined> {
    // A failed start leaves a gap the next open fills by starting its own instance.
    return Sandbox.prepare(this.settings).catch(() => undefined);
  }
}
