import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { INTENT_HIVE_TYPES } from '../../src/catalog/intent-layout.ts';
import {
  exportAdded,
  exportRemoved,
  type MemberDelta,
  writeMembers,
} from '../../src/engine/delta-queries.ts';
import { Sandbox } from '../../src/engine/duckdb-sandbox.ts';
import type { WrittenFiles } from '../../src/engine/file-writer.ts';
import { hashPasses } from '../../src/engine/hash-passes.ts';
import type { ParquetSource } from '../../src/engine/parquet-queries.ts';
import type { IntentPeople, LatestRowPeople } from '../../src/engine/people-queries.ts';
import { duck, expectedIntentPeople, writeMixedCaseHashes } from '../support/duck.ts';

/**
 * Two days of intent rows, small enough to check by hand. `person_id` (VARCHAR) and `account_id`
 * (BIGINT, p1 → 100, …) name the same people; the NULL person has rows on both days.
 *
 * | person | day 1 (prefix score)          | day 2                  |
 * |--------|-------------------------------|------------------------|
 * | p1     | ai low                        |                        |
 * | p2     | ai high                       | cloud low              |
 * | p3     | ai medium, cloud low          | ai high                |
 * | p4     | cloud high                    |                        |
 * | p5     |                               | ai medium              |
 * | p6     |                               | cloud low              |
 * | NULL   | ai high                       | cloud high             |
 */
const DAYS: Record<string, string[]> = {
  '2024-05-01': [
    "('p1', 100, 'h1', 10, 0.4, TIMESTAMP '2024-05-01 08:00:00', 'ai', 'low')",
    "('p2', 200, 'h2', 11, 0.9, TIMESTAMP '2024-05-01 09:00:00', 'ai', 'high')",
    "('p3', 300, 'h3', 10, 0.6, TIMESTAMP '2024-05-01 10:00:00', 'ai', 'medium')",
    "('p3', 300, 'h3', 20, 0.3, TIMESTAMP '2024-05-01 11:00:00', 'cloud', 'low')",
    "('p4', 400, 'h4', 21, 0.8, TIMESTAMP '2024-05-01 12:00:00', 'cloud', 'high')",
    "(NULL, NULL, 'h0', 10, 0.9, TIMESTAMP '2024-05-01 13:00:00', 'ai', 'high')",
  ],
  '2024-05-02': [
    "('p2', 200, 'h2', 20, 0.2, TIMESTAMP '2024-05-02 08:00:00', 'cloud', 'low')",
    "('p3', 300, 'h3', 11, 0.9, TIMESTAMP '2024-05-02 09:00:00', 'ai', 'high')",
    "('p5', 500, 'h5', 10, 0.5, TIMESTAMP '2024-05-02 10:00:00', 'ai', 'medium')",
    "('p6', 600, 'h6', 20, 0.1, TIMESTAMP '2024-05-02 11:00:00', 'cloud', 'low')",
    "(NULL, NULL, 'h0', 21, 0.9, TIMESTAMP '2024-05-02 12:00:00', 'cloud', 'high')",
  ],
};
const DAY_1 = '2024-05-01';
const DAY_2 = '2024-05-02';
const COLUMNS = 'person_id, account_id, hem_sha256, topic_id, intent_score, last_seen, prefix, score';

let root: string;
let run = 0;
let sandbox: Sandbox;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-delta-'));
  for (const [day, rows] of Object.entries(DAYS)) {
    fs.mkdirSync(path.join(root, 'in', `day=${day}`), { recursive: true });
    await duck(
      `COPY (SELECT * REPLACE (account_id::BIGINT AS account_id) FROM (VALUES ${rows.join(', ')}) AS t(${COLUMNS}))
       TO '${dayFile(day)}'`,
    );
  }
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});
beforeEach(async () => {
  fs.mkdirSync(path.join(root, 'tmp'), { recursive: true });
  sandbox = await Sandbox.open({
    allowedDirectories: [root, inject('intentTree')],
    tempDirectory: path.join(root, 'tmp'),
    memoryLimit: '256MB',
    threads: 2,
  });
});
afterEach(() => {
  sandbox.close();
});

function dayFile(day: string): string {
  return path.join(root, 'in', `day=${day}`, 'data.parquet');
}

/** The files of some days of the small tree, read as the intent layout is (Hive `day`). */
function daysSource(...days: string[]): ParquetSource {
  return { files: days.map(dayFile), hive: true, hiveTypes: { day: 'DATE' } };
}

/** A fresh folder for one run's output. */
function runDir(): string {
  run += 1;
  return path.join(root, 'out', `run-${run}`);
}

function intent(options: Partial<IntentPeople> = {}): IntentPeople {
  return {
    shape: 'intent',
    whereSql: null,
    personBy: 'person_id',
    ids: ['hem_sha256'],
    minTopics: null,
    minDays: null,
    ...options,
  };
}

/** `read_parquet` of some files, with the same Hive reading the engine gets. */
function relation(files: readonly string[], hiveTypes = "{'day': DATE}"): string {
  return `read_parquet(['${files.join("', '")}'], hive_partitioning = true, hive_types = ${hiveTypes})`;
}

/** Values of a JS row as plain numbers and strings (BIGINT comes back as bigint). */
const plain = (value: unknown) => (typeof value === 'bigint' ? Number(value) : value);

/** Column `column` of some Parquet files (no Hive), in the files' order. */
async function valuesIn(files: readonly string[], column: string, orderBy = ''): Promise<unknown[]> {
  if (files.length === 0) return [];
  const rows = await duck<Record<string, unknown>>(
    `SELECT "${column}" AS v FROM read_parquet(['${files.join("', '")}'], hive_partitioning = false) ${orderBy}`,
  );
  return rows.map((row) => plain(row.v));
}

/**
 * The delta computed straight from the input files by set operations: `current` and `previous`
 * are queries of distinct person values (`v`).
 */
async function expectedDelta(current: string, previous: string) {
  const list = async (sql: string) =>
    (await duck<{ v: unknown }>(`SELECT v FROM (${sql}) ORDER BY v`)).map((row) => plain(row.v));
  const [c, p] = [`SELECT DISTINCT v FROM (${current})`, `SELECT DISTINCT v FROM (${previous})`];
  const added = await list(`${c} EXCEPT ${p}`);
  const removed = await list(`${p} EXCEPT ${c}`);
  const kept = await list(`${c} INTERSECT ${p}`);
  const members = await list(c);
  const counts: MemberDelta = {
    members: members.length,
    added: added.length,
    removed: removed.length,
    kept: kept.length,
  };
  return { counts, members, added, removed };
}

/** Persons of a members query over the files, straight from them: `v` per person passing `where` and `having`. */
function personsSql(files: readonly string[], column: string, where = 'true', having = ''): string {
  return `SELECT "${column}" AS v FROM ${relation(files)} WHERE (${where}) AND "${column}" IS NOT NULL GROUP BY 1 ${having}`;
}

function paths(written: WrittenFiles): string[] {
  return written.files.map((file) => file.path);
}

const rowsOf = (written: WrittenFiles) => written.files.reduce((sum, file) => sum + file.rows, 0);

describe('writeMembers, exportAdded and exportRemoved over two days of a small tree', () => {
  it('a first run adds everyone and removes nobody; the members file is the sorted persons, zstd', async () => {
    const dir = runDir();
    const members = path.join(dir, 'members.parquet');
    const delta = await writeMembers(sandbox, daysSource(DAY_1), intent(), members, null);
    expect(delta).toEqual({ members: 4, added: 4, removed: 0, kept: 0 });
    const expected = await expectedDelta(
      personsSql([dayFile(DAY_1)], 'person_id'),
      'SELECT NULL AS v LIMIT 0',
    );
    expect(delta).toEqual(expected.counts);

    // The NULL person passes the filter, yet is nobody; the values are in order in the file.
    expect(await valuesIn([members], 'person_id')).toEqual(['p1', 'p2', 'p3', 'p4']);
    const [meta] = await duck<{ codecs: string[]; columns: string[] }>(
      `SELECT list(DISTINCT compression) AS codecs, list(DISTINCT path_in_schema) AS columns FROM parquet_metadata('${members}')`,
    );
    expect(meta).toEqual({ codecs: ['ZSTD'], columns: ['person_id'] });

    const added = await exportAdded(sandbox, daysSource(DAY_1), intent(), members, null, {
      targetDir: path.join(dir, 'added'),
    });
    const read = await duck(
      `SELECT * FROM read_parquet(['${paths(added).join("', '")}']) ORDER BY person_id`,
    );
    expect(read).toEqual(await expectedIntentPeople(path.join(root, 'in', `day=${DAY_1}`), 'true'));
    expect(rowsOf(added)).toBe(4);

    const removed = await exportRemoved(sandbox, members, null, 'person_id', {
      targetDir: path.join(dir, 'removed'),
    });
    expect(removed).toEqual({ files: [], columns: [{ name: 'person_id', type: 'VARCHAR' }] });
    expect(fs.existsSync(path.join(dir, 'removed'))).toBe(false);
  });

  it('a rolling window (run 2 over day 2 only): p5, p6 join, p1, p4 leave, p2, p3 stay', async () => {
    const first = path.join(runDir(), 'members.parquet');
    await writeMembers(sandbox, daysSource(DAY_1), intent(), first, null);
    const dir = runDir();
    const second = path.join(dir, 'members.parquet');
    const delta = await writeMembers(sandbox, daysSource(DAY_2), intent(), second, first);
    expect(delta).toEqual({ members: 4, added: 2, removed: 2, kept: 2 });

    const expected = await expectedDelta(
      personsSql([dayFile(DAY_2)], 'person_id'),
      personsSql([dayFile(DAY_1)], 'person_id'),
    );
    expect(delta).toEqual(expected.counts);
    expect(expected.added).toEqual(['p5', 'p6']);
    expect(expected.removed).toEqual(['p1', 'p4']);
    expect(await valuesIn([second], 'person_id')).toEqual(expected.members);

    const added = await exportAdded(sandbox, daysSource(DAY_2), intent(), second, first, {
      targetDir: path.join(dir, 'added'),
    });
    expect(rowsOf(added)).toBe(expected.counts.added);
    // The added people's rows are what a people export of day 2 writes for them.
    const read = await duck(
      `SELECT * FROM read_parquet(['${paths(added).join("', '")}']) ORDER BY person_id`,
    );
    const all = await expectedIntentPeople(path.join(root, 'in', `day=${DAY_2}`), 'true');
    expect(read).toEqual(all.filter((row) => expected.added.includes(row.person_id)));
    expect(added.columns.map((c) => c.name)).toEqual([
      'person_id',
      'hem_sha256',
      'topic_ids',
      'prefixes',
      'max_intent_score',
      'best_score',
      'days_seen',
      'first_seen',
      'last_seen',
    ]);

    const removed = await exportRemoved(sandbox, second, first, 'person_id', {
      targetDir: path.join(dir, 'removed'),
    });
    expect(removed.columns).toEqual([{ name: 'person_id', type: 'VARCHAR' }]);
    expect(rowsOf(removed)).toBe(expected.counts.removed);
    expect(await valuesIn(paths(removed), 'person_id')).toEqual(expected.removed);
  });

  it('a changed filter over days 1 and 2: p5 joins, p1 leaves; the removed list can be CSV', async () => {
    const first = path.join(runDir(), 'members.parquet');
    await writeMembers(sandbox, daysSource(DAY_1), intent(), first, null);
    const dir = runDir();
    const second = path.join(dir, 'members.parquet');
    const query = intent({ whereSql: `"score" <> 'low'` });
    const delta = await writeMembers(sandbox, daysSource(DAY_1, DAY_2), query, second, first);

    const expected = await expectedDelta(
      personsSql([dayFile(DAY_1), dayFile(DAY_2)], 'person_id', `score <> 'low'`),
      personsSql([dayFile(DAY_1)], 'person_id'),
    );
    expect(delta).toEqual(expected.counts);
    expect(delta).toEqual({ members: 4, added: 1, removed: 1, kept: 3 });
    expect([expected.added, expected.removed]).toEqual([['p5'], ['p1']]);

    const added = await exportAdded(sandbox, daysSource(DAY_1, DAY_2), query, second, first, {
      targetDir: path.join(dir, 'added'),
    });
    expect(await valuesIn(paths(added), 'person_id', 'ORDER BY v')).toEqual(['p5']);
    const removed = await exportRemoved(sandbox, second, first, 'person_id', {
      targetDir: path.join(dir, 'removed'),
      format: 'csv',
      compression: 'none',
    });
    expect(removed.files).toEqual([{ path: path.join(dir, 'removed', 'data_0.csv'), rows: 1 }]);
    expect(fs.readFileSync(removed.files[0]!.path, 'utf8')).toBe('person_id\np1\n');
  });

  it('min_days: only people seen on both days are members, and they count against an empty members file', async () => {
    // Nobody is seen on two days of one day: an empty members file.
    const empty = path.join(runDir(), 'members.parquet');
    const none = await writeMembers(sandbox, daysSource(DAY_1), intent({ minDays: 2 }), empty, null);
    expect(none).toEqual({ members: 0, added: 0, removed: 0, kept: 0 });
    expect(await valuesIn([empty], 'person_id')).toEqual([]);

    const dir = runDir();
    const both = path.join(dir, 'members.parquet');
    const query = intent({ minDays: 2 });
    const delta = await writeMembers(sandbox, daysSource(DAY_1, DAY_2), query, both, empty);
    const twoDays = personsSql(
      [dayFile(DAY_1), dayFile(DAY_2)],
      'person_id',
      'true',
      'HAVING count(DISTINCT day) >= 2',
    );
    const expected = await expectedDelta(twoDays, 'SELECT NULL AS v LIMIT 0');
    expect(delta).toEqual(expected.counts);
    expect(delta).toEqual({ members: 2, added: 2, removed: 0, kept: 0 });
    expect(await valuesIn([both], 'person_id')).toEqual(['p2', 'p3']);
    const added = await exportAdded(sandbox, daysSource(DAY_1, DAY_2), query, both, empty, {
      targetDir: path.join(dir, 'added'),
    });
    const read = await duck(
      `SELECT * FROM read_parquet(['${paths(added).join("', '")}']) ORDER BY person_id`,
    );
    expect(read).toEqual(
      await expectedIntentPeople(path.join(root, 'in'), 'true', 'HAVING count(DISTINCT day) >= 2'),
    );

    // Against the first run over day 1 (no min_days): p1 and p4 leave, nobody joins.
    const first = path.join(runDir(), 'members.parquet');
    await writeMembers(sandbox, daysSource(DAY_1), intent(), first, null);
    const third = path.join(runDir(), 'members.parquet');
    const later = await writeMembers(sandbox, daysSource(DAY_1, DAY_2), query, third, first);
    const against = await expectedDelta(twoDays, personsSql([dayFile(DAY_1)], 'person_id'));
    expect(later).toEqual(against.counts);
    expect(later).toEqual({ members: 2, added: 0, removed: 2, kept: 2 });
    const nobody = await exportAdded(sandbox, daysSource(DAY_1, DAY_2), query, third, first, {
      targetDir: path.join(root, 'out', 'nobody'),
    });
    expect(nobody.files).toEqual([]);
    const removed = await exportRemoved(sandbox, third, first, 'person_id', {
      targetDir: path.join(root, 'out', 'left'),
    });
    expect(await valuesIn(paths(removed), 'person_id')).toEqual(['p1', 'p4']);
  });
});

describe('a numeric person column (latest-row people)', () => {
  const query: LatestRowPeople = {
    shape: 'latest_row',
    whereSql: null,
    personBy: 'account_id',
    columns: ['hem_sha256', 'topic_id'],
    latestBy: 'last_seen',
  };

  it('keeps BIGINT values in the members file and compares them as numbers', async () => {
    const first = path.join(runDir(), 'members.parquet');
    expect(await writeMembers(sandbox, daysSource(DAY_1), query, first, null)).toMatchObject({ added: 4 });
    const dir = runDir();
    const second = path.join(dir, 'members.parquet');
    const delta = await writeMembers(sandbox, daysSource(DAY_2), query, second, first);
    const expected = await expectedDelta(
      personsSql([dayFile(DAY_2)], 'account_id'),
      personsSql([dayFile(DAY_1)], 'account_id'),
    );
    expect(delta).toEqual(expected.counts);
    expect([expected.added, expected.removed]).toEqual([
      [500, 600],
      [100, 400],
    ]);
    const [type] = await duck<{ t: string }>(`SELECT typeof(account_id) AS t FROM '${second}' LIMIT 1`);
    expect(type!.t).toBe('BIGINT');
    expect(await valuesIn([second], 'account_id')).toEqual([200, 300, 500, 600]);

    const added = await exportAdded(sandbox, daysSource(DAY_2), query, second, first, {
      targetDir: path.join(dir, 'added'),
    });
    // p5 and p6 have one row each on day 2: theirs.
    const read = await duck(
      `SELECT * FROM read_parquet(['${paths(added).join("', '")}']) ORDER BY account_id`,
    );
    expect(read).toEqual(
      await duck(
        `SELECT account_id, hem_sha256, topic_id FROM '${dayFile(DAY_2)}' WHERE account_id IN (500, 600) ORDER BY 1`,
      ),
    );
    const removed = await exportRemoved(sandbox, second, first, 'account_id', {
      targetDir: path.join(dir, 'removed'),
    });
    expect(removed.columns).toEqual([{ name: 'account_id', type: 'BIGINT' }]);
    expect(await valuesIn(paths(removed), 'account_id')).toEqual(expected.removed);
  });

  it('a run without input writes an empty members file; the next run adds everyone against it', async () => {
    const empty = path.join(runDir(), 'members.parquet');
    expect(await writeMembers(sandbox, { files: [] }, query, empty, null)).toEqual({
      members: 0,
      added: 0,
      removed: 0,
      kept: 0,
    });
    // With no input to take a type from, the column is VARCHAR; the BIGINT run compares as text.
    const dir = runDir();
    const next = path.join(dir, 'members.parquet');
    const delta = await writeMembers(sandbox, daysSource(DAY_1), query, next, empty);
    expect(delta).toEqual({ members: 4, added: 4, removed: 0, kept: 0 });
    const added = await exportAdded(sandbox, daysSource(DAY_1), query, next, empty, {
      targetDir: path.join(dir, 'added'),
    });
    expect(await valuesIn(paths(added), 'account_id', 'ORDER BY v')).toEqual([100, 200, 300, 400]);
    const removed = await exportRemoved(sandbox, next, empty, 'account_id', {
      targetDir: path.join(dir, 'removed'),
    });
    expect(removed.files).toEqual([]);

    // And a later run without input removes everyone, keeping the column's type.
    const gone = path.join(runDir(), 'members.parquet');
    expect(await writeMembers(sandbox, { files: [] }, query, gone, next)).toEqual({
      members: 0,
      added: 0,
      removed: 4,
      kept: 0,
    });
    const [column] = await duck<{ column_type: string }>(`DESCRIBE SELECT account_id FROM '${gone}'`);
    expect(column!.column_type).toBe('BIGINT');
    const left = await exportRemoved(sandbox, gone, next, 'account_id', {
      targetDir: path.join(root, 'out', 'gone'),
    });
    expect(await valuesIn(paths(left), 'account_id')).toEqual([100, 200, 300, 400]);
  });
  it('compares as text against a members file whose column had another type', async () => {
    const dir = runDir();
    const before = path.join(dir, 'before.parquet');
    fs.mkdirSync(dir, { recursive: true });
    await duck(
      `COPY (SELECT v AS account_id FROM (VALUES ('100'), ('200'), ('gone')) AS t(v)) TO '${before}'`,
    );
    const now = path.join(dir, 'members.parquet');
    const delta = await writeMembers(sandbox, daysSource(DAY_1), query, now, before);
    expect(delta).toEqual({ members: 4, added: 2, removed: 1, kept: 2 });
    const added = await exportAdded(sandbox, daysSource(DAY_1), query, now, before, {
      targetDir: path.join(dir, 'added'),
    });
    expect(await valuesIn(paths(added), 'account_id', 'ORDER BY v')).toEqual([300, 400]);
    const removed = await exportRemoved(sandbox, now, before, 'account_id', {
      targetDir: path.join(dir, 'removed'),
    });
    expect(await valuesIn(paths(removed), 'account_id')).toEqual(['gone']);
  });
});

describe("a profile's members (identifiers) in hash passes", () => {
  it('keeps both spellings of one hash in one pass: each member once, lower-cased, the rest counted', async () => {
    const crm = path.join(runDir(), 'crm.parquet');
    fs.mkdirSync(path.dirname(crm), { recursive: true });
    await writeMixedCaseHashes(crm);
    const query: LatestRowPeople = {
      shape: 'latest_row',
      whereSql: null,
      personBy: 'email_sha',
      columns: [],
      latestBy: null,
    };
    const source = { files: [crm], hive: false };
    const file = path.join(runDir(), 'members.parquet');
    const found = await writeMembers(sandbox, source, query, file, null, {
      identifiers: true,
      passes: hashPasses(3),
    });
    expect(found).toEqual({ members: 2000, added: 2000, removed: 0, kept: 0, invalid: 20 });
    const want = await duck<{ v: string }>(
      `SELECT sha256('person-' || i) AS v FROM range(2000) AS r(i) ORDER BY 1`,
    );
    expect(await valuesIn([file], 'email_sha')).toEqual(want.map((row) => row.v));
    // In one pass, against the members the passes kept: nobody joined or left.
    const again = path.join(runDir(), 'members.parquet');
    expect(await writeMembers(sandbox, source, query, again, file, { identifiers: true })).toEqual({
      members: 2000,
      added: 0,
      removed: 0,
      kept: 2000,
      invalid: 20,
    });
  });
});

describe('over the shared intent tree', () => {
  it('days 1-2 of high scores, then days 2-3 with min_days 2: the delta of independent set operations', async () => {
    const tree = inject('intentTree');
    const filesOf = async (days: string[]) =>
      (
        await duck<{ file: string }>(
          `SELECT file FROM glob([${days.map((d) => `'${tree}/day=${d}/**/*.parquet'`).join(', ')}]) ORDER BY 1`,
        )
      ).map((row) => row.file);
    const [early, late] = [
      await filesOf(['2024-05-01', '2024-05-02']),
      await filesOf(['2024-05-02', '2024-05-03']),
    ];
    const source = (files: string[]): ParquetSource => ({ files, hive: true, hiveTypes: INTENT_HIVE_TYPES });
    const hiveTypes = "{'day': DATE, 'prefix': VARCHAR, 'score': VARCHAR}";
    const persons = (files: string[], where: string, having = '') =>
      `SELECT person_id AS v FROM ${relation(files, hiveTypes)} WHERE (${where}) AND person_id IS NOT NULL GROUP BY 1 ${having}`;

    const first = path.join(runDir(), 'members.parquet');
    const query1 = intent({ whereSql: `"score" = 'high'` });
    const run1 = await writeMembers(sandbox, source(early), query1, first, null);
    const previous = persons(early, `score = 'high'`);
    expect(run1).toEqual((await expectedDelta(previous, 'SELECT NULL AS v LIMIT 0')).counts);

    const dir = runDir();
    const second = path.join(dir, 'members.parquet');
    const query2 = intent({ minDays: 2 });
    const delta = await writeMembers(sandbox, source(late), query2, second, first);
    const expected = await expectedDelta(persons(late, 'true', 'HAVING count(DISTINCT day) >= 2'), previous);
    expect(delta).toEqual(expected.counts);
    // The tree is meant to exercise all three kinds.
    expect(Math.min(delta.added, delta.removed, delta.kept)).toBeGreaterThan(0);
    expect(await valuesIn([second], 'person_id')).toEqual(expected.members);

    const added = await exportAdded(sandbox, source(late), query2, second, first, {
      targetDir: path.join(dir, 'added'),
    });
    expect(rowsOf(added)).toBe(delta.added);
    const read = await duck<{ person_id: unknown }>(
      `SELECT * FROM read_parquet(['${paths(added).join("', '")}']) ORDER BY person_id`,
    );
    const all = await expectedIntentPeople(
      tree,
      `day BETWEEN DATE '2024-05-02' AND DATE '2024-05-03'`,
      'HAVING count(DISTINCT day) >= 2',
    );
    const joined = new Set(expected.added);
    expect(read).toEqual(all.filter((row) => joined.has(plain(row.person_id))));

    const removed = await exportRemoved(sandbox, second, first, 'person_id', {
      targetDir: path.join(dir, 'removed'),
    });
    expect(rowsOf(removed)).toBe(delta.removed);
    expect(await valuesIn(paths(removed), 'person_id')).toEqual(expected.removed);
  });
});
