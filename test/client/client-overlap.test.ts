import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudiencesClient, AudiencesError } from '../../src/client/index.ts';
import { signUp, startTestServer, type TestServer } from '../support/api.ts';
import { duck, intentPrefixes } from '../support/duck.ts';
import { intentRelation } from '../support/preview.ts';

/** `client.overlap` against a real server: the figures against DuckDB, a refusal as a typed error. */
let t: TestServer;
let client: AudiencesClient;
let prefixes: string[];

beforeAll(async () => {
  t = await startTestServer();
  client = new AudiencesClient({ baseUrl: t.url, apiKey: (await signUp(t.url, 'Client overlap')).apiKey });
  prefixes = await intentPrefixes(t.intentTree);
});
afterAll(async () => t?.close());

async function size(sql: string): Promise<number> {
  const [row] = await duck<{ n: bigint }>(`SELECT count(*) AS n FROM (${sql})`);
  return Number(row!.n);
}

describe('client.overlap', () => {
  it('answers the sizes and regions of two counted tasks, and throws the problem of a refusal', async () => {
    const ids: string[] = [];
    for (const topics of [prefixes.slice(0, 1), prefixes.slice(0, 2)]) {
      const { task_id } = await client.createIntentTask({
        days: ['2024-05-03'],
        topic_id_prefixes: topics,
        scores: ['medium'],
        unique_by: 'person_id',
        perform_unload: false,
      });
      await client.waitFor(task_id, { until: ['counted'] });
      ids.push(task_id);
    }
    const people = (topics: string[]) =>
      `SELECT DISTINCT person_id FROM ${intentRelation(t.intentTree)} WHERE day = DATE '2024-05-03'
       AND score = 'medium' AND prefix IN (${topics.map((p) => `'${p}'`).join(', ')}) AND person_id IS NOT NULL`;
    const [a, b] = [people(prefixes.slice(0, 1)), people(prefixes.slice(0, 2))];
    const overlap = await client.overlap(ids);
    expect(overlap.sets.map((s) => s.size)).toEqual([await size(a), await size(b)]);
    // A is inside B: nobody is only in A.
    expect(overlap.regions).toEqual([
      { sets: ['A'], size: 0 },
      { sets: ['B'], size: await size(`(${b}) EXCEPT (${a})`) },
      { sets: ['A', 'B'], size: await size(a) },
    ]);
    const refused = await client.overlap(ids, { audiences: true }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AudiencesError);
    expect((refused as AudiencesError).status).toBe(404);
  });
});
