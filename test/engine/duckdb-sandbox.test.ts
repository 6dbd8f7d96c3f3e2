import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EngineInterruptedError,
  EngineTimeoutError,
  Sandbox,
  SandboxPool,
} from '../../src/engine/duckdb-sandbox.ts';
import { duck } from '../support/duck.ts';

/**
 * Defence in depth: these queries bypass the expression guard and go straight to a job's DuckDB.
 * The sandbox alone must keep them inside the job's folders.
 */
let root: string;
let input: string;
let output: string;
let outside: string;
let sandbox: Sandbox;
let pool: SandboxPool;
let pooled: Sandbox;
/** A second connection to the directly opened sandbox's instance (statements side by side). */
let sibling: Sandbox;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-sandbox-'));
  input = path.join(root, 'input');
  output = path.join(root, 'output');
  outside = path.join(root, 'other-org');
  for (const dir of [input, output, outside]) fs.mkdirSync(dir, { recursive: true });
  await duck(`COPY (SELECT 1 AS ok) TO '${input}/in.parquet'`);
  await duck(`COPY (SELECT 'secret row' AS s) TO '${outside}/secret.parquet'`);
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'top secret');
  // A link planted inside the allowed folder that points outside it.
  fs.symlinkSync(path.join(outside, 'secret.parquet'), path.join(input, 'link.parquet'));
  fs.symlinkSync(outside, path.join(input, 'linked-dir'));
  sandbox = await Sandbox.open({
    allowedDirectories: [input, output],
    tempDirectory: path.join(output, 'tmp'),
    memoryLimit: '256MB',
    threads: 1,
  });
  // Jobs get theirs from a pool of instances started ahead and locked down when taken.
  pool = new SandboxPool({ memoryLimit: '256MB', threads: 1 }, 1);
  pool.warm();
  pooled = await pool.open({ allowedDirectories: [input, output], tempDirectory: path.join(output, 'tmp') });
  sibling = (await sandbox.siblings(2))[1]!;
});
afterAll(async () => {
  sandbox?.close();
  pooled?.close();
  await pool?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe.each([
  ['opened directly', () => sandbox],
  ['taken from the pool', () => pooled],
  ['a sibling connection of a locked sandbox', () => sibling],
])('the job sandbox (%s), without the expression guard', (_how, current) => {
  let sandbox: Sandbox;
  beforeAll(() => {
    sandbox = current();
  });

  it('reads and writes inside its folders', async () => {
    expect(await sandbox.query(`SELECT ok FROM read_parquet('${input}/in.parquet')`)).toEqual([{ ok: 1 }]);
    await sandbox.query(`COPY (SELECT 2 AS x) TO '${output}/out.parquet'`);
    expect(fs.existsSync(path.join(output, 'out.parquet'))).toBe(true);
  });

  it.each([
    ['a system file as CSV', `SELECT * FROM read_csv('/etc/passwd')`],
    ['a system file as text', `SELECT * FROM read_text('/etc/hostname')`],
    ['another folder', `SELECT * FROM read_parquet('${outside}/secret.parquet')`],
    ['another folder by traversal', `SELECT * FROM read_parquet('${input}/../other-org/secret.parquet')`],
    ['another folder as a blob', `SELECT * FROM read_blob('${outside}/secret.txt')`],
    ['a glob outside', `SELECT * FROM glob('${outside}/*')`],
    ['a glob that climbs out', `SELECT * FROM glob('${input}/../*/*')`],
    ['a write outside', `COPY (SELECT 1) TO '${outside}/planted.parquet'`],
    ['a write by traversal', `COPY (SELECT 1) TO '${output}/../other-org/planted.parquet'`],
    ['a database file', `ATTACH '${outside}/x.duckdb' AS x`],
    ['re-enabling external access', 'SET enable_external_access = true'],
    ['widening the folders', `SET allowed_directories = ['/']`],
    ['resetting the lock', 'RESET lock_configuration'],
    ['installing an extension', 'INSTALL httpfs'],
    ['loading an extension', 'LOAD httpfs'],
    ['the network', `SELECT * FROM read_parquet('https://example.com/x.parquet')`],
    ['an environment variable', `SELECT getenv('HOME')`],
  ])('refuses %s', async (_name, sql) => {
    await expect(sandbox.query(sql)).rejects.toThrow(
      /Permission|disabled|locked|not allowed|Catalog|Invalid Input|IO Error|getenv/i,
    );
    expect(fs.existsSync(path.join(outside, 'planted.parquet'))).toBe(false);
  });

  it('does not follow a planted link out of its folder', async () => {
    let leaked: unknown[] = [];
    try {
      leaked = await sandbox.query(`SELECT * FROM read_parquet('${input}/link.parquet')`);
    } catch {
      // refusing is the expected answer
    }
    expect(JSON.stringify(leaked)).not.toContain('secret row');
  });
});

/** A job's sandbox over the test's folders, with a time limit per statement. */
function openJob(threads: number, timeoutMs: number): Promise<Sandbox> {
  return Sandbox.open({
    allowedDirectories: [input, output],
    tempDirectory: path.join(output, 'tmp'),
    memoryLimit: '256MB',
    threads,
    timeoutMs,
  });
}

describe('the job sandbox', () => {
  it('stops a query that runs past its time limit', async () => {
    const slow = await openJob(1, 100);
    try {
      await expect(
        slow.query('SELECT count(*) FROM range(10000000000) a WHERE hash(a.range) % 7 = 3'),
      ).rejects.toBeInstanceOf(EngineTimeoutError);
      // The instance is still usable after the interrupt.
      expect(await slow.query('SELECT 42 AS answer')).toEqual([{ answer: 42 }]);
    } finally {
      slow.close();
    }
  });
});

describe('interrupting the job sandbox (a cancelled task)', () => {
  it('stops the running query mid-way and refuses every later one', async () => {
    const job = await openJob(1, 60_000);
    try {
      // Minutes of work on one thread: it can only end early by the interrupt.
      const running = job.query('SELECT count(*) FROM range(10000000000) a WHERE hash(a.range) % 7 = 3');
      running.catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 200));
      job.interrupt();
      await expect(running).rejects.toBeInstanceOf(EngineInterruptedError);
      await expect(job.query('SELECT 42 AS answer')).rejects.toBeInstanceOf(EngineInterruptedError);
    } finally {
      job.close();
    }
  });

  it("stops its sibling connections' queries too", async () => {
    const job = await openJob(2, 60_000);
    try {
      const lanes = await job.siblings(2);
      expect(lanes).toHaveLength(2);
      expect(lanes[0]).toBe(job);
      const running = lanes.map((lane) =>
        lane.query('SELECT count(*) FROM range(10000000000) a WHERE hash(a.range) % 7 = 3'),
      );
      for (const query of running) query.catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 200));
      job.interrupt();
      for (const query of running) await expect(query).rejects.toBeInstanceOf(EngineInterruptedError);
      await expect(lanes[1]!.query('SELECT 42 AS answer')).rejects.toBeInstanceOf(EngineInterruptedError);
    } finally {
      job.close();
    }
  });
});

describe('SandboxPool', () => {
  it("hands each job its own instance, confined to that job's folders, and refills itself", async () => {
    const jobs = new SandboxPool({ memoryLimit: '128MB', threads: 1 }, 2);
    jobs.warm();
    const a = await jobs.open({ allowedDirectories: [input], tempDirectory: path.join(input, 'tmp') });
    const b = await jobs.open({ allowedDirectories: [outside], tempDirectory: path.join(outside, 'tmp') });
    const c = await jobs.open({ allowedDirectories: [output], tempDirectory: path.join(output, 'tmp') });
    try {
      // Each is confined to the folders given when it was taken, not to another job's.
      expect(await a.query(`SELECT ok FROM read_parquet('${input}/in.parquet')`)).toEqual([{ ok: 1 }]);
      await expect(a.query(`SELECT * FROM read_parquet('${outside}/secret.parquet')`)).rejects.toThrow(
        /Permission|not allowed/i,
      );
      expect(await b.query(`SELECT s FROM read_parquet('${outside}/secret.parquet')`)).toEqual([
        { s: 'secret row' },
      ]);
      await expect(b.query(`SELECT ok FROM read_parquet('${input}/in.parquet')`)).rejects.toThrow(
        /Permission|not allowed/i,
      );
      await expect(c.query(`SELECT ok FROM read_parquet('${input}/in.parquet')`)).rejects.toThrow(
        /Permission|not allowed/i,
      );
      // Nothing carries over: a table made in one is not in another.
      await a.query('CREATE TABLE mine AS SELECT 1 AS x');
      await expect(b.query('SELECT * FROM mine')).rejects.toThrow(/Catalog|does not exist/i);
      await expect(c.query("SET memory_limit = '10GB'")).rejects.toThrow(/locked/i);
    } finally {
      for (const s of [a, b, c]) s.close();
      await jobs.close();
    }
  });
});
