import type { AudiencesApi } from './api.ts';
import type { Dataset } from './dataset.ts';
import type { BenchOptions } from './options.ts';
import { rawQuery, treeGlob } from './raw-duckdb.ts';

/** The target for one topic search's answer (median), once the topics of the days are indexed. */
export const TOPIC_SEARCH_TARGET_MS = 50;

/** Words a marketer types into the builder's topic search, a few keystrokes each. */
const SEARCHES = ['cl', 'cloud', 'cloud sec', 'security', 'data', 'pricing', 'kube', 'ai', 'firewall', 'zz'];

/** Section 21: `GET /api/v1/catalog/intent/topics?q=…` over the newest week of the tree. */
export interface TopicSearchResult {
  /** The first search of the week: the service scans the week's rows to index its topics. */
  firstMs: number;
  /** The same figures from raw DuckDB: one `GROUP BY topic_id` of the week, in a fresh instance. */
  rawBuildMs: number;
  /** Every later search, in run order (each of `SEARCHES` in turn). */
  searchMs: number[];
  /** Topics of the week, in the service's answer and in raw DuckDB's. */
  topics: { api: number; raw: number };
  /** Topics whose rows, people or name differ, and topics one side lacks (0 when they agree). */
  differing: number;
}

interface TopicRow {
  topic_id: string;
  topic_name: string;
  prefix: string;
  rows: number;
  people: number;
}

/**
 * Times topic searches the way the builder makes them: the first (which indexes the week's topics)
 * once, then `rounds` of each search in `SEARCHES`. Every topic of the week is compared with raw
 * DuckDB's `GROUP BY topic_id` over the same days (rows, distinct people, name).
 */
export async function measureTopicSearch(
  options: BenchOptions,
  dataset: Dataset,
  api: AudiencesApi,
): Promise<TopicSearchResult> {
  const search = async (query: string) => {
    const reply = await api.http.request('GET', `/api/v1/catalog/intent/topics?${query}`, {
      headers: api.headers,
    });
    if (reply.status !== 200) throw new Error(`topics: ${reply.status} ${reply.text.slice(0, 500)}`);
    return { ms: reply.ms, body: JSON.parse(reply.text) as { days: string[]; topics: TopicRow[] } };
  };
  const first = await search('limit=1000');
  const week = first.body.days;
  const rawSql =
    `SELECT topic_id, any_value(topic_name) AS topic_name, any_value(prefix) AS prefix, count(*) AS rows, ` +
    `count(DISTINCT person_id) AS people FROM ${treeGlob(dataset.dir)} ` +
    `WHERE day IN (${week.map((day) => `DATE '${day}'`).join(', ')}) GROUP BY topic_id`;
  const raw = await rawQuery(rawSql, options.threads);
  const expected = new Map(raw.rows.map((row) => [String(row.topic_id), row]));
  const differing = first.body.topics.filter((topic) => {
    const row = expected.get(topic.topic_id);
    return (
      !row ||
      Number(row.rows) !== topic.rows ||
      Number(row.people) !== topic.people ||
      row.topic_name !== topic.topic_name
    );
  }).length;
  const rounds = options.tiny ? 1 : 5;
  options.log(`topic search: ${rounds * SEARCHES.length} searches`);
  const searchMs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const q of SEARCHES) searchMs.push((await search(`q=${encodeURIComponent(q)}&limit=20`)).ms);
  }
  return {
    firstMs: first.ms,
    rawBuildMs: raw.ms,
    searchMs,
    topics: { api: first.body.topics.length, raw: raw.rows.length },
    differing: differing + Math.abs(raw.rows.length - first.body.topics.length),
  };
}

/** Whether the service's topics are raw DuckDB's, figure for figure. */
export function topicsMatch(result: TopicSearchResult): boolean {
  return result.differing === 0;
}
