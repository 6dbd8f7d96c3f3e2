import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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
  redisUrl: string | undefined;
  intentInputPath: string;
  outputPath: string;
  localInputRoots: string[];
  demoData: boolean;
  jwtSecret: string;
  /** Secret that signs download links; generated into DATA_DIR like the JWT secret. */
  linkSecret: string;
  taskTtlMs: number;
  linkTtlMs: number;
  jwtTtlMs: number;
  workerConcurrency: number;
  duckdbThreads: number;
  duckdbMemoryLimit: string;
  /** Longest a single job may run before it fails its task. */
  jobTimeoutMs: number;
  /** Requests per minute per API key (or token, or address without either). */
  rateLimitPerMinute: number;
  /** Most tasks one organisation may have in progress. */
  maxActiveTasks: number;
  logLevel: string;
}

export class ConfigError extends Error {
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(variable: string, value: string): number {
  const match = DURATION.exec(value.trim());
  if (!match) throw new ConfigError(variable, `"${value}" is not a duration; use e.g. 30s, 15m, 24h, 7d`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
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

function location(variable: string, value: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new ConfigError(variable, `"${value}": only local paths are supported in this build`);
  }
  return path.resolve(value);
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

function memoryLimit(env: Env): string {
  const raw = env.DUCKDB_MEMORY_LIMIT;
  if (raw === undefined || raw === '') {
    // A quarter of the machine per job keeps several jobs and the API comfortably inside RAM.
    const mb = Math.max(256, Math.floor(os.totalmem() / 4 / 1024 / 1024));
    return `${mb}MB`;
  }
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(raw.trim())) {
    throw new ConfigError('DUCKDB_MEMORY_LIMIT', `"${raw}" must be a size such as 512MB or 2GB`);
  }
  return raw.trim();
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
    .map((root) => location('LOCAL_INPUT_ROOTS', root));
  const cores = os.availableParallelism();
  return {
    port,
    host,
    publicUrl,
    dataDir,
    databaseUrl,
    redisUrl,
    intentInputPath: location('INTENT_INPUT_PATH', env.INTENT_INPUT_PATH || path.join(dataDir, 'intent')),
    outputPath: location('OUTPUT_PATH', env.OUTPUT_PATH || path.join(dataDir, 'exports')),
    localInputRoots,
    demoData: flag(env, 'DEMO_DATA', true),
    jwtSecret: secret(env, 'JWT_SECRET', dataDir, 'jwt-secret', databaseUrl !== undefined),
    linkSecret: secret(env, 'LINK_SECRET', dataDir, 'link-secret', databaseUrl !== undefined),
    taskTtlMs: parseDuration('TASK_TTL', env.TASK_TTL || '7d'),
    linkTtlMs: parseDuration('LINK_TTL', env.LINK_TTL || '24h'),
    jwtTtlMs: parseDuration('JWT_TTL', env.JWT_TTL || '12h'),
    workerConcurrency: integer(env, 'WORKER_CONCURRENCY', Math.max(1, Math.min(4, cores)), 1, 64),
    duckdbThreads: integer(env, 'DUCKDB_THREADS', Math.max(1, cores), 1, 256),
    duckdbMemoryLimit: memoryLimit(env),
    jobTimeoutMs: parseDuration('JOB_TIMEOUT', env.JOB_TIMEOUT || '30m'),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 1200, 1, 10_000_000),
    maxActiveTasks: integer(env, 'MAX_ACTIVE_TASKS', 50, 1, 100_000),
    logLevel: env.LOG_LEVEL || 'info',
  };
}
