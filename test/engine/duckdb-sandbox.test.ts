import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  EngineInterruptedError,
  EngineTimeoutError,
  type PreparedInstance,
  Sandbox,
  SandboxPool,
} from '../../src/engine/duckdb-sandbox.ts';
import { duck } from '../support/duck.ts';

/**
 * Defence in depth: these queries bypass the expression guard and go straight to a job's DuckDB.
 * The sandbox alone must keep them inside the job's folders.
 */
// Named when the file is collected (the tables of statements below are built then, before any
// hook), and made by the first hook: collecting the file writes nothing.
const root = path.join(os.tmpdir(), `audiences-sandbox-${randomUUID()}`);
const input = path.join(root, 'input');
const output = path.join(root, 'output');
const outside = path.join(root, 'other-org');
let sandbox: Sandbox;
let pool: SandboxPool;
let pooled: Sandbox;
/** A second connection to the directly opened sandbox's instance (statements side by side). */
let sibling: Sandbox;

beforeAll(async () => {
  fs.mkdirSync(root);
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

/** What a sandbox answers when `enable_external_access = false` and `allowed_directories` keep a path out. */
const outOfBounds = (file: string) =>
  `Permission Error: Cannot access file "${file}" - file system operations are disabled by configuration`;
/** What it answers when `lock_configuration = true` keeps a setting as it is. */
const locked = (option: string) =>
  `Invalid Input Error: Cannot change configuration option "${option}" - the configuration has been locked`;

/**
 * How a plain DuckDB (started as a job's, with no sandbox settings) answers the same statement:
 * `runs` it, refuses it `otherwise` (or runs it: a machine with the network may install httpfs),
 * or refuses it `alike` (the refusal is not the sandbox's doing).
 */
type Plain = 'runs' | 'otherwise' | 'alike';

/** Statements a job's sandbox refuses, with the refusal its settings give, and how a plain DuckDB answers. */
const REFUSALS: Array<[name: string, sql: string, refusal: string | RegExp, plain: Plain]> = [
  ['a system file as CSV', `SELECT * FROM read_csv('/etc/passwd')`, outOfBounds('/etc/passwd'), 'runs'],
  ['a system file as text', `SELECT * FROM read_text('/etc/hostname')`, outOfBounds('/etc/hostname'), 'runs'],
  [
    'another folder',
    `SELECT * FROM read_parquet('${outside}/secret.parquet')`,
    outOfBounds(`${outside}/secret.parquet`),
    'runs',
  ],
  [
    'another folder by traversal',
    `SELECT * FROM read_parquet('${input}/../other-org/secret.parquet')`,
    outOfBounds(`${input}/../other-org/secret.parquet`),
    'runs',
  ],
  [
    'another folder as a blob',
    `SELECT * FROM read_blob('${outside}/secret.txt')`,
    outOfBounds(`${outside}/secret.txt`),
    'runs',
  ],
  ['a glob outside', `SELECT * FROM glob('${outside}/*')`, outOfBounds(`${outside}/*`), 'runs'],
  ['a glob that climbs out', `SELECT * FROM glob('${input}/../*/*')`, outOfBounds(`${input}/../*/*`), 'runs'],
  [
    'a write outside',
    `COPY (SELECT 1) TO '${outside}/planted.parquet'`,
    outOfBounds(`${outside}/planted.parquet`),
    'runs',
  ],
  [
    'a write by traversal',
    `COPY (SELECT 1) TO '${output}/../other-org/planted.parquet'`,
    outOfBounds(`${output}/../other-org/planted.parquet`),
    'runs',
  ],
  ['a database file', `ATTACH '${outside}/x.duckdb' AS x`, outOfBounds(`${outside}/x.duckdb`), 'runs'],
  // Unlocked, DuckDB refuses it too, but differently: "Cannot enable external access while database is running".
  [
    're-enabling external access',
    'SET enable_external_access = true',
    locked('enable_external_access'),
    'otherwise',
  ],
  ['widening the folders', `SET allowed_directories = ['/']`, locked('allowed_directories'), 'runs'],
  ['resetting the lock', 'RESET lock_configuration', locked('lock_configuration'), 'runs'],
  // Offline, a plain DuckDB fails to download it (IO Error); the sandbox may not even open the extension folder.
  [
    'installing an extension',
    'INSTALL httpfs',
    /Permission Error: Cannot access directory "[^"]+" - file system operations are disabled by configuration/,
    'otherwise',
  ],
  // A plain DuckDB looks for the file (IO Error: not found); the sandbox refuses to load any.
  [
    'loading an extension',
    'LOAD httpfs',
    'Permission Error: Loading external extensions is disabled through configuration',
    'otherwise',
  ],
  // A plain DuckDB wants httpfs (Missing Extension Error); the sandbox refuses the URL as a path.
  [
    'the network',
    `SELECT * FROM read_parquet('https://example.com/x.parquet')`,
    outOfBounds('https://example.com/x.parquet'),
    'otherwise',
  ],
  // Not the sandbox's doing: getenv is a function of DuckDB's shell, not of the library. The row
  // notices a DuckDB whose library gains it.
  [
    'an environment variable',
    `SELECT getenv('HOME')`,
    'Catalog Error: Scalar Function with name getenv does not exist!',
    'alike',
  ],
];

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

  it.each(REFUSALS)('refuses %s', async (_name, sql, refusal) => {
    await expect(sandbox.query(sql)).rejects.toThrow(refusal);
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

describe('a plain DuckDB without the sandbox settings (what tells the refusals above apart)', () => {
  let plain: PreparedInstance;
  beforeAll(async () => {
    plain = await Sandbox.prepare({ memoryLimit: '256MB', threads: 1 });
  });
  afterAll(() => {
    plain?.connection.closeSync();
    plain?.instance.closeSync();
  });
  afterEach(() => {
    // What the plain instance wrote outside: the sandboxes above must find no planted file.
    for (const name of fs.readdirSync(outside)) {
      if (name !== 'secret.parquet' && name !== 'secret.txt')
        fs.rmSync(path.join(outside, name), { force: true });
    }
  });

  it.each(REFUSALS)('%s', async (_name, sql, refusal, expected) => {
    const error = await plain.connection.runAndReadAll(sql).then(
      () => undefined,
      (thrown: Error) => thrown,
    );
    const refusedAsSandbox =
      error !== undefined &&
      (typeof refusal === 'string' ? error.message.includes(refusal) : refusal.test(error.message));
    if (expected === 'runs') expect(error).toBeUndefined();
    else expect(refusedAsSandbox).toBe(expected === 'alike');
  });

  it('reads what the sandboxes refused: the other folder and through the planted link', async () => {
    const read = async (file: string) =>
      (await plain.connection.runAndReadAll(`SELECT s FROM read_parquet('${file}')`)).getRowObjects();
    expect(await read(`${outside}/secret.parquet`)).toEqual([{ s: 'secret row' }]);
    expect(await read(`${input}/link.parquet`)).toEqual([{ s: 'secret row' }]);
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
