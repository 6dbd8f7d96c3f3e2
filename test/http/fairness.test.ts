import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, signUp, startTestServer } from '../support/api.ts';
import { startDeployment } from '../support/deployment.ts';
import { expectedIntentCounts, intentPrefixes } from '../support/duck.ts';
import type { SuiteServer } from '../support/task-suite.ts';

/**
 * Organisation A queues exports of the whole tree, twice as many as the export slots can run at once
 * and two more; organisation B then asks for a one-partition filtered count. B's count must not wait
 * for A's exports: in one queue behind them, it would run only once all but the last `slots` of them
 * had finished. (How long B waits is measured by the benchmark, not asserted here.)
 */
const MODES: Array<[string, number, () => Promise<SuiteServer>]> = [
  ['embedded, one export slot', 1, () => startTestServer({ WORKER_CONCURRENCY: '1', DUCKDB_THREADS: '1' })],
  ['2 serve and 2 worker processes', 2, () => startDeployment({ apis: 2, workers: 2 })],
];

describe.each(MODES)('fairness between organisations (%s)', (_mode, slots, start) => {
  let t: SuiteServer;
  beforeAll(async () => {
    t = await start();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("counts B's small task while A's exports hold the export slots", async () => {
    const a = apiClient(t.url, (await signUp(t.url, 'Org A')).apiKey);
    const b = apiClient(t.url, (await signUp(t.url, 'Org B')).apiKey);
    const prefixes = await intentPrefixes(t.intentTree);
    const everything = {
      days: ['2024-05-01', '2024-05-02', '2024-05-03'],
      topic_id_prefixes: prefixes,
      scores: ['low', 'medium', 'high'],
      // A codec named explicitly: A's exports write their files (whole files would only be copied).
      compression: 'snappy',
    };
    const exports: string[] = [];
    for (let i = 0; i < 2 * slots + 2; i++) exports.push(await a.createIntentTask(everything));

    const where = "country = 'US'";
    const small = await b.createIntentTask({
      days: ['2024-05-02'],
      topic_id_prefixes: [prefixes[0]],
      scores: ['high'],
      where_expr: where,
      perform_unload: false,
    });
    const counted = await b.waitFor(small, ['counted']);
    const statuses = await Promise.all(
      exports.map(async (id) => (await a.get(`/api/v1/status/${id}`)).body.status),
    );
    const finished = statuses.filter((status) => status === 'completed').length;
    expect(finished).toBeLessThan(exports.length - slots);
    const key = `day=2024-05-02/prefix=${prefixes[0]}/score=high`;
    const expected = await expectedIntentCounts(
      t.intentTree,
      `${where} AND day = DATE '2024-05-02' AND prefix = '${prefixes[0]}' AND score = 'high'`,
    );
    expect(counted.counts).toEqual({ [key]: expected[key] });

    for (const id of exports) await a.waitFor(id, ['completed'], 120_000);
  });
});
