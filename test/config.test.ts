import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

let dataDir: string;
beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-config-'));
});
afterAll(() => {
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('EXPORT_COMPRESSION', () => {
  it('defaults to snappy and accepts every codec DuckDB writes, in any case', () => {
    expect(loadConfig({ DATA_DIR: dataDir }).engine.exportCompression).toBe('snappy');
    for (const [value, codec] of [
      ['zstd', 'zstd'],
      ['GZIP', 'gzip'],
      ['Snappy', 'snappy'],
      ['uncompressed', 'uncompressed'],
    ]) {
      expect(loadConfig({ DATA_DIR: dataDir, EXPORT_COMPRESSION: value }).engine.exportCompression).toBe(
        codec,
      );
    }
  });

  it.each(['lz4', 'brotli', "zstd'); DROP", 'none'])(
    'refuses %s, naming the variable and the choices',
    (value) => {
      expect(() => loadConfig({ DATA_DIR: dataDir, EXPORT_COMPRESSION: value })).toThrow(ConfigError);
      expect(() => loadConfig({ DATA_DIR: dataDir, EXPORT_COMPRESSION: value })).toThrow(
        /EXPORT_COMPRESSION: .* must be one of snappy, zstd, gzip, uncompressed/,
      );
    },
  );
});

describe('durations (TASK_TTL, IDEMPOTENCY_TTL, LINK_TTL, JWT_TTL, JOB_TIMEOUT, PREVIEW_TIMEOUT, STORAGE_TIMEOUT)', () => {
  it('defaults to the values the README lists', () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config.limits.taskTtlMs).toBe(7 * 24 * 3600 * 1000);
    expect(config.limits.idempotencyTtlMs).toBe(24 * 3600 * 1000);
    expect(config.limits.linkTtlMs).toBe(24 * 3600 * 1000);
    expect(config.limits.jwtTtlMs).toBe(12 * 3600 * 1000);
    expect(config.engine.jobTimeoutMs).toBe(30 * 60 * 1000);
    expect(config.engine.previewTimeoutMs).toBe(10 * 1000);
    expect(config.storage.timeoutMs).toBe(30 * 1000);
    expect(loadConfig({ DATA_DIR: dataDir, PREVIEW_TIMEOUT: '2s' }).engine.previewTimeoutMs).toBe(2000);
    expect(() => loadConfig({ DATA_DIR: dataDir, PREVIEW_TIMEOUT: 'soon' })).toThrow(/^PREVIEW_TIMEOUT: /);
  });

  it('reads IDEMPOTENCY_TTL, and refuses one under a second, which could not stop a retry', () => {
    expect(loadConfig({ DATA_DIR: dataDir, IDEMPOTENCY_TTL: '1h' }).limits.idempotencyTtlMs).toBe(3_600_000);
    expect(() => loadConfig({ DATA_DIR: dataDir, IDEMPOTENCY_TTL: '500ms' })).toThrow(
      /^IDEMPOTENCY_TTL: "500ms" must be at least 1s \(default 24h\)$/,
    );
    expect(() => loadConfig({ DATA_DIR: dataDir, IDEMPOTENCY_TTL: 'a day' })).toThrow(/^IDEMPOTENCY_TTL: /);
  });

  it.each([
    ['300ms', 300],
    ['1s', 1000],
    ['30s', 30_000],
    ['15m', 900_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    [' 2h ', 7_200_000],
  ])('reads %j as %i ms', (value, expected) => {
    expect(loadConfig({ DATA_DIR: dataDir, JOB_TIMEOUT: value }).engine.jobTimeoutMs).toBe(expected);
  });

  it.each(['30', '-1h', 'soon', 'h', '1.5.5h', '10 parsecs'])(
    'refuses %j, naming the variable and showing the format',
    (value) => {
      expect(() => loadConfig({ DATA_DIR: dataDir, LINK_TTL: value })).toThrow(ConfigError);
      expect(() => loadConfig({ DATA_DIR: dataDir, LINK_TTL: value })).toThrow(
        /^LINK_TTL: .* is not a duration; use e\.g\. 30s, 15m, 24h, 7d$/,
      );
    },
  );
});

describe('sizes (DUCKDB_MEMORY_LIMIT, STAGING_CACHE_BYTES)', () => {
  it("defaults the staging cache to the README's 10GB, in decimal units as DuckDB counts them", () => {
    expect(loadConfig({ DATA_DIR: dataDir }).storage.stagingCacheBytes).toBe(10_000_000_000);
  });

  it.each([
    ['536870912', 536_870_912],
    ['512MB', 512_000_000],
    ['10GB', 10_000_000_000],
    ['1.5gb', 1_500_000_000],
    ['64 KiB', 65_536],
    ['2MiB', 2_097_152],
    ['1GiB', 1_073_741_824],
  ])('reads %j as %i bytes', (value, expected) => {
    expect(loadConfig({ DATA_DIR: dataDir, STAGING_CACHE_BYTES: value }).storage.stagingCacheBytes).toBe(
      expected,
    );
  });

  it('raises a DuckDB memory limit below 128MB to 128MB', () => {
    expect(loadConfig({ DATA_DIR: dataDir, DUCKDB_MEMORY_LIMIT: '1MB' }).engine.memoryBytes).toBe(
      128_000_000,
    );
  });

  it.each(['lots', '-1GB', '10 parsecs', 'GB'])('refuses %j, naming the variable', (value) => {
    expect(() => loadConfig({ DATA_DIR: dataDir, DUCKDB_MEMORY_LIMIT: value })).toThrow(
      /^DUCKDB_MEMORY_LIMIT: .* must be a size such as 536870912, 512MB or 10GB$/,
    );
  });
});

describe('job slots and sizes (WORKER_CONCURRENCY, COUNT_CONCURRENCY, JOB_MAX_BYTES)', () => {
  it('gives counts half the export slots, at least one, and bounds jobs at 256MB, as the README says', () => {
    const two = loadConfig({ DATA_DIR: dataDir, WORKER_CONCURRENCY: '2' });
    expect(two.queue.countConcurrency).toBe(1);
    expect(two.engine.jobMaxBytes).toBe(512_000_000);
    expect(loadConfig({ DATA_DIR: dataDir, WORKER_CONCURRENCY: '1' }).queue.countConcurrency).toBe(1);
    expect(loadConfig({ DATA_DIR: dataDir, WORKER_CONCURRENCY: '4' }).queue.countConcurrency).toBe(2);
  });

  it('reads both when set, and raises a job bound below 1MB to 1MB', () => {
    const config = loadConfig({ DATA_DIR: dataDir, COUNT_CONCURRENCY: '3', JOB_MAX_BYTES: '64MiB' });
    expect(config.queue.countConcurrency).toBe(3);
    expect(config.engine.jobMaxBytes).toBe(64 * 2 ** 20);
    expect(loadConfig({ DATA_DIR: dataDir, JOB_MAX_BYTES: '10KB' }).engine.jobMaxBytes).toBe(1_000_000);
  });

  it('bounds a count job at 16 × JOB_MAX_BYTES, or at COUNT_JOB_MAX_BYTES (at least 1MB) when set', () => {
    expect(loadConfig({ DATA_DIR: dataDir }).engine.countJobMaxBytes).toBe(8_192_000_000);
    expect(loadConfig({ DATA_DIR: dataDir, JOB_MAX_BYTES: '2MB' }).engine.countJobMaxBytes).toBe(32e6);
    const set = loadConfig({ DATA_DIR: dataDir, JOB_MAX_BYTES: '2MB', COUNT_JOB_MAX_BYTES: '8MB' });
    expect(set.engine.countJobMaxBytes).toBe(8e6);
    expect(loadConfig({ DATA_DIR: dataDir, COUNT_JOB_MAX_BYTES: '10KB' }).engine.countJobMaxBytes).toBe(1e6);
    expect(() => loadConfig({ DATA_DIR: dataDir, COUNT_JOB_MAX_BYTES: 'lots' })).toThrow(
      /^COUNT_JOB_MAX_BYTES: /,
    );
  });

  it('leaves UNIQUE_JOB_MAX_BYTES to memory when unset, and reads it, at least 1MB, when set', () => {
    expect(loadConfig({ DATA_DIR: dataDir }).engine.uniqueJobMaxBytes).toBeUndefined();
    expect(loadConfig({ DATA_DIR: dataDir, UNIQUE_JOB_MAX_BYTES: '4MB' }).engine.uniqueJobMaxBytes).toBe(4e6);
    expect(loadConfig({ DATA_DIR: dataDir, UNIQUE_JOB_MAX_BYTES: '10KB' }).engine.uniqueJobMaxBytes).toBe(
      1e6,
    );
    expect(() => loadConfig({ DATA_DIR: dataDir, UNIQUE_JOB_MAX_BYTES: 'lots' })).toThrow(
      /^UNIQUE_JOB_MAX_BYTES: /,
    );
  });

  it('leaves SLICE_BUCKETS to the workers when unset, and reads it, from 2 to 4096, when set', () => {
    expect(loadConfig({ DATA_DIR: dataDir }).engine.sliceBuckets).toBeUndefined();
    expect(loadConfig({ DATA_DIR: dataDir, SLICE_BUCKETS: '5' }).engine.sliceBuckets).toBe(5);
    for (const bad of ['1', '4097', '2.5', 'many']) {
      expect(() => loadConfig({ DATA_DIR: dataDir, SLICE_BUCKETS: bad })).toThrow(
        /^SLICE_BUCKETS: .* must be an integer from 2 to 4096/,
      );
    }
  });

  it('refuses a count slot count of 0, naming the variable', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir, COUNT_CONCURRENCY: '0' })).toThrow(/^COUNT_CONCURRENCY: /);
  });
});

describe('CATALOG_TTL', () => {
  it('defaults to 60 seconds and takes seconds or a duration', () => {
    expect(loadConfig({ DATA_DIR: dataDir }).limits.catalogTtlMs).toBe(60_000);
    expect(loadConfig({ DATA_DIR: dataDir, CATALOG_TTL: '5' }).limits.catalogTtlMs).toBe(5_000);
    expect(loadConfig({ DATA_DIR: dataDir, CATALOG_TTL: '0' }).limits.catalogTtlMs).toBe(0);
    expect(loadConfig({ DATA_DIR: dataDir, CATALOG_TTL: '5m' }).limits.catalogTtlMs).toBe(300_000);
  });

  it.each(['-1', 'soon', '1.5', '10 parsecs'])('refuses %j, naming the variable and the formats', (value) => {
    expect(() => loadConfig({ DATA_DIR: dataDir, CATALOG_TTL: value })).toThrow(
      /^CATALOG_TTL: .* must be seconds \(60\) or a duration such as 90s or 5m$/,
    );
  });
});

describe('webhooks (WEBHOOK_RETRY_FOR, WEBHOOK_TIMEOUT, WEBHOOK_ALLOW_HTTP, WEBHOOK_ALLOW_PRIVATE)', () => {
  it('defaults to 24 h of retries, 10 s per attempt, https and public addresses only, as the README says', () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config.webhooks.retryForMs).toBe(24 * 3_600_000);
    expect(config.webhooks.timeoutMs).toBe(10_000);
    expect(config.webhooks.allowHttp).toBe(false);
    expect(config.webhooks.allowPrivate).toBe(false);
  });

  it('reads each when set', () => {
    const config = loadConfig({
      DATA_DIR: dataDir,
      WEBHOOK_RETRY_FOR: '3d',
      WEBHOOK_TIMEOUT: '30s',
      WEBHOOK_ALLOW_HTTP: '1',
      WEBHOOK_ALLOW_PRIVATE: 'true',
    });
    expect(config.webhooks).toEqual({
      retryForMs: 3 * 86_400_000,
      timeoutMs: 30_000,
      allowHttp: true,
      allowPrivate: true,
    });
  });

  it.each([
    ['WEBHOOK_RETRY_FOR', 'a day', /^WEBHOOK_RETRY_FOR: "a day" is not a duration/],
    ['WEBHOOK_TIMEOUT', '500ms', /^WEBHOOK_TIMEOUT: "500ms" must be from 1s to 5m$/],
    ['WEBHOOK_TIMEOUT', '1h', /^WEBHOOK_TIMEOUT: "1h" must be from 1s to 5m$/],
    ['WEBHOOK_ALLOW_PRIVATE', 'maybe', /^WEBHOOK_ALLOW_PRIVATE: "maybe" must be 1\/0 or true\/false$/],
  ])('refuses %s=%j, naming the variable', (variable, value, message) => {
    expect(() => loadConfig({ DATA_DIR: dataDir, [variable]: value })).toThrow(message);
  });
});

describe('URLs (PUBLIC_URL, DATABASE_URL, REDIS_URL, S3_ENDPOINT, GCS_ENDPOINT)', () => {
  const secrets = { JWT_SECRET: 'j'.repeat(32), LINK_SECRET: 'l'.repeat(32) };

  it('reads each into its section, PUBLIC_URL without its trailing slashes', () => {
    const config = loadConfig({
      DATA_DIR: dataDir,
      ...secrets,
      PUBLIC_URL: 'https://audiences.example.com//',
      DATABASE_URL: 'postgresql://app:secret@db.internal:5432/audiences',
      REDIS_URL: 'rediss://:secret@redis.internal:6380',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
    });
    expect(config.server.publicUrl).toBe('https://audiences.example.com');
    expect(config.store.databaseUrl).toBe('postgresql://app:secret@db.internal:5432/audiences');
    expect(config.queue.redisUrl).toBe('rediss://:secret@redis.internal:6380');
    expect(config.storage.s3).toEqual({
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: false,
      region: 'us-east-1',
    });
    expect(config.storage.gcs).toEqual({ endpoint: 'https://storage.googleapis.com' });
  });

  it.each([
    ['PUBLIC_URL', 'ftp://example.com', /^PUBLIC_URL: must be an http\(s\) URL$/],
    ['DATABASE_URL', 'mysql://root:hunter2@db/app', /^DATABASE_URL: must be a postgres:\/\/ URL$/],
    ['S3_ENDPOINT', 'minio:9000', /^S3_ENDPOINT: must be an http\(s\) URL$/],
    ['GCS_ENDPOINT', 'storage.googleapis.com', /^GCS_ENDPOINT: must be an http\(s\) URL$/],
  ])(
    'refuses %s=%j, naming the variable and never repeating the value (it may hold a password)',
    (variable, value, message) => {
      expect(() => loadConfig({ DATA_DIR: dataDir, ...secrets, [variable]: value })).toThrow(message);
    },
  );

  it('refuses REDIS_URL without DATABASE_URL: the SQLite store belongs to one process', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir, REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(
      /^REDIS_URL: needs DATABASE_URL too: .*SQLite/,
    );
  });
});
