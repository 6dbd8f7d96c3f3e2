import path from 'node:path';
import type { IntentTaskBody } from './api.ts';
import type { Dataset } from './dataset.ts';

/** The filter of the filtered count and the export: three columns of the files. */
export const FILTER = "intent_score >= 60 AND country IN ('US','DE','GB') AND seniority <> 'Entry'";
export const SCORES = ['low', 'medium', 'high'];

/** Every partition of the tree. */
export function allPartitions(dataset: Dataset, extra: Partial<IntentTaskBody> = {}): IntentTaskBody {
  return { days: dataset.days, topic_id_prefixes: dataset.prefixes, scores: SCORES, ...extra };
}

/**
 * Every partition, exported by writing its files: a codec named explicitly keeps an export of whole
 * files from being a copy of them (the sections that measure writing the tree use it).
 */
export function allPartitionsWritten(dataset: Dataset): IntentTaskBody {
  return allPartitions(dataset, { compression: 'snappy' });
}

/** The one partition of the small-task test. */
export function onePartition(dataset: Dataset): { body: IntentTaskBody; dir: string; key: string } {
  const day = dataset.days[0]!;
  const prefix = dataset.prefixes[0]!;
  const key = `day=${day}/prefix=${prefix}/score=high`;
  return {
    body: { days: [day], topic_id_prefixes: [prefix], scores: ['high'], perform_unload: false },
    dir: path.join(dataset.dir, key),
    key,
  };
}

/**
 * A task over `n` partitions, `days × prefixes × 1 score`: the tree's own prefixes first, then
 * prefixes that do not exist, so most partitions of a large task are empty (count 0).
 */
export function partitionsTask(
  dataset: Dataset,
  n: number,
  extra: Partial<IntentTaskBody> = {},
): IntentTaskBody {
  // As many of the tree's days as divide n evenly.
  let days = Math.min(n, dataset.days.length);
  while (n % days !== 0) days -= 1;
  const perDay = n / days;
  const prefixes = [...dataset.prefixes];
  for (let i = 0; prefixes.length < perDay; i++) prefixes.push(`zz_missing_${String(i).padStart(5, '0')}`);
  return {
    days: dataset.days.slice(0, days),
    topic_id_prefixes: prefixes.slice(0, perDay),
    scores: ['high'],
    ...extra,
  };
}

/** `10 days × 100 prefixes × 1 score`. */
export function shapeOf(body: IntentTaskBody): string {
  return `${body.days.length} days × ${body.topic_id_prefixes.length} prefixes × ${body.scores.length} score${body.scores.length > 1 ? 's' : ''}`;
}

/** Partitions a task body covers. */
export function partitionCount(body: IntentTaskBody): number {
  return body.days.length * body.topic_id_prefixes.length * body.scores.length;
}
