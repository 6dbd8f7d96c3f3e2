import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ms from 'ms';
import { isObjectUri, type ObjectLocation, parseObjectUri } from './storage/object-location.ts';

/** Everything the service reads from its environment, validated once at start. */
export interface Config {
  port: number;
  host: string;
  /**
   * Base of the download links handed out; unset means `http://HOST:PORT` with the port the server
   * actually listens on (so `PORT=0` works).
   */
  publicUrl: string | undefined;
  dataDir: string;
  databaseUrl: string | undefined;
  /** Redis of a scaled-out deployment: its job queue, task-change feed, rate limits and login throttle. */
  redisUrl: string | undefined;
  /** Prefix of every Redis key and channel of this deployment (several may share one Redis). */
  redisPrefix: string;
  /** Where a worker process (`audiences worker`) serves `/metrics`; unset: it serves none. */
  metricsPort: number | undefined;
  /** How long a stopping worker lets its running jobs finish before it hands them back. */
  shutdownGraceMs: number;
  intentInputPath: string;
  outputPath: string;
  localInputRoots: string[];
  demoData: boolean;
  jwtSecret: string;
  /** Secret that signs download links; generated into DATA_DIR like the JWT secret. */
  linkSecret: string;
  taskTtlMs: number;
  /** How long an Idempotency-Key keeps the answer of its first request. */
  idempotencyTtlMs: number;
  /** How long the catalog of an object-store intent tree is served before the tree is listed again. */
  catalogTtlMs: number;
  linkTtlMs: number;
  jwtTtlMs: number;
  /** Export jobs run at once by one worker process. */
  workerConcurrency: number;
  /** Count jobs run at once by one worker process, beside the exports (counts never wait for them). */
  countConcurrency: number;
  /**
   * Input bytes one job reads at most when it can be split: a job over more partitions hands the
   * rest to new jobs, so a large task spreads over every worker and no job holds a slot for long.
   */
  jobMaxBytes: number;
  duckdbThreads: number;
  /** Memory of all running jobs' DuckDB instances together, in bytes; each job gets its share. */
  duckdbMemoryBytes: number;
  /** Codec of exported Parquet files. */
  exportCompression: ExportCompression;
  /** Longest a single job may run before it fails its task. */
  jobTimeoutMs: number;
  /** Longest a task preview may look for its rows before it answers 504. */
  previewTimeoutMs: number;
  /** S3 (and S3-compatible) settings; credentials come from the standard AWS provider chain. */
  s3: { endpoint?: string; forcePathStyle: boolean; region?: string };
  /** GCS through its S3-interoperable XML API with HMAC keys. */
  gcs: { endpoint: string; accessKeyId?: string; secretAccessKey?: string };
  /** Buckets (and prefixes) a task's `input_path` may name. @defaultValue the bucket of INTENT_INPUT_PATH */
  inputBuckets: ObjectLocation[];
  /** Local cache of staged object-store inputs, and its cap in bytes. */
  stagingDir: string;
  stagingCacheBytes: number;
  /** Per-request timeout and attempts (with backoff) against object stores. */
  storageTimeoutMs: number;
  storageMaxAttempts: number;
  /** Requests per minute per API key (or token, or address without either). */
  rateLimitPerMinute: number;
  /** Most tasks one organisation may have in progress. */
  maxActiveTasks: number;
  /** How long after its event a webhook delivery is retried before it is given up. */
  webhookRetryForMs: number;
  /** Longest one webhook attempt may take. */
  webhookTimeoutMs: number;
  /** Webhook URLs may be `http://` (not only `https://`): for receivers on a trusted network, and tests. */
  webhookAllowHttp: boolean;
  /** Webhook hosts may resolve to loopback, private, link-local or metadata addresses. */
  webhookAllowPrivate: boolean;
  logLevel: string;
}

export const EXPORT_COMPRESSIONS = ['snappy', 'zstd', 'gzip', 'uncompressed'] as const;
export type ExportCompression = (typeof EXPORT_COMPRESSIONS)[number];

export class ConfigError extends Error {
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** A duration such as 300ms, 30s, 15m, 24h or 7d, in milliseconds. */
export function parseDuration(variable: string, value: string): number {
  const text = value.trim();
  // A unit is required: a bare number would be milliseconds, a surprise in a TTL.
  const duration = /^\d.*[a-z]$/i.test(text) ? ms(text as ms.StringValue) : undefined;
  if (duration === undefined || Number.isNaN(duration)) {
    throw new ConfigError(variable, `"${value}" is not a duration; use e.g. 30s, 15m, 24h, 7d`);
  }
  return Math.round(duration);
}

/** Seconds as a bare number (`60`), or a duration with its unit (`90s`, `5m`), in milliseconds. */
function seconds(env: Env, variable: string, fallback: number): number {
  const raw = env[variable]?.trim();
  if (raw === undefined || raw === '') return fallback * 1000;
  if (/^\d{1,9}$/.test(raw)) return Number(raw) * 1000;
  try {
    return parseDuration(variable, raw);
  } catch {
    throw new ConfigError(variable, `"${raw}" must be seconds (60) or a duration such as 90s or 5m`);
  }
}

function integer(env: Env, variable: string, fallback: number, min: number, max: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(variable, `"${raw}" must be an integer from ${min} to ${max}`);
  }
  return n;
}

function flag(env: Env, variable: string, fallback: boolean): boolean {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(variable, `"${raw}" must be 1/0 or true/false`);
}

/** A local folder, or an `s3://` / `gs://` location. */
function location(variable: string, value: string): string {
  if (isObjectUri(value)) {
    const parsed = parseObjectUri(value);
    if (!parsed)
      throw new ConfigError(variable, `"${value}" is not a valid bucket location (s3://bucket/prefix)`);
    return value.replace(/\/+$/, '');
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new ConfigError(variable, `"${value}": use a local path, s3://bucket/prefix or gs://bucket/prefix`);
  }
  return path.resolve(value);
}

function localOnly(variable: string, value: string): string {
  const resolved = location(variable, value);
  if (isObjectUri(resolved)) throw new ConfigError(variable, 'must be a local folder');
  return resolved;
}

/**
 * A byte size: a plain number of bytes or e.g. 512MB, 10GB, 2GiB. KB/MB/GB are decimal, as DuckDB
 * counts them, and KiB/MiB/GiB binary (the `bytes` package reads MB as 2^20 and knows no MiB).
 */
function bytes(env: Env, variable: string, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const match = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)?$/i.exec(raw.trim());
  if (!match) throw new ConfigError(variable, `"${raw}" must be a size such as 536870912, 512MB or 10GB`);
  const units = {
    B: 1,
    KB: 1e3,
    MB: 1e6,
    GB: 1e9,
    TB: 1e12,
    KIB: 2 ** 10,
    MIB: 2 ** 20,
    GIB: 2 ** 30,
    TIB: 2 ** 40,
  };
  const unit = units[(match[2] ?? 'B').toUpperCase() as keyof typeof units];
  return Math.floor(Number(match[1]) * unit);
}

function buckets(variable: string, raw: string | undefined, fallback: string): ObjectLocation[] {
  const entries = raw
    ? raw
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean)
    : [];
  if (entries.length === 0) {
    const intent = parseObjectUri(fallback);
    return intent ? [{ ...intent, key: '' }] : [];
  }
  return entries.map((entry) => {
    const parsed = parseObjectUri(entry.replace(/\/+$/, ''));
    if (!parsed)
      throw new ConfigError(variable, `"${entry}" must be s3://bucket[/prefix] or gs://bucket[/prefix]`);
    return parsed;
  });
}

/** Reads a secret from the environment or from a file in DATA_DIR, creating it once. */
function secret(env: Env, variable: string, dataDir: string, file: string, required: boolean): string {
  const raw = env[variable];
  if (raw) {
    if (raw.length < 32) throw new ConfigError(variable, 'must be at least 32 characters');
    return raw;
  }
  if (required)
    throw new ConfigError(variable, 'is required when DATABASE_URL is set (all replicas share it)');
  const target = path.join(dataDir, file);
  try {
    return fs.readFileSync(target, 'utf8').trim();
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const value = randomBytes(48).toString('base64url');
    fs.writeFileSync(target, value, { mode: 0o600, flag: 'wx' });
    return value;
  }
}

export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, 'PORT', 8080, 0, 65_535);
  const host = env.HOST || '127.0.0.1';
  const dataDir = path.resolve(env.DATA_DIR || './data');
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'must be a postgres:// URL');
  }
  const redisUrl = env.REDIS_URL || undefined;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl))
    throw new ConfigError('REDIS_URL', 'must be a redis:// URL');
  if (redisUrl && !databaseUrl) {
    throw new ConfigError(
      'REDIS_URL',
      'needs DATABASE_URL too: the SQLite store belongs to one process, so a Redis-shared deployment must keep its store in PostgreSQL',
    );
  }
  const redisPrefix = env.REDIS_PREFIX || 'audiences';
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(redisPrefix)) {
    throw new ConfigError('REDIS_PREFIX', 'use 1-64 letters, digits, "_", "-" or "."');
  }
  let publicUrl = env.PUBLIC_URL || undefined;
  if (publicUrl) {
    try {
      const url = new URL(publicUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
      publicUrl = publicUrl.replace(/\/+$/, '');
    } catch {
      throw new ConfigError('PUBLIC_URL', `"${publicUrl}" must be an http(s) URL`);
    }
  }
  const localInputRoots = (env.LOCAL_INPUT_ROOTS || dataDir)
    .split(',')
    .map((root) => root.trim())
    .filter(Boolean)
    .map((root) => localOnly('LOCAL_INPUT_ROOTS', root));
  const intentInputPath = location(
    'INTENT_INPUT_PATH',
    env.INTENT_INPUT_PATH || path.join(dataDir, 'intent'),
  );
  const s3Endpoint = env.S3_ENDPOINT || undefined;
  if (s3Endpoint && !/^https?:\/\//.test(s3Endpoint))
    throw new ConfigError('S3_ENDPOINT', 'must be an http(s) URL');
  const gcsEndpoint = env.GCS_ENDPOINT || 'https://storage.googleapis.com';
  if (!/^https?:\/\//.test(gcsEndpoint)) throw new ConfigError('GCS_ENDPOINT', 'must be an http(s) URL');
  const cores = os.availableParallelism();
  const workerConcurrency = integer(env, 'WORKER_CONCURRENCY', Math.max(1, Math.min(4, cores)), 1, 64);
  return {
    port,
    host,
    publicUrl,
    dataDir,
    databaseUrl,
    redisUrl,
    redisPrefix,
    metricsPort: env.METRICS_PORT ? integer(env, 'METRICS_PORT', 0, 0, 65_535) : undefined,
    shutdownGraceMs: parseDuration('SHUTDOWN_GRACE', env.SHUTDOWN_GRACE || '30s'),
    intentInputPath,
    outputPath: location('OUTPUT_PATH', env.OUTPUT_PATH || path.join(dataDir, 'exports')),
    localInputRoots,
    demoData: flag(env, 'DEMO_DATA', true),
    jwtSecret: secret(env, 'JWT_SECRET', dataDir, 'jwt-secret', databaseUrl !== undefined),
    linkSecret: secret(env, 'LINK_SECRET', dataDir, 'link-secret', databaseUrl !== undefined),
    taskTtlMs: parseDuration('TASK_TTL', env.TASK_TTL || '7d'),
    idempotencyTtlMs: idempotencyTtl(env.IDEMPOTENCY_TTL || '24h'),
    catalogTtlMs: seconds(env, 'CATALOG_TTL', 60),
    linkTtlMs: parseDuration('LINK_TTL', env.LINK_TTL || '24h'),
    jwtTtlMs: parseDuration('JWT_TTL', env.JWT_TTL || '12h'),
    workerConcurrency,
    countConcurrency: integer(
      env,
      'COUNT_CONCURRENCY',
      Math.max(1, Math.floor(workerConcurrency / 2)),
      1,
      64,
    ),
    jobMaxBytes: Math.max(1e6, bytes(env, 'JOB_MAX_BYTES', 512e6)),
    duckdbThreads: integer(env, 'DUCKDB_THREADS', Math.max(1, cores), 1, 256),
    // Half the machine for queries by default; DuckDB spills to disk beyond its limit.
    duckdbMemoryBytes: Math.max(
      128e6,
      bytes(env, 'DUCKDB_MEMORY_LIMIT', Math.max(256e6, Math.floor(os.totalmem() / 2))),
    ),
    exportCompression: exportCompression(env.EXPORT_COMPRESSION || 'snappy'),
    jobTimeoutMs: parseDuration('JOB_TIMEOUT', env.JOB_TIMEOUT || '30m'),
    previewTimeoutMs: parseDuration('PREVIEW_TIMEOUT', env.PREVIEW_TIMEOUT || '10s'),
    s3: {
      ...(s3Endpoint ? { endpoint: s3Endpoint } : {}),
      forcePathStyle: flag(env, 'S3_FORCE_PATH_STYLE', false),
      // S3-compatible stores ignore the region but the SDK needs one.
      ...(env.S3_REGION || s3Endpoint ? { region: env.S3_REGION || 'us-east-1' } : {}),
    },
    gcs: {
      endpoint: gcsEndpoint,
      ...(env.GCS_HMAC_ACCESS_KEY_ID ? { accessKeyId: env.GCS_HMAC_ACCESS_KEY_ID } : {}),
      ...(env.GCS_HMAC_SECRET ? { secretAccessKey: env.GCS_HMAC_SECRET } : {}),
    },
    inputBuckets: buckets('INPUT_BUCKETS', env.INPUT_BUCKETS, intentInputPath),
    stagingDir: localOnly('STAGING_DIR', env.STAGING_DIR || path.join(dataDir, 'cache')),
    stagingCacheBytes: bytes(env, 'STAGING_CACHE_BYTES', 10e9),
    storageTimeoutMs: parseDuration('STORAGE_TIMEOUT', env.STORAGE_TIMEOUT || '30s'),
    storageMaxAttempts: integer(env, 'STORAGE_MAX_ATTEMPTS', 6, 1, 20),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 1200, 1, 10_000_000),
    maxActiveTasks: integer(env, 'MAX_ACTIVE_TASKS', 50, 1, 100_000),
    webhookRetryForMs: parseDuration('WEBHOOK_RETRY_FOR', env.WEBHOOK_RETRY_FOR || '24h'),
    webhookTimeoutMs: webhookTimeout(env.WEBHOOK_TIMEOUT || '10s'),
    webhookAllowHttp: flag(env, 'WEBHOOK_ALLOW_HTTP', false),
    webhookAllowPrivate: flag(env, 'WEBHOOK_ALLOW_PRIVATE', false),
    logLevel: env.LOG_LEVEL || 'info',
  };
}

/** One webhook attempt's timeout: from 1 s (a receiver needs a moment) to 5 min (a lease outlives it). */
function webhookTimeout(value: string): number {
  const timeout = parseDuration('WEBHOOK_TIMEOUT', value);
  if (timeout < 1_000 || timeout > 300_000) {
    throw new ConfigError('WEBHOOK_TIMEOUT', `"${value}" must be from 1s to 5m`);
  }
  return timeout;
}

/**
 * What `audiences serve` and `audiences worker` need beyond the embedded defaults: a store and a
 * Redis every process shares (the secrets are required with DATABASE_URL already).
 */
export function checkScaledOut(config: Config, command: string): void {
  if (!config.databaseUrl) {
    throw new ConfigError(
      'DATABASE_URL',
      `\`audiences ${command}\` needs a PostgreSQL store every process shares (postgres://...)`,
    );
  }
  if (!config.redisUrl) {
    throw new ConfigError(
      'REDIS_URL',
      `\`audiences ${command}\` needs a Redis every process shares (redis://...)`,
    );
  }
}

/** A key that expires at once would not stop a retry from doing the work again. */
function idempotencyTtl(value: string): number {
  const ttl = parseDuration('IDEMPOTENCY_TTL', value);
  if (ttl < 1000) throw new ConfigError('IDEMPOTENCY_TTL', `"${value}" must be at least 1s (default 24h)`);
  return ttl;
}

function exportCompression(value: string): ExportCompression {
  const codec = value.toLowerCase();
  if (!(EXPORT_COMPRESSIONS as readonly string[]).includes(codec)) {
    throw new ConfigError(
      'EXPORT_COMPRESSION',
      `"${value}" must be one of ${EXPORT_COMPRESSIONS.join(', ')}`,
    );
  }
  return codec as ExportCompression;
}

/** What the user commands of the `audiences` command line read from the environment. */
export interface CliEnvironment {
  /** `AUDIENCES_URL`: the API's base URL, when `--url` is not given. */
  url?: string;
  /** `AUDIENCES_API_KEY`: the API key, when `--api-key` is not given. */
  apiKey?: string;
  /** `AUDIENCES_PASSWORD`: the password of `register` and `login`, instead of a prompt. */
  password?: string;
  /** `AUDIENCES_PROFILE`: the saved profile, when `--profile` is not given. */
  profile?: string;
  /** Folder of the saved profiles: `$XDG_CONFIG_HOME/audiences`, else `~/.config/audiences`. */
  configDir: string;
}

/**
 * The command line's variables, read here because only this module reads `process.env`. Empty
 * values count as unset, as they do for the server's variables.
 */
export function loadCliEnvironment(env: Env = process.env): CliEnvironment {
  const value = (name: string) => env[name] || undefined;
  const configHome = value('XDG_CONFIG_HOME') ?? path.join(os.homedir(), '.config');
  return {
    url: value('AUDIENCES_URL'),
    apiKey: value('AUDIENCES_API_KEY'),
    password: value('AUDIENCES_PASSWORD'),
    profile: value('AUDIENCES_PROFILE'),
    configDir: path.join(path.resolve(configHome), 'audiences'),
  };
}
