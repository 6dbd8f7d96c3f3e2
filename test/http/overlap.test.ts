import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { duck, intentPrefixes } from '../support/duck.ts';
import { intentRelation } from '../support/preview.ts';

/**
 * POST /api/v1/overlap over the shared intent tree: three counted tasks (rows with a filter, rows,
 * and people with min_topics), every figure checked against DuckDB set algebra written here
 * independently (INTERSECT / EXCEPT over the same files and filters).
 */
let t: TestServer;
let account: Account;
let api: ReturnType<typeof apiClient>;
let prefixes: string[];
const DAYS = ['2024-05-01', '2024-05-02', '2024-05-03'];
const OVERLAP = '/api/v1/overlap';

const list = (values: string[]) => values.map((v) => `'${v}'`).join(', ');

/** The three sets, each as its own DuckDB query of distinct person_id values. */
const expected = {
  A: () =>
    `SELECT DISTINCT person_id FROM ${intentRelation(t.intentTree)} WHERE prefix = '${prefixes[0]}'
     AND score = 'high' AND day = DATE '2024-05-01' AND intent_score >= 70 AND person_id IS NOT NULL`,
  B: () =>
    `SELECT DISTINCT person_id FROM ${intentRelation(t.intentTree)} WHERE prefix = '${prefixes[1]}'
     AND score = 'high' AND CAST(day AS VARCHAR) IN ('2024-05-02', '2024-05-03') AND person_id IS NOT NULL`,
  C: () =>
    `SELECT person_id FROM ${intentRelation(t.intentTree)} WHERE prefix IN (${list([prefixes[0]!, prefixes[2]!, prefixes[3]!])})
     AND score = 'high' AND person_id IS NOT NULL GROUP BY person_id HAVING count(DISTINCT prefix) >= 2`,
};

async function size(sql: string): Promise<number> {
  const [row] = await duck<{ n: bigint }>(`SELECT count(*) AS n FROM (${sql})`);
  return Number(row!.n);
}

let ids: { A: string; B: string; C: string };

beforeAll(async () => {
  t = await startTestServer();
  account = await signUp(t.url);
  api = apiClient(t.url, account.apiKey);
  prefixes = await intentPrefixes(t.intentTree);
  const create = (body: Record<string, unknown>) =>
    api.createIntentTask({
      days: DAYS,
      scores: ['high'],
      unique_by: 'person_id',
      perform_unload: false,
      ...body,
    });
  ids = {
    A: await create({
      name: 'A',
      topic_id_prefixes: prefixes.slice(0, 1),
      days: DAYS.slice(0, 1),
      where_expr: 'intent_score >= 70',
    }),
    B: await create({ topic_id_prefixes: prefixes.slice(1, 2), days: DAYS.slice(1) }),
    C: await create({
      topic_id_prefixes: [prefixes[0], prefixes[2], prefixes[3]],
      output: 'people',
      min_topics: 2,
    }),
  };
  for (const id of Object.values(ids)) await api.waitFor(id, ['counted', 'completed']);
}, 120_000);
afterAll(async () => t?.close());

describe('overlap of three tasks', () => {
  it('sizes every Venn region as DuckDB set algebra does', async () => {
    const reply = await api.post(OVERLAP, { task_ids: [ids.A, ids.B, ids.C] });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const { A, B, C } = { A: expected.A(), B: expected.B(), C: expected.C() };
    const regions = [
      [['A'], `(${A}) EXCEPT (${B}) EXCEPT (${C})`],
      [['B'], `(${B}) EXCEPT (${A}) EXCEPT (${C})`],
      [['A', 'B'], `((${A}) INTERSECT (${B})) EXCEPT (${C})`],
      [['C'], `(${C}) EXCEPT (${A}) EXCEPT (${B})`],
      [['A', 'C'], `((${A}) INTERSECT (${C})) EXCEPT (${B})`],
      [['B', 'C'], `((${B}) INTERSECT (${C})) EXCEPT (${A})`],
      [['A', 'B', 'C'], `(${A}) INTERSECT (${B}) INTERSECT (${C})`],
    ] as const;
    const want = [];
    for (const [sets, sql] of regions) want.push({ sets: [...sets], size: await size(sql) });
    expect(reply.body.regions).toEqual(want);
    // The data makes every region non-empty, so each is a real check.
    expect(
      want.every((region) => region.size > 0),
      JSON.stringify(want),
    ).toBe(true);

    const sizes = { A: await size(A), B: await size(B), C: await size(C) };
    expect(reply.body.unique_by).toBe('person_id');
    expect(reply.body.sets).toEqual([
      { key: 'A', task_id: ids.A, audience_id: null, name: 'A', size: sizes.A },
      { key: 'B', task_id: ids.B, audience_id: null, name: null, size: sizes.B },
      { key: 'C', task_id: ids.C, audience_id: null, name: null, size: sizes.C },
    ]);
    expect(reply.body.union).toBe(await size(`(${A}) UNION (${B}) UNION (${C})`));
    const pairs = [];
    for (const [a, b] of [
      ['A', 'B'],
      ['A', 'C'],
      ['B', 'C'],
    ] as const) {
      const intersection = await size(`(${expected[a]()}) INTERSECT (${expected[b]()})`);
      const union = await size(`(${expected[a]()}) UNION (${expected[b]()})`);
      pairs.push({ a, b, intersection, union, jaccard: intersection / union });
    }
    expect(reply.body.pairs).toEqual(pairs);
    // A set's size is what its task counted.
    const counted = await api.get(`/api/v1/status/${ids.A}`);
    expect(counted.body.unique_count).toBe(sizes.A);
  });

  it('gives the pairwise matrix only for four sets or more', async () => {
    // The same task twice is refused: the ids must be unique.
    expect((await api.post(OVERLAP, { task_ids: [ids.A, ids.B, ids.A] })).status).toBe(400);
    const D = await api.createIntentTask({
      days: DAYS.slice(0, 1),
      scores: ['high'],
      topic_id_prefixes: prefixes,
      unique_by: 'person_id',
      perform_unload: false,
    });
    await api.waitFor(D, ['counted']);
    const four = await api.post(OVERLAP, { task_ids: [ids.A, ids.B, ids.C, D] });
    expect(four.status, JSON.stringify(four.body)).toBe(200);
    expect(four.body.regions).toBeNull();
    expect(four.body.pairs).toHaveLength(6);
    const dSet = `SELECT DISTINCT person_id FROM ${intentRelation(t.intentTree)} WHERE day = DATE '2024-05-01'
      AND score = 'high' AND person_id IS NOT NULL`;
    const cd = four.body.pairs.find((p: { a: string; b: string }) => p.a === 'C' && p.b === 'D');
    expect(cd.intersection).toBe(await size(`(${expected.C()}) INTERSECT (${dSet})`));
    expect(four.body.sets[3].size).toBe(await size(dSet));
  });
});

describe('overlap refusals', () => {
  it('answers 400 for a task without unique_by, or with another unique_by, naming them', async () => {
    const plain = await api.createIntentTask({
      days: DAYS.slice(0, 1),
      scores: ['high'],
      topic_id_prefixes: prefixes.slice(0, 1),
      perform_unload: false,
    });
    const hem = await api.createIntentTask({
      days: DAYS.slice(0, 1),
      scores: ['high'],
      topic_id_prefixes: prefixes.slice(0, 1),
      unique_by: 'hem_sha256',
      perform_unload: false,
    });
    await api.waitFor(plain, ['counted']);
    await api.waitFor(hem, ['counted']);
    const none = await api.post(OVERLAP, { task_ids: [ids.A, plain] });
    expect(none.status).toBe(400);
    expect(none.body.detail).toContain(plain);
    expect(none.body.detail).toContain('count it with unique_by');
    const other = await api.post(OVERLAP, { task_ids: [ids.A, hem] });
    expect(other.status).toBe(400);
    expect(other.body.detail).toContain(`${ids.A}: person_id`);
    expect(other.body.detail).toContain(`${hem}: hem_sha256`);
  });

  it('answers 400 unless exactly one of task_ids and audience_ids names 2 to 10 ids', async () => {
    expect((await api.post(OVERLAP, { task_ids: [ids.A] })).status).toBe(400);
    expect((await api.post(OVERLAP, {})).status).toBe(400);
    const both = await api.post(OVERLAP, { task_ids: [ids.A, ids.B], audience_ids: ['x', 'y'] });
    expect(both.status).toBe(400);
    expect(both.body.detail).toContain('exactly one');
  });

  it('answers 409 for a task that is not counted or completed', async () => {
    const cancelled = await api.createIntentTask({
      days: DAYS.slice(0, 1),
      scores: ['high'],
      topic_id_prefixes: prefixes.slice(0, 1),
      unique_by: 'person_id',
      perform_unload: false,
    });
    expect((await api.post(`/api/v1/tasks/${cancelled}/cancel`)).status).toBe(202);
    const reply = await api.post(OVERLAP, { task_ids: [ids.A, cancelled] });
    expect(reply.status).toBe(409);
    expect(reply.body.code).toBe('task_state_conflict');
    expect(reply.body.detail).toContain(`task ${cancelled} is cancelled`);
  });

  it("answers 404 for another organisation's task, without its data", async () => {
    const other = apiClient(t.url, (await signUp(t.url, 'Other')).apiKey);
    const reply = await other.post(OVERLAP, { task_ids: [ids.A, ids.B] });
    expect(reply.status).toBe(404);
    expect(reply.body.code).toBe('task_not_found');
    expect(JSON.stringify(reply.body)).not.toMatch(/"size"|unique_by/);
  });
});

describe('overlap of saved audiences', () => {
  it("compares each audience's last completed run, and answers 409 for one that never completed", async () => {
    const audience = async (name: string, topics: string[]) => {
      const created = await api.post('/api/v1/audiences', {
        name,
        kind: 'intent',
        definition: {
          topic_id_prefixes: topics,
          scores: ['high'],
          unique_by: 'person_id',
          output: 'people',
        },
        window: { last_days: 1 },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return created.body.audience_id as string;
    };
    const first = await audience('First', prefixes.slice(0, 2));
    const second = await audience('Second', prefixes.slice(1, 3));
    const never = await audience('Never run', prefixes.slice(0, 1));
    for (const id of [first, second]) {
      const run = await api.post(`/api/v1/audiences/${id}/runs`);
      expect(run.status, JSON.stringify(run.body)).toBe(202);
      await api.waitFor(run.body.task_id, ['completed']);
    }
    const reply = await api.post(OVERLAP, { audience_ids: [first, second] });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const people = (topics: string[]) =>
      `SELECT DISTINCT person_id FROM ${intentRelation(t.intentTree)} WHERE day = DATE '2024-05-03'
       AND score = 'high' AND prefix IN (${list(topics)}) AND person_id IS NOT NULL`;
    const [a, b] = [people(prefixes.slice(0, 2)), people(prefixes.slice(1, 3))];
    expect(
      reply.body.sets.map((s: { audience_id: string; name: string; size: number }) => [
        s.audience_id,
        s.name,
        s.size,
      ]),
    ).toEqual([
      [first, 'First', await size(a)],
      [second, 'Second', await size(b)],
    ]);
    expect(reply.body.regions).toEqual([
      { sets: ['A'], size: await size(`(${a}) EXCEPT (${b})`) },
      { sets: ['B'], size: await size(`(${b}) EXCEPT (${a})`) },
      { sets: ['A', 'B'], size: await size(`(${a}) INTERSECT (${b})`) },
    ]);

    const conflict = await api.post(OVERLAP, { audience_ids: [first, never] });
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('audience_not_completed');
    expect(conflict.body.detail).toContain(never);
    expect(conflict.body.detail).toContain('Never run');

    const other = apiClient(t.url, (await signUp(t.url, 'Elsewhere')).apiKey);
    const hidden = await other.post(OVERLAP, { audience_ids: [first, second] });
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe('audience_not_found');
  });
});

describe('overlap bounds', () => {
  let bounded: TestServer;
  afterAll(async () => bounded?.close());

  it('answers 422 overlap_too_large, saying what to do, when the preview time limit is hit', async () => {
    bounded = await startTestServer({ PREVIEW_TIMEOUT: '1ms' });
    const client = apiClient(bounded.url, (await signUp(bounded.url)).apiKey);
    // Millions of people: no overlap of them is counted within 1 ms, however warm the machine.
    const root = path.join(bounded.dataDir, 'many');
    await duck(
      `COPY (SELECT range AS person, range % 7 AS region FROM range(3000000)) TO '${root}' (FORMAT parquet, PARTITION_BY (region))`,
    );
    const whole = async (where: string) => {
      const created = await client.post('/api/v1/generic_parquet_tasks', {
        input_path: root,
        where_expr: where,
        unique_by: 'person',
        perform_unload: false,
      });
      expect(created.status, JSON.stringify(created.body)).toBe(202);
      await client.waitFor(created.body.task_id, ['counted']);
      return created.body.task_id as string;
    };
    const [a, b] = [await whole('person >= 1000'), await whole('person < 2900000')];
    const reply = await client.post(OVERLAP, { task_ids: [a, b] });
    expect(reply.status, JSON.stringify(reply.body).slice(0, 500)).toBe(422);
    expect(reply.body.code).toBe('overlap_too_large');
    expect(reply.body.detail).toMatch(/compare fewer or narrower tasks/);
    expect((await client.get('/healthz')).status).toBe(200);
  });
});

describe('overlap of generic tasks', () => {
  it('reads Hive columns and the filter as the count does', async () => {
    const root = path.join(t.dataDir, 'crm');
    await duck(
      `COPY (SELECT range AS id, range % 3 AS region,
               CASE WHEN range % 13 = 0 THEN NULL ELSE range % 500 END AS person
             FROM range(4000))
       TO '${root}' (FORMAT parquet, PARTITION_BY (region))`,
    );
    const relation = `read_parquet('${root}/**/*.parquet', hive_partitioning = true)`;
    const wheres = ['region = 1 AND person < 300', 'person >= 200'];
    const created = [];
    for (const where of wheres) {
      const reply = await api.post('/api/v1/generic_parquet_tasks', {
        input_path: root,
        where_expr: where,
        unique_by: 'person',
        perform_unload: false,
      });
      expect(reply.status, JSON.stringify(reply.body)).toBe(202);
      created.push(reply.body.task_id as string);
      await api.waitFor(reply.body.task_id, ['counted']);
    }
    const [a, b] = wheres.map(
      (where) => `SELECT DISTINCT person FROM ${relation} WHERE ${where} AND person IS NOT NULL`,
    ) as [string, string];
    const reply = await api.post(OVERLAP, { task_ids: created });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body.unique_by).toBe('person');
    expect(reply.body.regions).toEqual([
      { sets: ['A'], size: await size(`(${a}) EXCEPT (${b})`) },
      { sets: ['B'], size: await size(`(${b}) EXCEPT (${a})`) },
      { sets: ['A', 'B'], size: await size(`(${a}) INTERSECT (${b})`) },
    ]);
    expect(reply.body.regions.every((r: { size: number }) => r.size > 0)).toBe(true);
  });
});
