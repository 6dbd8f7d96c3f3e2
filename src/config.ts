import os from 'node:os';
import path from 'node:path';
import { ConfigError, type Env, EnvReader } from './config/env-reader.ts';
import { type ObjectLocation, parseObjectUri } from './storage/object-location.ts';

export { ConfigError } from './config/env-reader.ts';

/**
 * Everything the service reads from its environment, in sections, validated once at start. Loading
 * is pure: secrets not given in the environment are generated into DATA_DIR by the start itself
 * (see `src/composition/service-secrets.ts`), not here.
 */
export interface Config {
  server: ServerConfig;
  store: StoreConfig;
  queue: QueueConfig;
  storage: StorageConfig;
  engine: EngineConfig;
  limits: LimitsConfig;
  webhooks: WebhooksConfig;
  audiences: AudiencesConfig;
  secrets: SecretsConfig;
}

/** The process: where it listens, its files, its logs, how it stops. */
export interface ServerConfig {
  /** `PORT`; 0 picks a free one. @defaultValue 8080 */
  port: number;
  /** `HOST`. @defaultValue `127.0.0.1` */
  host: string;
  /**
   * `PUBLIC_URL`: base of the download links handed out and of webhook `manifest_url`s.
   * @defaultValue unset: `http://HOST:PORT` with the port the server actually listens on (so `PORT=0` works)
   */
  publicUrl: string | undefined;
  /** `DATA_DIR`: the SQLite file, demo data, local exports, generated secrets. @defaultValue `./data` */
  dataDir: string;
  /** `LOG_LEVEL`, a pino level. @defaultValue `info` */
  logLevel: string;
  /** `METRICS_PORT`: where a worker process serves `/metrics`. @defaultValue unset: it serves none */
  metricsPort: number | undefined;
  /** `SHUTDOWN_GRACE`: how long a stopping worker lets its running jobs finish before it hands them back. @defaultValue 30 s */
  shutdownGraceMs: number;
}

export interface StoreConfig {
  /** `DATABASE_URL`, a `postgres://` URL. @defaultValue unset: SQLite in DATA_DIR */
  databaseUrl: string | undefined;
}

/** How jobs wait and how many run at once in one worker process. */
export interface QueueConfig {
  /**
   * `REDIS_URL`: Redis of a scaled-out deployment (its job queue, task-change feed, rate limits and
   * login throttle). @defaultValue unset: everything in process
   */
  redisUrl: string | undefined;
  /** `REDIS_PREFIX`: prefix of every Redis key and channel of this deployment (several may share one Redis). @defaultValue `audiences` */
  redisPrefix: string;
  /** `WORKER_CONCURRENCY`: export jobs run at once by one worker process. @defaultValue the cores, at most 4 */
  workerConcurrency: number;
  /** `COUNT_CONCURRENCY`: count jobs run at once beside the exports (counts never wait for them). @defaultValue half of workerConcurrency, at least 1 */
  countConcurrency: number;
}

/** Where inputs are read from and exports written to: local folders or buckets. */
export interface StorageConfig {
  /** `INTENT_INPUT_PATH`: root of the intent tree. @defaultValue `DATA_DIR/intent` */
  intentInputPath: string;
  /** `OUTPUT_PATH`: root of exports. @defaultValue `DATA_DIR/exports` */
  outputPath: string;
  /** `LOCAL_INPUT_ROOTS`: local folders a task's `input_path` may name. @defaultValue DATA_DIR */
  localInputRoots: string[];
  /** `INPUT_BUCKETS`: buckets (and prefixes) a task's `input_path` may name. @defaultValue the bucket of INTENT_INPUT_PATH */
  inputBuckets: ObjectLocation[];
  /** `DEMO_DATA`: generate the demo tree on the first embedded start when the intent tree is empty. @defaultValue true */
  demoData: boolean;
  /** S3 (and S3-compatible) settings; credentials come from the standard AWS provider chain. */
  s3: { endpoint?: string; forcePathStyle: boolean; region?: string };
  /** GCS through its S3-interoperable XML API with HMAC keys. */
  gcs: { endpoint: string; accessKeyId?: string; secretAccessKey?: string };
  /**
   * `SNAPSHOT_PATH`: the service's own area for saved audiences' member snapshots (a local folder
   * or a bucket every worker reaches; never the customers' output). @defaultValue `DATA_DIR/snapshots`
   */
  snapshotPath: string;
  /** `STAGING_DIR`: local cache of staged object-store inputs. @defaultValue `DATA_DIR/cache` */
  stagingDir: string;
  /** `STAGING_CACHE_BYTES`: the staging cache's cap. @defaultValue 10GB */
  stagingCacheBytes: number;
  /**
   * `RANGED_READS`: a count, or an export with a column list, over object storage fetches only the
   * footer and the chunks of the columns it reads (a sparse local copy) instead of each whole
   * object. @defaultValue true
   */
  rangedReads: boolean;
  /** `STORAGE_TIMEOUT`: connect timeout, and longest silence of a connection, of each object-store request. @defaultValue 30 s */
  timeoutMs: number;
  /** `STORAGE_MAX_ATTEMPTS`: attempts (with backoff) per object-store request. @defaultValue 6 */
  maxAttempts: number;
}

/** DuckDB and the bounds of the jobs it runs. */
export interface EngineConfig {
  /** `DUCKDB_THREADS`: threads of each job's DuckDB. @defaultValue the cores */
  threads: number;
  /** `DUCKDB_MEMORY_LIMIT`: memory of all running jobs' DuckDB instances together, in bytes; each job gets its share. @defaultValue half of RAM, at least 256MB */
  memoryBytes: number;
  /** `JOB_TIMEOUT`: longest a single job may run before it fails its task. @defaultValue 30 min */
  jobTimeoutMs: number;
  /**
   * `JOB_MAX_BYTES`: input bytes one job reads at most when it can be split: a job over more
   * partitions hands the rest to new jobs, so a large task spreads over every worker and no job
   * holds a slot for long. @defaultValue 512MB
   */
  jobMaxBytes: number;
  /**
   * `COUNT_JOB_MAX_BYTES`: input bytes one filtered count job reads at most. A count reads only
   * its filter's columns into one aggregate, many times faster per input byte than an export.
   * @defaultValue `COUNT_JOB_SHARE` (16) × JOB_MAX_BYTES
   */
  countJobMaxBytes: number;
  /**
   * `UNIQUE_JOB_MAX_BYTES`: input bytes of a unique count or a people export one job takes on;
   * a larger one is sliced by hash. @defaultValue when workers share a store, a count job's input
   * (4 × JOB_MAX_BYTES); a worker alone, no bound; a people export, at most what memory folds
   */
  uniqueJobMaxBytes: number | undefined;
  /**
   * `SLICE_BUCKETS`: hash buckets of a unique count or a people export larger than one job (its
   * reduce jobs and export jobs). @defaultValue at a task's create, 16, or the power of two that is
   * at least the count jobs running at once across the live workers, when more
   */
  sliceBuckets: number | undefined;
  /** `PREVIEW_TIMEOUT`: longest a task preview may look for its rows before it answers 504. @defaultValue 10 s */
  previewTimeoutMs: number;
  /** `EXPORT_COMPRESSION`: codec of exported Parquet files. @defaultValue `snappy` */
  exportCompression: ExportCompression;
}

/** How much one client may ask for, and how long what it gets lasts. */
export interface LimitsConfig {
  /** `RATE_LIMIT_PER_MINUTE`: requests per minute per API key (or token, or address without either). @defaultValue 1200 */
  rateLimitPerMinute: number;
  /** `MAX_ACTIVE_TASKS`: most tasks one organisation may have in progress. @defaultValue 50 */
  maxActiveTasks: number;
  /** `TASK_TTL`: task expiry. @defaultValue 7 days */
  taskTtlMs: number;
  /** `IDEMPOTENCY_TTL`: how long an Idempotency-Key keeps the answer of its first request. @defaultValue 24 h */
  idempotencyTtlMs: number;
  /** `CATALOG_TTL`: how long the catalog of an object-store intent tree is served before the tree is listed again. @defaultValue 60 s */
  catalogTtlMs: number;
  /** `LINK_TTL`: validity of download links. @defaultValue 24 h */
  linkTtlMs: number;
  /** `JWT_TTL`: validity of login tokens. @defaultValue 12 h */
  jwtTtlMs: number;
}

export interface WebhooksConfig {
  /** `WEBHOOK_RETRY_FOR`: how long after its event a delivery is retried before it is given up. @defaultValue 24 h */
  retryForMs: number;
  /** `WEBHOOK_TIMEOUT`: longest one attempt may take. @defaultValue 10 s */
  timeoutMs: number;
  /** `WEBHOOK_ALLOW_HTTP`: URLs may be `http://` (receivers on a trusted network, tests). @defaultValue false */
  allowHttp: boolean;
  /** `WEBHOOK_ALLOW_PRIVATE`: hosts may resolve to loopback, private, link-local or metadata addresses. @defaultValue false */
  allowPrivate: boolean;
}

/** Saved audiences: their schedules and the member snapshots of their delta runs. */
export interface AudiencesConfig {
  /** `SCHEDULE_MIN_INTERVAL`: the shortest schedule an audience may have. @defaultValue 15m */
  minIntervalMs: number;
  /** `AUDIENCE_SNAPSHOTS_KEPT`: member snapshots kept per audience (besides its delta base). @defaultValue 3 */
  snapshotsKept: number;
}

/**
 * The signing secrets as the environment gives them. Unset (only allowed with the SQLite store), the
 * start generates each once into DATA_DIR and reads it back on later starts.
 */
export interface SecretsConfig {
  /** `JWT_SECRET`: signs login tokens; at least 32 characters. */
  jwt: string | undefined;
  /** `LINK_SECRET`: signs download links; at least 32 characters. */
  link: string | undefined;
}

export const EXPORT_COMPRESSIONS = ['snappy', 'zstd', 'gzip', 'uncompressed'] as const;
export type ExportCompression = (typeof EXPORT_COMPRESSIONS)[number];

/** Reads and validates the environment; a bad value throws a {@link ConfigError} naming its variable. */
export function loadConfig(env: Env = process.env): Config {
  const read = new EnvReader(env);
  const server = serverConfig(read);
  const store = storeConfig(read);
  return {
    server,
    store,
    queue: queueConfig(read, store),
    storage: storageConfig(read, server.dataDir),
    engine: engineConfig(read),
    limits: limitsConfig(read),
    webhooks: webhooksConfig(read),
    audiences: {
      minIntervalMs: read.duration('SCHEDULE_MIN_INTERVAL', '15m', {
        min: 1_000,
        expected: 'at least 1s (default 15m)',
      }),
      snapshotsKept: read.integer('AUDIENCE_SNAPSHOTS_KEPT', 3, 1, 1000),
    },
    secrets: secretsConfig(read, store),
  };
}

const HTTP_URL = { schemes: ['http', 'https'], expected: 'an http(s) URL' };

function serverConfig(read: EnvReader): ServerConfig {
  return {
    port: read.integer('PORT', 8080, 0, 65_535),
    host: read.text('HOST', '127.0.0.1'),
    publicUrl: read.url('PUBLIC_URL', HTTP_URL)?.replace(/\/+$/, ''),
    dataDir: path.resolve(read.text('DATA_DIR', './data')),
    logLevel: read.text('LOG_LEVEL', 'info'),
    metricsPort: read.optionalInteger('METRICS_PORT', 0, 65_535),
    shutdownGraceMs: read.duration('SHUTDOWN_GRACE', '30s'),
  };
}

function storeConfig(read: EnvReader): StoreConfig {
  return {
    databaseUrl: read.url('DATABASE_URL', {
      schemes: ['postgres', 'postgresql'],
      expected: 'a postgres:// URL',
    }),
  };
}

function queueConfig(read: EnvReader, store: StoreConfig): QueueConfig {
  const redisUrl = read.url('REDIS_URL', { schemes: ['redis', 'rediss'], expected: 'a redis:// URL' });
  if (redisUrl && !store.databaseUrl) {
    throw new ConfigError(
      'REDIS_URL',
      'needs DATABASE_URL too: the SQLite store belongs to one process, so a Redis-shared deployment must keep its store in PostgreSQL',
    );
  }
  const workerConcurrency = read.integer(
    'WORKER_CONCURRENCY',
    Math.max(1, Math.min(4, os.availableParallelism())),
    1,
    64,
  );
  return {
    redisUrl,
    redisPrefix: read.text('REDIS_PREFIX', 'audiences', {
      test: /^[A-Za-z0-9_.-]{1,64}$/,
      hint: 'use 1-64 letters, digits, "_", "-" or "."',
    }),
    workerConcurrency,
    countConcurrency: read.integer(
      'COUNT_CONCURRENCY',
      Math.max(1, Math.floor(workerConcurrency / 2)),
      1,
      64,
    ),
  };
}

function storageConfig(read: EnvReader, dataDir: string): StorageConfig {
  const intentInputPath = read.location('INTENT_INPUT_PATH', path.join(dataDir, 'intent'));
  const intentBucket = parseObjectUri(intentInputPath);
  const s3Endpoint = read.url('S3_ENDPOINT', HTTP_URL);
  const s3Region = read.raw('S3_REGION');
  const gcsKey = read.raw('GCS_HMAC_ACCESS_KEY_ID');
  const gcsSecret = read.raw('GCS_HMAC_SECRET');
  return {
    intentInputPath,
    outputPath: read.location('OUTPUT_PATH', path.join(dataDir, 'exports')),
    localInputRoots: read.localFolders('LOCAL_INPUT_ROOTS', dataDir),
    inputBuckets: read.buckets('INPUT_BUCKETS', intentBucket ? [{ ...intentBucket, key: '' }] : []),
    demoData: read.flag('DEMO_DATA', true),
    s3: {
      ...(s3Endpoint ? { endpoint: s3Endpoint } : {}),
      forcePathStyle: read.flag('S3_FORCE_PATH_STYLE', false),
      // S3-compatible stores ignore the region but the SDK needs one.
      ...(s3Region || s3Endpoint ? { region: s3Region ?? 'us-east-1' } : {}),
    },
    gcs: {
      endpoint: read.url('GCS_ENDPOINT', HTTP_URL, 'https://storage.googleapis.com')!,
      ...(gcsKey ? { accessKeyId: gcsKey } : {}),
      ...(gcsSecret ? { secretAccessKey: gcsSecret } : {}),
    },
    snapshotPath: read.location('SNAPSHOT_PATH', path.join(dataDir, 'snapshots')),
    stagingDir: read.localFolder('STAGING_DIR', path.join(dataDir, 'cache')),
    stagingCacheBytes: read.bytes('STAGING_CACHE_BYTES', 10e9),
    rangedReads: read.flag('RANGED_READS', true),
    timeoutMs: read.duration('STORAGE_TIMEOUT', '30s'),
    maxAttempts: read.integer('STORAGE_MAX_ATTEMPTS', 6, 1, 20),
  };
}

/**
 * A filtered count job's default input, in JOB_MAX_BYTES: a count job then runs about as long as an
 * export job, or less. Measured at 100M rows (5.9 GB) on 2 cores: the filtered count took 0.8 s, the
 * filtered export 18 s; at 10M rows, 0.15 s against 2.7 s. Split finer, a count pays each job's
 * start for little: on a worker alone, the 100M-row count took 1.11-1.24 times raw DuckDB as three
 * jobs one after another (median 1.15), 0.92-1.12 times as one job (median 1.05).
 */
const COUNT_JOB_SHARE = 16;

function engineConfig(read: EnvReader): EngineConfig {
  const jobMaxBytes = read.bytes('JOB_MAX_BYTES', 512e6, 1e6);
  return {
    threads: read.integer('DUCKDB_THREADS', Math.max(1, os.availableParallelism()), 1, 256),
    // Half the machine for queries by default; DuckDB spills to disk beyond its limit.
    memoryBytes: read.bytes('DUCKDB_MEMORY_LIMIT', Math.max(256e6, Math.floor(os.totalmem() / 2)), 128e6),
    jobTimeoutMs: read.duration('JOB_TIMEOUT', '30m'),
    jobMaxBytes,
    countJobMaxBytes: read.bytes('COUNT_JOB_MAX_BYTES', COUNT_JOB_SHARE * jobMaxBytes, 1e6),
    uniqueJobMaxBytes: read.optionalBytes('UNIQUE_JOB_MAX_BYTES', 1e6),
    // At most MAX_SLICE_BUCKETS (tasks/unique-slices.ts), not imported: the CLI loads this file.
    sliceBuckets: read.optionalInteger('SLICE_BUCKETS', 2, 4096),
    previewTimeoutMs: read.duration('PREVIEW_TIMEOUT', '10s'),
    exportCompression: read.oneOf('EXPORT_COMPRESSION', EXPORT_COMPRESSIONS, 'snappy'),
  };
}

function limitsConfig(read: EnvReader): LimitsConfig {
  return {
    rateLimitPerMinute: read.integer('RATE_LIMIT_PER_MINUTE', 1200, 1, 10_000_000),
    maxActiveTasks: read.integer('MAX_ACTIVE_TASKS', 50, 1, 100_000),
    taskTtlMs: read.duration('TASK_TTL', '7d'),
    // A key that expires at once would not stop a retry from doing the work again.
    idempotencyTtlMs: read.duration('IDEMPOTENCY_TTL', '24h', {
      min: 1_000,
      expected: 'at least 1s (default 24h)',
    }),
    catalogTtlMs: read.seconds('CATALOG_TTL', 60),
    linkTtlMs: read.duration('LINK_TTL', '24h'),
    jwtTtlMs: read.duration('JWT_TTL', '12h'),
  };
}

function webhooksConfig(read: EnvReader): WebhooksConfig {
  return {
    retryForMs: read.duration('WEBHOOK_RETRY_FOR', '24h'),
    // From 1 s (a receiver needs a moment) to 5 min (a delivery's lease outlives an attempt).
    timeoutMs: read.duration('WEBHOOK_TIMEOUT', '10s', {
      min: 1_000,
      max: 300_000,
      expected: 'from 1s to 5m',
    }),
    allowHttp: read.flag('WEBHOOK_ALLOW_HTTP', false),
    allowPrivate: read.flag('WEBHOOK_ALLOW_PRIVATE', false),
  };
}

function secretsConfig(read: EnvReader, store: StoreConfig): SecretsConfig {
  const secret = (variable: string) => {
    const value = read.secret(variable);
    // Replicas sharing a store must sign alike: none may generate a secret of its own.
    if (value === undefined && store.databaseUrl) {
      throw new ConfigError(variable, 'is required when DATABASE_URL is set (all replicas share it)');
    }
    return value;
  };
  return { jwt: secret('JWT_SECRET'), link: secret('LINK_SECRET') };
}

/**
 * What `audiences serve` and `audiences worker` need beyond the embedded defaults: a store and a
 * Redis every process shares (the secrets are required with DATABASE_URL already).
 */
export function checkScaledOut(config: Config, command: string): void {
  if (!config.store.databaseUrl) {
    throw new ConfigError(
      'DATABASE_URL',
      `\`audiences ${command}\` needs a PostgreSQL store every process shares (postgres://...)`,
    );
  }
  if (!config.queue.redisUrl) {
    throw new ConfigError(
      'REDIS_URL',
      `\`audiences ${command}\` needs a Redis every process shares (redis://...)`,
    );
  }
}
