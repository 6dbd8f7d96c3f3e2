import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { runCli } from '../support/cli-process.ts';
import { duck, intentPrefixes } from '../support/duck.ts';
import { intentRelation } from '../support/preview.ts';

/** `audiences overlap` as a user runs it against a real server; figures checked against DuckDB. */
let t: TestServer;
let env: Record<string, string>;
let prefixes: string[];
let ids: string[];

beforeAll(async () => {
  t = await startTestServer();
  const account = await signUp(t.url, 'CLI overlap');
  env = { AUDIENCES_URL: t.url, AUDIENCES_API_KEY: account.apiKey };
  const api = apiClient(t.url, account.apiKey);
  prefixes = await intentPrefixes(t.intentTree);
  ids = [];
  for (const topics of [prefixes.slice(0, 2), prefixes.slice(1, 3)]) {
    const id = await api.createIntentTask({
      days: ['2024-05-01'],
      topic_id_prefixes: topics,
      scores: ['high'],
      unique_by: 'person_id',
      perform_unload: false,
    });
    await api.waitFor(id, ['counted']);
    ids.push(id);
  }
}, 60_000);
afterAll(async () => t?.close());

const people = (topics: string[]) =>
  `SELECT DISTINCT person_id FROM ${intentRelation(t.intentTree)} WHERE day = DATE '2024-05-01'
   AND score = 'high' AND prefix IN (${topics.map((p) => `'${p}'`).join(', ')}) AND person_id IS NOT NULL`;

async function size(sql: string): Promise<number> {
  const [row] = await duck<{ n: bigint }>(`SELECT count(*) AS n FROM (${sql})`);
  return Number(row!.n);
}

describe('audiences overlap', () => {
  it('prints sizes, the pair and the Venn regions, and the same figures with --json', async () => {
    const [a, b] = [people(prefixes.slice(0, 2)), people(prefixes.slice(1, 3))];
    const both = await size(`(${a}) INTERSECT (${b})`);
    const json = await runCli(['overlap', ...ids, '--json'], env);
    expect(json.code, json.stderr).toBe(0);
    const reply = JSON.parse(json.stdout);
    expect(reply.sets.map((s: { size: number }) => s.size)).toEqual([await size(a), await size(b)]);
    expect(reply.pairs[0].intersection).toBe(both);

    const plain = await runCli(['overlap', ...ids], env);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(new RegExp(`A∩B\\s+${both}\\s`));
    expect(plain.stdout).toMatch(new RegExp(`^A and B\\s+${both}$`, 'm'));
    expect(plain.stdout).toMatch(new RegExp(`^A and not B\\s+${await size(`(${a}) EXCEPT (${b})`)}$`, 'm'));
  });

  it('exits 2 for one id and 3 for an API refusal, and shows an example in --help', async () => {
    expect((await runCli(['overlap', ids[0]!], env)).code).toBe(2);
    const refused = await runCli(['overlap', ids[0]!, 'no-such-task'], env);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('no-such-task');
    const help = await runCli(['overlap', '--help'], env);
    expect(help.stdout).toContain('Example:');
  });
});
