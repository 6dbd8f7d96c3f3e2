import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { SilentWorkers } from './worker-records.ts';

/** The workers' beats (see `WorkerStore`): one row per live worker process. */
export class WorkerBeats {
  constructor(private readonly db: Kysely<Database>) {}

  async beat(owner: string, now: string): Promise<void> {
    await this.db
      .insertInto('workers')
      .values({ owner, startedAt: now, seenAt: now })
      .onConflict((oc) => oc.column('owner').doUpdateSet({ seenAt: now }))
      .execute();
  }

  async forget(owner: string): Promise<void> {
    await this.db.deleteFrom('workers').where('owner', '=', owner).execute();
  }

  async live(seenSince: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('workers')
      .select('owner')
      .where('seenAt', '>', seenSince)
      .orderBy('owner')
      .execute();
    return rows.map((row) => row.owner);
  }

  endSilent(silentSince: string, now: string): Promise<SilentWorkers> {
    return this.db.transaction().execute(async (trx) => {
      const silent = await trx
        .deleteFrom('workers')
        .where('seenAt', '<=', silentSince)
        .returning('owner')
        .execute();
      const owners = silent.map((row) => row.owner);
      if (owners.length === 0) return { owners, jobs: 0 };
      // The lease ends now: the reconciler's next look finds the jobs, and a claim may take them.
      const ended = await trx
        .updateTable('jobs')
        .set({ leaseExpiresAt: now })
        .where('status', '=', 'running')
        .where('leaseOwner', 'in', owners)
        .where('leaseExpiresAt', '>', now)
        .executeTakeFirst();
      return { owners, jobs: Number(ended.numUpdatedRows) };
    });
  }
}
