import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';
type Db = Kysely<Database> | Transaction<Database>;

/**
 * An organisation's tasks that have not expired: every read or move of a task on behalf of its
 * organisation starts here, so another organisation's task and an expired one are equally unknown.
 */
export function liveTasks(db: Db, organizationId: string, now: string) {
  return db.selectFrom('tasks').where('organizationId', '=', organizationId).where('expiresAt', '>', now);
}

/** The organisation's live task, its row locked for the transaction's moves (see `lockTask`). */
export function lockLiveTask(
  trx: Transaction<Database>,
  dialect: Dialect,
  organizationId: string,
  taskId: string,
  now: string,
) {
  const query = liveTasks(trx, organizationId, now).selectAll().where('id', '=', taskId);
  return (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
}

/** Serialises moves of one task: PostgreSQL locks the row; SQLite transactions are serial already. */
export function lockTask(trx: Transaction<Database>, dialect: Dialect, taskId: string) {
  const query = trx.selectFrom('tasks').selectAll().where('id', '=', taskId);
  return (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
}
