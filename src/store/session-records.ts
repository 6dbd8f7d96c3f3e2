/**
 * A user's login session: what a login token (its `sid`) stands for. The token is refused once the
 * session has ended (a logout, a password change elsewhere) or its row is gone, in every process
 * that reads this store.
 */
export interface SessionRecord {
  id: string;
  userId: string;
  organizationId: string;
  createdAt: string;
  /** When its token expires: the row is of no use after that and may be swept. */
  expiresAt: string;
  /** When it was ended; null while it goes on. */
  endedAt: string | null;
}

/** A password change: the new hash replaces the old one only while the old one is still stored. */
export interface PasswordChange {
  userId: string;
  oldHash: string;
  newHash: string;
  /** The session that asks for the change: it goes on; every other session of the user ends. */
  keepSessionId: string;
  at: string;
}

/** What `changePassword` did: nothing (the password changed meanwhile), or the change and the sessions it ended. */
export type PasswordChangeResult = { changed: false } | { changed: true; sessionsEnded: number };

/** Login sessions and the password changes that end them. */
export interface SessionStore {
  /**
   * Records a new session of a user, only while the user's password hash is still `passwordHash`
   * (the one the login was checked against): a login racing a password change either gets a
   * session the change then ends, or none (false). Sweeps the user's sessions that expired by
   * `session.createdAt` on the way.
   */
  insertSession(session: Omit<SessionRecord, 'endedAt'>, passwordHash: string): Promise<boolean>;

  /** The session with this id, ended or not; undefined once swept (or never recorded). */
  findSession(sessionId: string): Promise<SessionRecord | undefined>;

  /** Ends a session; false when it is unknown or already ended (the first end is kept). */
  endSession(sessionId: string, at: string): Promise<boolean>;

  /**
   * Replaces the user's password hash and ends every other session of the user that has not
   * expired, in one transaction; nothing when the stored hash is no longer `oldHash`.
   */
  changePassword(change: PasswordChange): Promise<PasswordChangeResult>;
}
