import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { duck, expectedIntentCounts } from '../support/duck.ts';

const TOPICS = '/api/v1/catalog/intent/topics';

interface Topic {
  topic_id: string;
  topic_name: string;
  prefix: string;
  rows: number;
  people: number;
}

/** The topics of the newest `days` days of a tree, straight from its files, most rows first. */
async function expectedTopics(tree: string, days: number): Promise<{ days: string[]; topics: Topic[] }> {
  const data = `read_parquet('${tree}/**/*.parquet', hive_partitioning = true, hive_types = {'day': DATE, 'prefix': VARCHAR, 'score': VARCHAR})`;
  const newest = (
    await duck<{ d: string }>(
      `SELECT DISTINCT strftime(day, '%Y-%m-%d') AS d FROM ${data} ORDER BY d DESC LIMIT ${days}`,
    )
  )
    .map((row) => row.d)
    .reverse();
  const rows = await duck<{
    topic_id: string;
    topic_name: string;
    prefix: string;
    rows: bigint;
    people: bigint;
  }>(
    `SELECT topic_id, topic_name, prefix, count(*) AS rows, count(DISTINCT person_id) AS people
     FROM ${data} WHERE strftime(day, '%Y-%m-%d') IN (${newest.map((d) => `'${d}'`).join(', ')})
     GROUP BY topic_id, topic_name, prefix ORDER BY rows DESC, topic_id`,
  );
  return {
    days: newest,
    topics: rows.map((row) => ({ ...row, rows: Number(row.rows), people: Number(row.people) })),
  };
}

describe('GET /api/v1/catalog/intent/topics and topic_ids', () => {
  let t: TestServer;
  let api: ReturnType<typeof apiClient>;
  let tree: string;

  beforeAll(async () => {
    // A copy of the shared tree, so the last test may add a day to it.
    tree = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-topics-tree-'));
    fs.cpSync(inject('intentTree'), tree, { recursive: true });
    t = await startTestServer({ INTENT_INPUT_PATH: tree, LOCAL_INPUT_ROOTS: tree });
    api = apiClient(t.url, (await signUp(t.url)).apiKey);
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(tree, { recursive: true, force: true });
  });

  it('lists every topic with its rows and distinct people over the newest days', async () => {
    const all = await expectedTopics(tree, 7);
    expect(all.days).toHaveLength(3);
    expect(all.topics.length).toBeGreaterThan(4);
    const reply = await api.get(`${TOPICS}?limit=1000`);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ days: all.days, total: all.topics.length, topics: all.topics });

    // Two days: people seen on both count once.
    const two = await expectedTopics(tree, 2);
    const replyTwo = await api.get(`${TOPICS}?days=2&limit=1000`);
    expect(replyTwo.body).toEqual({ days: two.days, total: two.topics.length, topics: two.topics });
  });

  it('finds topics by name or id in any case, and caps them at limit', async () => {
    const { topics } = await expectedTopics(tree, 7);
    const word = topics[0]!.topic_name.split(' ')[0]!;
    const matching = topics.filter(
      (topic) =>
        topic.topic_name.toLowerCase().includes(word.toLowerCase()) ||
        topic.topic_id.toLowerCase().includes(word.toLowerCase()),
    );
    const reply = await api.get(`${TOPICS}?q=${encodeURIComponent(word.toUpperCase())}&limit=1000`);
    expect(reply.status).toBe(200);
    expect(reply.body.topics).toEqual(matching);
    expect(reply.body.total).toBe(matching.length);

    const byId = await api.get(`${TOPICS}?q=${topics[1]!.topic_id}`);
    expect(byId.body.topics.map((topic: Topic) => topic.topic_id)).toContain(topics[1]!.topic_id);

    const capped = await api.get(`${TOPICS}?limit=2`);
    expect(capped.body.topics).toEqual(topics.slice(0, 2));
    expect(capped.body.total).toBe(topics.length);

    expect((await api.get(`${TOPICS}?q=no-such-topic-anywhere`)).body).toMatchObject({
      total: 0,
      topics: [],
    });
  });

  it('refuses a days or limit out of range', async () => {
    expect((await api.get(`${TOPICS}?days=0`)).status).toBe(400);
    expect((await api.get(`${TOPICS}?limit=0`)).status).toBe(400);
    expect((await api.get(`${TOPICS}?days=soon`)).status).toBe(400);
  });

  it('counts a task with topic_ids as DuckDB counts topic_id IN (…), and shows them in its request', async () => {
    const { topics } = await expectedTopics(tree, 7);
    const [first] = topics;
    const ids = topics
      .filter((topic) => topic.prefix === first!.prefix)
      .slice(0, 2)
      .map((topic) => topic.topic_id);
    const other = topics.find((topic) => topic.prefix !== first!.prefix)!;
    const created = await api.post('/api/v1/intent_hive_tasks', {
      days: (await expectedTopics(tree, 7)).days,
      topic_id_prefixes: [first!.prefix, other.prefix],
      scores: ['low', 'medium', 'high'],
      where_expr: 'intent_score >= 40',
      topic_ids: [...ids, other.topic_id],
      perform_unload: false,
    });
    expect(created.status).toBe(202);
    const task = await api.waitFor(created.body.task_id, ['counted']);
    expect(task.request.topic_ids).toEqual([...ids, other.topic_id]);
    const inList = [...ids, other.topic_id].map((id) => `'${id}'`).join(', ');
    const counts = await expectedIntentCounts(tree, `intent_score >= 40 AND topic_id IN (${inList})`);
    expect(task.counts).toEqual(Object.fromEntries(Object.keys(task.counts).map((p) => [p, counts[p] ?? 0])));
    const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
    expect(total).toBeGreaterThan(0);
    expect(task.total_count).toBe(total);
  });

  it('answers 400 naming unknown topic ids and ids of a prefix the task does not read', async () => {
    const { topics } = await expectedTopics(tree, 7);
    const [first] = topics;
    const other = topics.find((topic) => topic.prefix !== first!.prefix)!;
    const body = { days: ['2024-05-01'], topic_id_prefixes: [first!.prefix], scores: ['high'] };

    const unknown = await api.post('/api/v1/intent_hive_tasks', {
      ...body,
      topic_ids: [first!.topic_id, 'nope_1'],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toContain('"nope_1"');
    expect(unknown.body.detail).not.toContain(first!.topic_id);

    const outside = await api.post('/api/v1/intent_hive_tasks', { ...body, topic_ids: [other.topic_id] });
    expect(outside.status).toBe(400);
    expect(outside.body.detail).toContain(`${other.topic_id} (prefix ${other.prefix})`);

    expect((await api.post('/api/v1/intent_hive_tasks', { ...body, topic_ids: [] })).status).toBe(400);
  });

  it('saves an audience with topic_ids, runs it as DuckDB counts them, and refuses unknown ones', async () => {
    const { topics } = await expectedTopics(tree, 7);
    const [first] = topics;
    const definition = {
      topic_id_prefixes: [first!.prefix],
      scores: ['high', 'medium'],
      topic_ids: [first!.topic_id],
      unique_by: 'person_id',
    };
    const refused = await api.post('/api/v1/audiences', {
      name: 'Unknown topic',
      kind: 'intent',
      definition: { ...definition, topic_ids: ['nope_2'] },
      window: { last_days: 2 },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toContain('"nope_2"');

    const created = await api.post('/api/v1/audiences', {
      name: `Topic ${first!.topic_name}`,
      kind: 'intent',
      definition,
      window: { last_days: 2 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const run = await api.post(`/api/v1/audiences/${created.body.audience_id}/runs`);
    expect(run.status, JSON.stringify(run.body)).toBe(202);
    const task = await api.waitFor(run.body.task_id, ['completed']);
    expect(task.request.topic_ids).toEqual([first!.topic_id]);
    const days = run.body.days as string[];
    const counts = await expectedIntentCounts(
      tree,
      `day IN (${days.map((d) => `'${d}'`).join(', ')}) AND prefix = '${first!.prefix}' AND score IN ('high', 'medium') AND topic_id = '${first!.topic_id}'`,
    );
    expect(task.total_count).toBe(Object.values(counts).reduce((sum, n) => sum + n, 0));
  });

  it('rebuilds the index when the tree changes', async () => {
    await api.get(`${TOPICS}?days=2`);
    fs.cpSync(path.join(tree, 'day=2024-05-03'), path.join(tree, 'day=2024-05-04'), { recursive: true });
    const expected = await expectedTopics(tree, 2);
    expect(expected.days).toEqual(['2024-05-03', '2024-05-04']);
    const reply = await api.get(`${TOPICS}?days=2&limit=1000`);
    expect(reply.body).toEqual({
      days: expected.days,
      total: expected.topics.length,
      topics: expected.topics,
    });
  });
});
