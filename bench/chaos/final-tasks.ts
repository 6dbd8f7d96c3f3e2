import pMap from 'p-map';
import { sleep } from '../stats.ts';
import type { ChaosClient } from './client.ts';
import type { Checks, Detail, FinalTask } from './verify.ts';
import type { Organisation, TaskSpec, TrackedTask } from './workload.ts';

/** Waits until no task of any organisation is in work (true), or the deadline passes (false). */
export async function drain(
  client: ChaosClient,
  organisations: readonly Organisation[],
  deadline: number,
  log: (message: string) => void,
): Promise<boolean> {
  let lastLog = 0;
  while (Date.now() < deadline) {
    const statuses = await listStatuses(client, organisations);
    const working = [...statuses.values()].filter((s) => s === 'in_progress' || s === 'unloading').length;
    if (working === 0) return true;
    if (Date.now() - lastLog > 15_000) {
      log(`${working} of ${statuses.size} tasks still in work`);
      lastLog = Date.now();
    }
    await sleep(2_000);
  }
  return false;
}

/**
 * Every task of every organisation as the API lists it, with its final detail: the tasks whose id
 * a client got back, and those created by a retried create whose answer was lost. Checks that the
 * lists hold every tracked task and every task of the store, and that none is still in work.
 */
export async function finalTasks(options: {
  client: ChaosClient;
  organisations: readonly Organisation[];
  tracked: readonly TrackedTask[];
  storeTasks: ReadonlyArray<{ id: string; organizationId: string; status: string }>;
  /** Tasks checked elsewhere (the runs of scheduled audiences). */
  skip?: ReadonlySet<string>;
  checks: Checks;
}): Promise<FinalTask[]> {
  const { client, organisations, storeTasks, checks } = options;
  const listed = await listAll(client, organisations);
  for (const id of options.skip ?? []) listed.delete(id);
  const tracked = new Map(options.tracked.map((task) => [task.id, task]));
  const orgOf = new Map(storeTasks.map((task) => [task.id, task.organizationId]));
  const finals = await pMap(
    [...listed.entries()],
    async ([id, org]): Promise<FinalTask> => {
      const reply = await client.call('GET', `/api/v1/status/${id}`, { apiKey: organisations[org]!.apiKey });
      const detail = reply.body as Detail;
      const known = tracked.get(id);
      return {
        id,
        org,
        organizationId: orgOf.get(id) ?? '',
        kind: known?.kind ?? 'untracked',
        spec: known?.spec ?? specOf(detail),
        tracked: known,
        detail,
      };
    },
    { concurrency: 8 },
  );
  for (const task of options.tracked) {
    checks.check(
      'every task id a client got back is listed by the API',
      listed.has(task.id),
      task.id,
      () => `task ${task.id} (${task.kind}) is not in its organisation's list`,
    );
  }
  const unlisted = storeTasks.filter((task) => !listed.has(task.id));
  checks.check('the API lists every task of the store', unlisted.length === 0, undefined, () =>
    unlisted.map((task) => `${task.id} (${task.status})`).join(', '),
  );
  const unfinished = finals.filter((task) => ['in_progress', 'unloading'].includes(task.detail.status));
  checks.check(
    'every task finished before the deadline',
    unfinished.length === 0,
    undefined,
    () =>
      `${unfinished.length} tasks still in work: ${unfinished.map((task) => `${task.id} ${task.detail.status}`).join(', ')}`,
  );
  return finals;
}

/** Task id → status, every organisation's whole list (pages of 100). */
async function listStatuses(client: ChaosClient, organisations: readonly Organisation[]) {
  const statuses = new Map<string, string>();
  for (const org of organisations) {
    for await (const task of pages(client, org)) statuses.set(task.task_id, task.status);
  }
  return statuses;
}

/** Task id → index of its organisation. */
async function listAll(client: ChaosClient, organisations: readonly Organisation[]) {
  const owners = new Map<string, number>();
  for (const [i, org] of organisations.entries()) {
    for await (const task of pages(client, org)) owners.set(task.task_id, i);
  }
  return owners;
}

async function* pages(client: ChaosClient, org: Organisation) {
  let cursor: string | null = null;
  do {
    const query: string = `/api/v1/status?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const reply = await client.call('GET', query, { apiKey: org.apiKey });
    if (reply.status !== 200) throw new Error(`GET ${query}: ${reply.status} ${JSON.stringify(reply.body)}`);
    yield* reply.body.tasks as Array<{ task_id: string; status: string }>;
    cursor = reply.body.next_cursor;
  } while (cursor);
}

/** The spec of a task no client tracked, from the request its detail shows. */
function specOf(detail: Detail): TaskSpec {
  const r = detail.request;
  return {
    days: r.days,
    prefixes: r.topic_id_prefixes,
    scores: r.scores,
    where: r.where_expr,
    select: r.select,
    limit: r.limit,
    performUnload: r.perform_unload,
  };
}
