import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudiencesClient, AudiencesError } from '../../src/client/index.ts';
import { signUp, startTestServer, type TestServer } from '../support/api.ts';
import { duck, expectedIntentCounts } from '../support/duck.ts';

let t: TestServer;
let client: AudiencesClient;

beforeAll(async () => {
  t = await startTestServer();
  client = new AudiencesClient({ baseUrl: t.url, apiKey: (await signUp(t.url, 'Client topics')).apiKey });
});
afterAll(async () => t?.close());

describe('client.topics', () => {
  it('finds topics by name with the rows and people DuckDB counts, and counts a task of them', async () => {
    const data = `read_parquet('${t.intentTree}/**/*.parquet', hive_partitioning = true)`;
    const expected = await duck<{ topic_id: string; prefix: string; rows: bigint; people: bigint }>(
      `SELECT topic_id, prefix, count(*) AS rows, count(DISTINCT person_id) AS people FROM ${data}
       WHERE topic_name ILIKE '%security%' OR topic_id ILIKE '%security%' GROUP BY ALL ORDER BY rows DESC, topic_id`,
    );
    expect(expected.length).toBeGreaterThan(0);
    const found = await client.topics({ q: 'Security', days: 30, limit: 1000 });
    expect(found.total).toBe(expected.length);
    expect(found.topics.map((topic) => [topic.topic_id, topic.prefix, topic.rows, topic.people])).toEqual(
      expected.map((row) => [row.topic_id, row.prefix, Number(row.rows), Number(row.people)]),
    );

    const [top] = found.topics;
    const { task_id } = await client.createIntentTask({
      days: found.days,
      topic_id_prefixes: [top!.prefix],
      scores: ['low', 'medium', 'high'],
      topic_ids: [top!.topic_id],
      perform_unload: false,
    });
    const task = await client.waitFor(task_id, { until: 'counted' });
    const counts = await expectedIntentCounts(t.intentTree, `topic_id = '${top!.topic_id}'`);
    // Over every day the tree holds (days: 30), the task's rows are the topic's rows.
    expect(task.total_count).toBe(Object.values(counts).reduce((sum, n) => sum + n, 0));
    expect(task.total_count).toBe(top!.rows);
  });

  it('throws the API problem for a limit out of range', async () => {
    const error = await client.topics({ limit: 5000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AudiencesError);
    expect((error as AudiencesError).status).toBe(400);
  });
});
