import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { PasswordChange, PasswordChangeResult, SessionRecord, SessionStore } from './session-records.ts';

/** Login sessions (see `SessionStore`): one row per login, ended by a logout or a password change. */
export class SessionQueries implements SessionStore {
  constructor(private readonly db: Kysely<Database>) {}

  insertSession(session: Omit<SessionRecord, 'endedAt'>, passwordHash: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // Holds the user's row while its hash is still the one the login checked, in one statement
      // that changes nothing: PostgreSQL locks the row (a password change holding it makes this wait,
      // then find the new hash: no session; a change that comes later waits for this session, then
      // ends it); SQLite takes its write lock, so another process's change cannot slip in between.
      const held = await trx
        .updateTable('users')
        .set((eb) => ({ passwordHash: eb.ref('passwordHash') }))
        .where('id', '=', session.userId)
        .where('passwordHash', '=', passwordHash)
        .executeTakeFirst();
      if (Number(held.numUpdatedRows) === 0) return false;
      await trx
        .deleteFrom('sessions')
        .where('userId', '=', session.userId)
        .where('expiresAt', '<=', session.createdAt)
        .execute();
      await trx
        .insertInto('sessions')
        .values({ ...session, endedAt: null })
        .execute();
      return true;
    });
  }

  findSession(sessionId: string): Promise<SessionRecord | undefined> {
    return this.db.selectFrom('sessions').selectAll().where('id', '=', sessionId).executeTakeFirst();
  }

  async endSession(sessionId: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('sessions')
      .set({ endedAt: at })
      .where('id', '=', sessionId)
      .where('endedAt', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  changePassword(change: PasswordChange): Promise<PasswordChangeResult> {
    return this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('users')
        .set({ passwordHash: change.newHash })
        .where('id', '=', change.userId)
        .where('passwordHash', '=', change.oldHash)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return { changed: false };
      const ended = await trx
        .updateTable('sessions')
        .set({ endedAt: change.at })
        .where('userId', '=', change.userId)
        .where('id', '!=', change.keepSessionId)
        .where('endedAt', 'is', null)
        .where('expiresAt', '>', change.at)
        .executeTakeFirst();
      return { changed: true, sessionsEnded: Number(ended.numUpdatedRows) };
    });
  }
}
