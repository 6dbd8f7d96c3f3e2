import { sleep } from '../stats.ts';
import { type ChaosClient, GaveUp } from './client.ts';
import type { Random } from './random.ts';

/** The kinds of task the clients create. */
export const KINDS = [
  'count',
  'filtered_count',
  'export',
  'count_then_unload',
  'limit_export',
  'select_export',
] as const;
export type Kind = (typeof KINDS)[number];

const KIND_WEIGHTS: Record<Kind, number> = {
  count: 17,
  filtered_count: 18,
  export: 20,
  count_then_unload: 17,
  limit_export: 12,
  select_export: 16,
};

/** What a task asks for, as the checks need it (days as YYYY-MM-DD). */
export interface TaskSpec {
  days: string[];
  prefixes: string[];
  scores: string[];
  where: string | null;
  /** Columns exported, in order; null: every column of the files. */
  select: string[] | null;
  limit: number | null;
  performUnload: boolean;
}

/** A task whose id a client got back. */
export interface TrackedTask {
  id: string;
  /** Index of the organisation that created it. */
  org: number;
  kind: Kind;
  spec: TaskSpec;
  body: Record<string, unknown>;
  /** Epoch ms of the 202. */
  createdAt: number;
  /** The create was retried after an attempt that may have reached a server. */
  uncertainCreate: boolean;
  /** For count-then-unload: when the client asked for the export and what it was told. */
  unload?: { at: number; status: number; uncertain: boolean };
  /** What went wrong on the client's side (an unexpected answer, a deadline). */
  problems: string[];
}

export interface Organisation {
  label: string;
  apiKey: string;
}

/** Filters the clients use: data columns only, each one DuckDB and the service's guard both take. */
const WHERES = [
  "country IN ('US', 'DE', 'GB')",
  'intent_score >= 70',
  "seniority IN ('C-Level', 'VP', 'Director')",
  "industry = 'Software' AND intent_score >= 40",
  "event_count > 3 OR country = 'FR'",
  "job_title LIKE '%Engineer%'",
  "intent_score % 3 <> 0 AND country <> 'US'",
  "last_seen >= TIMESTAMP '2024-05-02 12:00:00'",
  "starts_with(company_domain, 'blue') OR intent_score BETWEEN 10 AND 20",
];

/** Column lists of `select`, some with the partition columns (written into the files then). */
const SELECTS = [
  ['person_id', 'hem_sha256'],
  ['person_id', 'topic_id', 'intent_score', 'score'],
  ['hem_sha256', 'company_domain', 'country', 'day'],
  ['person_id', 'last_seen', 'event_count', 'prefix'],
];

const SCORES = ['low', 'medium', 'high'];

/** The days and prefixes of the intent tree the tasks are drawn from. */
export interface TreeShape {
  days: string[];
  prefixes: string[];
}

/**
 * A random task of `kind` over the tree: mostly a few partitions, sometimes (or when `wide` is
 * true) a wide one (every day).
 */
export function randomTask(
  rng: Random,
  kind: Kind,
  tree: TreeShape,
  wide = rng.chance(0.15),
): { spec: TaskSpec; body: Record<string, unknown> } {
  const days = wide ? tree.days : rng.sample(tree.days, rng.int(1, Math.min(2, tree.days.length)));
  const perPrefix = days.length * SCORES.length;
  const prefixes = wide
    ? rng.sample(tree.prefixes, Math.min(tree.prefixes.length, Math.ceil(33 / perPrefix)))
    : rng.sample(tree.prefixes, rng.int(1, Math.min(3, tree.prefixes.length)));
  const scores = wide ? SCORES : rng.sample(SCORES, rng.int(1, 3));
  const filtered =
    kind === 'filtered_count' ||
    (kind === 'export' && rng.chance(0.5)) ||
    (kind === 'count_then_unload' && rng.chance(0.5)) ||
    (kind === 'select_export' && rng.chance(0.4)) ||
    (kind === 'limit_export' && rng.chance(0.3));
  const where = filtered ? rng.pick(WHERES) : null;
  const select = kind === 'select_export' ? rng.pick(SELECTS) : null;
  const limit = kind === 'limit_export' ? rng.int(50, 3000) : null;
  const performUnload = !['count', 'filtered_count', 'count_then_unload'].includes(kind);
  const body: Record<string, unknown> = {
    // Both spellings of a day are accepted; the compact one now and then.
    days: days.map((day) => (rng.chance(0.25) ? day.replaceAll('-', '') : day)),
    topic_id_prefixes: prefixes,
    scores,
    ...(performUnload ? {} : { perform_unload: false }),
    ...(where ? { where_expr: where } : {}),
    ...(select ? { select: select.join(', ') } : {}),
    ...(limit !== null ? { limit } : {}),
  };
  return { spec: { days, prefixes, scores, where, select, limit, performUnload }, body };
}

/** When a task is created (ms from the start), and whether it belongs to the burst before the FLUSHALL. */
export interface Moment {
  atMs: number;
  burst?: boolean;
}

export interface WorkloadOptions {
  /** Draws the tasks (kind, organisation, body): the same sequence for the same seed. */
  rng: Random;
  /** Draws the clients' pauses, whose order depends on timing. */
  jitter: Random;
  client: ChaosClient;
  organisations: readonly Organisation[];
  tree: TreeShape;
  log: (message: string) => void;
}

/** Creates tasks at the given moments and, for count-then-unload tasks, starts their export once counted. */
export class Workload {
  readonly tasks: TrackedTask[] = [];
  /** Creates that got no 202: an answer the client cannot act on, or no answer before the deadline. */
  readonly createFailures: Array<{ org: number; kind: Kind; body: Record<string, unknown>; error: string }> =
    [];
  private readonly followers: Array<Promise<void>> = [];

  constructor(private readonly options: WorkloadOptions) {}

  /**
   * Creates one task at each moment (ms from `start`): a random one, or at a `burst` moment a wide
   * export (jobs enough to queue behind every slot). Resolves when every create and unload
   * is settled.
   */
  async run(start: number, moments: readonly Moment[]): Promise<void> {
    const { rng, organisations, tree } = this.options;
    const creates: Array<Promise<void>> = [];
    for (const [i, { atMs, burst }] of moments.entries()) {
      const wait = start + atMs - Date.now();
      if (wait > 0) await sleep(wait);
      const kind = burst ? 'export' : rng.weighted(KIND_WEIGHTS);
      const org = rng.int(0, organisations.length - 1);
      creates.push(this.create(org, kind, randomTask(rng, kind, tree, burst || undefined)));
      if ((i + 1) % 50 === 0) this.options.log(`${i + 1} of ${moments.length} tasks requested`);
    }
    await Promise.all(creates);
    await Promise.all(this.followers);
  }

  private async create(org: number, kind: Kind, task: ReturnType<typeof randomTask>): Promise<void> {
    const { client, organisations } = this.options;
    try {
      const reply = await client.call('POST', '/api/v1/intent_hive_tasks', {
        apiKey: organisations[org]!.apiKey,
        body: task.body,
      });
      if (reply.status !== 202) {
        this.createFailures.push({
          org,
          kind,
          body: task.body,
          error: `${reply.status} ${JSON.stringify(reply.body)}`,
        });
        return;
      }
      const tracked: TrackedTask = {
        id: reply.body.task_id,
        org,
        kind,
        spec: task.spec,
        body: task.body,
        createdAt: Date.now(),
        uncertainCreate: reply.uncertain,
        problems: [],
      };
      this.tasks.push(tracked);
      if (kind === 'count_then_unload') this.followers.push(this.unloadOnceCounted(tracked));
    } catch (error) {
      if (!(error instanceof GaveUp)) throw error;
      this.createFailures.push({ org, kind, body: task.body, error: error.message });
    }
  }

  /** Follows the task with long polls until it is counted, then asks for its export (once). */
  private async unloadOnceCounted(task: TrackedTask): Promise<void> {
    const { client, organisations, jitter } = this.options;
    const apiKey = organisations[task.org]!.apiKey;
    try {
      let etag: string | undefined;
      for (;;) {
        const reply = await client.call('GET', `/api/v1/status/${task.id}${etag ? '?wait=20' : ''}`, {
          apiKey,
          ...(etag ? { headers: { 'if-none-match': etag } } : {}),
          timeoutMs: 40_000,
        });
        if (reply.status === 304) continue;
        if (reply.status !== 200) {
          task.problems.push(`status read answered ${reply.status} ${JSON.stringify(reply.body)}`);
          return;
        }
        etag = reply.headers.get('etag') ?? undefined;
        if (reply.body.status === 'counted') break;
        if (reply.body.status !== 'in_progress') {
          // A failed task is judged by the end checks: allowed only for a fault it overlapped.
          if (reply.body.status !== 'failed')
            task.problems.push(`waited for counted, the task became ${reply.body.status}`);
          return;
        }
      }
      // A user looks at the count before paying for the export.
      await sleep(jitter.int(0, 2000));
      const unload = await client.call('POST', `/api/v1/tasks/${task.id}/unload`, { apiKey });
      task.unload = { at: Date.now(), status: unload.status, uncertain: unload.uncertain };
      if (unload.status === 202) return;
      // A retried unload whose first attempt went through is told the task is no longer counted.
      if (unload.status === 409 && unload.uncertain) {
        const now = await client.call('GET', `/api/v1/status/${task.id}`, { apiKey });
        if (['unloading', 'completed'].includes(now.body?.status)) return;
      }
      task.problems.push(`unload answered ${unload.status} ${JSON.stringify(unload.body)}`);
    } catch (error) {
      if (!(error instanceof GaveUp)) throw error;
      task.problems.push(error.message);
    }
  }
}
