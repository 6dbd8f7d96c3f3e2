import type { Transaction } from 'kysely';
import type { Dialect } from './live-tasks.ts';
import type { Database } from './schema.ts';

/**
 * Serialises the admissions of one organisation (its tasks in progress, its webhooks) until the
 * transaction ends, so a count it caps cannot change between reading it and inserting.
 * PostgreSQL locks the organisation's row (`FOR NO KEY UPDATE`: foreign-key checks of other inserts
 * do not wait). SQLite takes the database's write lock with a first statement that writes: one
 * process runs its transactions one at a time anyway, and another process on the same file then
 * waits (`busy_timeout`) instead of counting from a stale snapshot.
 */
export async function lockOrganization(
  trx: Transaction<Database>,
  dialect: Dialect,
  organizationId: string,
): Promise<void> {
  if (dialect === 'postgres') {
    await trx
      .selectFrom('organizations')
      .select('id')
      .where('id', '=', organizationId)
      .forNoKeyUpdate()
      .execute();
  } else {
    await trx
      .updateTable('organizations')
      .set((eb) => ({ name: eb.ref('name') }))
      .where('id', '=', organizationId)
      .execute();
  }
}
