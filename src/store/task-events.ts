import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database } from './schema.ts';
import { MANIFEST_PARTITION, type TaskEventType } from './store.ts';

/** The event a task's move into a status causes; other statuses cause none. */
const EVENT_OF_STATUS: Readonly<Record<string, TaskEventType>> = {
  counted: 'task.counted',
  completed: 'task.completed',
  failed: 'task.failed',
  cancelled: 'task.cancelled',
};

/**
 * The outbox's hook point: called inside the transaction that moved a task from `from` to `to`,
 * after the task's row was written. When the new status has an event, records it for every webhook
 * of the task's organisation subscribed to it. A later `cancel` calls it with `to: 'cancelled'`.
 */
export async function taskStatusChanged(
  trx: Transaction<Database>,
  taskId: string,
  from: string,
  to: string,
  now: string,
): Promise<void> {
  const type = EVENT_OF_STATUS[to];
  if (from === to || !type) return;
  await recordTaskEvent(trx, taskId, type, now);
  const runEvent = RUN_EVENT_OF_STATUS[to];
  if (runEvent) await recordTaskEvent(trx, taskId, runEvent, now);
}

/** The event a saved audience's run causes when its task ends. */
const RUN_EVENT_OF_STATUS: Readonly<Record<string, TaskEventType>> = {
  completed: 'audience.run.completed',
  failed: 'audience.run.failed',
};

/**
 * Writes one delivery row per webhook of the task's organisation subscribed to `type`, sharing one
 * event id (the `webhook-id` of every attempt) and one body frozen now from the task's row as the
 * transaction sees it: a redelivery, by any process, sends the same id and bytes.
 */
export async function recordTaskEvent(
  trx: Transaction<Database>,
  taskId: string,
  type: TaskEventType,
  now: string,
): Promise<void> {
  const task = await trx
    .selectFrom('tasks')
    .select([
      'id',
      'organizationId',
      'status',
      'totalCount',
      'figures',
      'createdAt',
      'updatedAt',
      'completedAt',
      'request',
    ])
    .where('id', '=', taskId)
    .executeTakeFirst();
  if (!task) return;
  const run = (JSON.parse(task.request) as { audience?: Record<string, unknown> }).audience;
  // Only a saved audience's run causes its events.
  if (type.startsWith('audience.') && !run) return;
  // A completed export wrote a manifest (its file row has the partition ''): the event names the
  // API route that signs a fresh link to it, since a signed link could expire before a redelivery.
  const manifest =
    (type === 'task.completed' || type === 'audience.run.completed') &&
    (await trx
      .selectFrom('files')
      .select('id')
      .where('taskId', '=', taskId)
      .where('partition', '=', MANIFEST_PARTITION)
      .executeTakeFirst()) !== undefined;
  const summary = taskSummary(task, manifest);
  const data = type.startsWith('audience.') ? { ...run, ...summary, ...deltaOf(task.figures) } : summary;
  await recordEvent(trx, { organizationId: task.organizationId, subjectId: taskId, type, data, now });
}

/**
 * The event of a saved audience's slot that was not run (a run was still going, or it could not be
 * planned), written in the transaction that recorded the skipped run.
 */
export async function recordSkippedRun(
  trx: Transaction<Database>,
  run: { id: string; audienceId: string; organizationId: string; slot: string | null; details: unknown },
  now: string,
): Promise<void> {
  const data = {
    audience_id: run.audienceId,
    run_id: run.id,
    scheduled_for: run.slot,
    reason: (run.details as { skipped?: string }).skipped ?? null,
  };
  await recordEvent(trx, {
    organizationId: run.organizationId,
    subjectId: run.id,
    type: 'audience.run.skipped',
    data,
    now,
  });
}

/**
 * Writes one delivery row per webhook of the organisation subscribed to `type`, sharing one event
 * id and one body frozen now.
 */
async function recordEvent(
  trx: Transaction<Database>,
  event: { organizationId: string; subjectId: string; type: TaskEventType; data: unknown; now: string },
): Promise<void> {
  const { organizationId, subjectId, type, data, now } = event;
  const webhooks = await trx
    .selectFrom('webhooks')
    .select(['id', 'events'])
    .where('organizationId', '=', organizationId)
    .execute();
  const subscribed = webhooks.filter((webhook) => (JSON.parse(webhook.events) as string[]).includes(type));
  if (subscribed.length === 0) return;
  const eventId = `msg_${randomUUID().replaceAll('-', '')}`;
  const payload = JSON.stringify({ type, timestamp: now, data });
  await trx
    .insertInto('webhookDeliveries')
    .values(
      subscribed.map((webhook) => ({
        id: randomUUID(),
        webhookId: webhook.id,
        eventId,
        eventType: type,
        taskId: subjectId,
        payload,
        status: 'pending' as const,
        nextAttemptAt: now,
        leaseOwner: null,
        leaseExpiresAt: null,
        createdAt: now,
        updatedAt: now,
      })),
    )
    .execute();
}

interface TaskRow {
  id: string;
  status: string;
  totalCount: number | null;
  figures: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
}

/**
 * The `data` of an event: the task's summary, with `unique_count` only when the task has one
 * (its figures, written by its count job, hold it), and `manifest_url` (a path the deliverer makes
 * absolute with the service's public URL) when its export wrote a manifest.
 */
function taskSummary(task: TaskRow, manifest: boolean) {
  const figures = task.figures === null ? null : (JSON.parse(task.figures) as { unique_count?: unknown });
  const uniqueCount = typeof figures?.unique_count === 'number' ? figures.unique_count : null;
  return {
    task_id: task.id,
    status: task.status,
    total_count: task.totalCount,
    ...(uniqueCount === null ? {} : { unique_count: uniqueCount }),
    ...(manifest ? { manifest_url: manifestPath(task.id) } : {}),
    created_at: task.createdAt,
    updated_at: task.updatedAt,
    completed_at: task.completedAt,
  };
}

/** A delta run's `added`, `removed` and `kept`, from its count's figures; nothing for another task. */
function deltaOf(figures: string | null): Record<string, number> {
  const delta =
    figures === null ? undefined : (JSON.parse(figures) as { delta?: Record<string, number> }).delta;
  return delta ? { added: delta.added!, removed: delta.removed!, kept: delta.kept! } : {};
}

/** The API route that answers with a freshly signed link to a task's manifest. */
export function manifestPath(taskId: string): string {
  return `/api/v1/tasks/${taskId}/manifest`;
}
