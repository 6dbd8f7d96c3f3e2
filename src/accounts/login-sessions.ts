import { randomUUID } from 'node:crypto';
import type { SessionStore } from '../store/store.ts';
import type { Principal } from './principal.ts';
import type { TokenService } from './tokens.ts';

/**
 * What a login token is worth: its user, or why it is refused (`invalid`: not a token of this
 * server, or expired; `ended`: its session was ended by a logout or a password change).
 */
export type TokenCheck = { principal: Principal } | { refused: 'invalid' | 'ended' };

/** A session just opened: the token that names it, and when the token expires. */
export interface OpenedSession {
  token: string;
  expiresAt: Date;
  sessionId: string;
}

/** The user a session is opened for, with the password hash the login was checked against. */
export interface SessionOwner {
  id: string;
  organizationId: string;
  passwordHash: string;
}

/**
 * Login sessions as facts of the store: each token names its session (`sid`), recorded when it is
 * issued, and every request with a token reads that row. An ended session is refused at once by
 * every process that shares the store; there is no cache that could let its token through.
 */
export class LoginSessions {
  constructor(
    private readonly store: SessionStore,
    private readonly tokens: TokenService,
    private readonly clock: () => Date,
  ) {}

  /**
   * Opens a session and signs its token; undefined when the user's password changed since it was
   * checked (the login must then fail: the password it was given is no longer the user's).
   */
  async open(user: SessionOwner): Promise<OpenedSession | undefined> {
    const now = this.clock();
    const sessionId = randomUUID();
    const claims = { userId: user.id, organizationId: user.organizationId, sessionId };
    const { token, expiresAt } = await this.tokens.sign(claims, now);
    const recorded = await this.store.insertSession(
      {
        id: sessionId,
        userId: user.id,
        organizationId: user.organizationId,
        createdAt: now.toISOString(),
        expiresAt: expiresAt.toISOString(),
      },
      user.passwordHash,
    );
    return recorded ? { token, expiresAt, sessionId } : undefined;
  }

  /** The user of a token whose session goes on, or why the token is refused. */
  async check(token: string): Promise<TokenCheck> {
    const claims = await this.tokens.verify(token);
    if (!claims) return { refused: 'invalid' };
    const session = await this.store.findSession(claims.sessionId);
    // The signature is ours, so the session was opened here: ended, or swept after it ended.
    if (!session || session.endedAt !== null) return { refused: 'ended' };
    if (session.userId !== claims.userId || session.organizationId !== claims.organizationId) {
      return { refused: 'invalid' };
    }
    const { userId, organizationId, sessionId } = claims;
    return { principal: { organizationId, userId, sessionId } };
  }

  /** Ends a session: its token is refused from the next request on. False when it had ended already. */
  end(sessionId: string): Promise<boolean> {
    return this.store.endSession(sessionId, this.clock().toISOString());
  }
}
