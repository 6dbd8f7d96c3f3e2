import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineTimeoutError } from '../../src/engine/duckdb-sandbox.ts';
import { parquetRowCounts } from '../../src/engine/parquet-footer.ts';
import { JobError } from '../../src/errors.ts';
import { objectError } from '../../src/storage/object-errors.ts';
import { StagingCache } from '../../src/storage/staging-cache.ts';
import { describeFailure } from '../../src/tasks/task-failure.ts';
import { duckAlone } from '../support/duck.ts';

/** The error a real DuckDB throws for `sql`. */
async function duckError(sql: string): Promise<Error> {
  return duckAlone(sql).then(
    () => {
      throw new Error(`expected ${sql} to fail`);
    },
    (error: Error) => error,
  );
}

let dir: string;
/** A staged copy that is not Parquet, and the object it stands for. */
let notParquet: string;
const URI = 's3://bucket/day=2024-05-01/prefix=4eyes_101/score=low/data_0.parquet';

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-failure-'));
  notParquet = path.join(dir, 'staged-0.parquet');
  fs.writeFileSync(notParquet, 'company_id,company_domain\n'.repeat(8));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('failures a job raises itself', () => {
  it('passes a JobError through as it is', () => {
    const error = new JobError('object_changed', 'an input changed; run the task again', false);
    expect(describeFailure(error)).toEqual({
      code: 'object_changed',
      message: 'an input changed; run the task again',
      permanent: false,
    });
  });

  it('takes the permanence of a JobError from the catalogue unless it is given', () => {
    expect(new JobError('staging_full', 'full').permanent).toBe(false);
    expect(new JobError('expression_failed', 'bad').permanent).toBe(true);
    expect(new JobError('object_changed', 'changed').permanent).toBe(true);
  });
});

describe('engine failures', () => {
  it('says a stopped query ran too long and fails the task at once', () => {
    expect(describeFailure(new EngineTimeoutError(2500))).toEqual({
      code: 'job_timeout',
      message:
        'the query ran longer than 3 s and was stopped; narrow the task or ask for a longer JOB_TIMEOUT',
      permanent: true,
    });
  });

  it('names the object, not the staged copy, when a footer cannot be read', async () => {
    const error = await parquetRowCounts([notParquet]).catch((e: unknown) => e);
    const failure = describeFailure(error, new Map([[notParquet, URI]]));
    expect(failure).toMatchObject({ code: 'input_unreadable', permanent: true });
    expect(failure.message).toBe(
      `the input could not be read: ${URI}: not a readable Parquet file (it does not end with PAR1)`,
    );
  });

  it('reports a query that ran out of memory by its first line', async () => {
    const error = await duckError(
      "SET memory_limit = '2MB'; SET temp_directory = ''; SELECT list(range) FROM range(10000000)",
    );
    expect(error.message).toContain('\n');
    const failure = describeFailure(error);
    expect(failure).toMatchObject({ code: 'out_of_memory', permanent: true });
    expect(failure.message).toMatch(/^the query ran out of memory: Out of Memory Error: failed to allocate /);
    expect(failure.message).not.toContain('\n');
  });

  it.each([
    ["SELECT CAST('abc' AS INTEGER)", "Conversion Error: Could not convert string 'abc' to INT32"],
    ['SELECT 2147483647::INTEGER + 1', 'Out of Range Error: Overflow in addition of INT32 (2147483647 + 1)!'],
    ['SELECT nosuch FROM range(1)', 'Binder Error: Referenced column "nosuch" not found in FROM clause!'],
  ])('blames where_expr when the data fails it: %s', async (sql, firstLine) => {
    expect(describeFailure(await duckError(sql))).toEqual({
      code: 'expression_failed',
      message: `where_expr failed on the data: ${firstLine}`,
      permanent: true,
    });
  });

  it('names the object when DuckDB cannot read a file as Parquet', async () => {
    const error = await duckError(`SELECT * FROM read_parquet('${notParquet}')`);
    expect(error.message).toContain(notParquet);
    const failure = describeFailure(error, new Map([[notParquet, URI]]));
    expect(failure).toMatchObject({ code: 'input_unreadable', permanent: true });
    expect(failure.message).toMatch(/^the input could not be read: /);
    expect(failure.message).toContain(URI);
    expect(failure.message).not.toContain(dir);
  });

  it('treats a file DuckDB cannot open as unreadable input', async () => {
    const missing = path.join(dir, 'gone.parquet');
    const failure = describeFailure(await duckError(`SELECT * FROM read_parquet('${missing}')`));
    expect(failure).toEqual({
      code: 'input_unreadable',
      message: `the input could not be read: IO Error: No files found that match the pattern "${missing}"`,
      permanent: true,
    });
  });
});

describe('storage failures', () => {
  it('keeps the code and permanence of a storage error that retrying cannot help', () => {
    const error = objectError(URI, { name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
    expect(describeFailure(error)).toEqual({
      code: 'bucket_not_found',
      message: `${URI}: the bucket does not exist`,
      permanent: true,
    });
  });

  it('keeps a storage error that retrying can help retryable', () => {
    const error = objectError(URI, { name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
    expect(describeFailure(error)).toEqual({
      code: 'storage_unavailable',
      message: `${URI}: the storage service failed (503 SlowDown)`,
      permanent: false,
    });
  });

  it('maps the staging cache refusing an object too large for it', async () => {
    const cache = new StagingCache(dir, 100);
    const error = await cache
      .acquire(path.join(dir, 'big'), 'etag', 101, async () => undefined)
      .catch((e: unknown) => e);
    expect(describeFailure(error)).toEqual({
      code: 'staging_too_small',
      message: 'an input object of 101 bytes does not fit the staging cache (STAGING_CACHE_BYTES=100)',
      permanent: true,
    });
  });
});

describe('a full disk', () => {
  it('is disk_full, worth another attempt once space returns, from Node and from DuckDB', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const duckdb = new Error('IO Error: Could not write file "/out/data_0.parquet": No space left on device');
    for (const error of [enospc, duckdb, 'Disk quota exceeded']) {
      expect(describeFailure(error)).toMatchObject({ code: 'disk_full', permanent: false });
    }
    expect(describeFailure(duckdb).message).toContain('free space there, then retry the task');
  });
});

describe('anything else', () => {
  it('is a job failure worth another attempt, by its first line', () => {
    expect(describeFailure(new Error('socket hang up\n    at Socket.onclose'))).toEqual({
      code: 'job_failed',
      message: 'socket hang up',
      permanent: false,
    });
    expect(describeFailure('unexpected end of stream')).toEqual({
      code: 'job_failed',
      message: 'unexpected end of stream',
      permanent: false,
    });
  });

  it('keeps at most 500 characters of a message', () => {
    const long = `${'a'.repeat(300)}${'b'.repeat(300)}`;
    expect(describeFailure(new Error(long)).message).toBe(`${'a'.repeat(300)}${'b'.repeat(200)}`);
  });

  it('replaces local paths before cutting the message, so no piece of a local path shows', () => {
    const local = path.join(dir, 'staged-1.parquet');
    const uri = 'gs://bucket/input/day=2024-05-01/prefix=4eyes_101/score=high/data_7.parquet';
    // The local path straddles the 500th character.
    const failure = describeFailure(new Error(`${'x'.repeat(480)} ${local} failed`), new Map([[local, uri]]));
    expect(failure.message).toBe(`${'x'.repeat(480)} ${uri.slice(0, 19)}`);
    expect(failure.message).not.toContain(os.tmpdir());
  });
});
