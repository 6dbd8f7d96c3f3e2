import { randomUUID } from 'node:crypto';
import type {
  ApiScope,
  ClientCreatedReply,
  ClientView,
  LoginReply,
  PasswordChangedReply,
  RegisterReply,
} from '../contract/account-schemas.ts';
import { AppError, invalidField } from '../errors.ts';
import type { ClientRecord, Store } from '../store/store.ts';
import { issueKey, looksLikeKey, sha256 } from './api-keys.ts';
import { keyScopes } from './api-scopes.ts';
import { LoginSessions, type TokenCheck } from './login-sessions.ts';
import { type LoginAdmission, type LoginThrottle, MemoryLoginThrottle } from './login-throttle.ts';
import { passwordProblem } from './password-policy.ts';
import { decoyHash, hashPassword, verifyPassword } from './passwords.ts';
import type { Principal } from './principal.ts';
import type { TokenService } from './tokens.ts';

export type { Principal } from './principal.ts';

/**
 * What an API key is worth: its client, or why it is refused (`malformed`: not the shape of a key;
 * `unknown`: no client has it; `revoked`: its client was revoked). Only the key's holder hears which.
 */
export type KeyCheck = { principal: Principal } | { refused: 'malformed' | 'unknown' | 'revoked' };

/** Whom a browser session belongs to, by name, as the console's header shows it. */
export interface SessionUser {
  first_name: string;
  last_name: string;
  organization_name: string;
}

/** What a sign-up sends; names are trimmed, the e-mail trimmed and lower-cased. */
export interface RegisterInput {
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  organizationName: string;
}

/**
 * Users, their organisations and API clients: sign-up, login, key management, and turning a key or
 * token into the {@link Principal} that every other request runs as. Errors are {@link AppError}s
 * with the codes of `docs/errors.md`.
 */
export class AccountService {
  private readonly sessions: LoginSessions;

  /**
   * @param throttle - the failed-login counter; a {@link MemoryLoginThrottle} (this process only) unless given
   * @param clock - where time stamps and token expiry come from; a test may fix it
   */
  constructor(
    private readonly store: Store,
    private readonly tokens: TokenService,
    private readonly throttle: LoginThrottle = new MemoryLoginThrottle(),
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.sessions = new LoginSessions(store, tokens, clock);
  }

  /**
   * Creates a user and a new organisation it belongs to, and answers both (never the password).
   *
   * @throws AppError `validation_failed` on the `password` field when the password policy refuses it
   *   (the message says what to change); `email_taken` when the e-mail (in any letter case) already has an
   *   account (nothing is created).
   */
  async register(input: RegisterInput): Promise<RegisterReply> {
    const problem = await passwordProblem(input.password, {
      email: normaliseEmail(input.email),
      names: [input.firstName, input.lastName, input.organizationName],
    });
    if (problem) throw invalidField('password', problem);
    const now = this.clock().toISOString();
    const organization = { id: randomUUID(), name: input.organizationName.trim(), createdAt: now };
    const user = {
      id: randomUUID(),
      organizationId: organization.id,
      email: normaliseEmail(input.email),
      passwordHash: await hashPassword(input.password),
      firstName: input.firstName.trim(),
      lastName: input.lastName.trim(),
      createdAt: now,
    };
    if (!(await this.store.createOrganizationWithUser(organization, user))) {
      throw new AppError('email_taken', 'an account with this e-mail already exists; log in instead');
    }
    return {
      user_id: user.id,
      organization_id: organization.id,
      organization_name: organization.name,
      email: user.email,
      first_name: user.firstName,
      last_name: user.lastName,
      created_at: now,
    };
  }

  /**
   * Exchanges e-mail and password for a signed JWT (HS256) that names a new login session, and its
   * expiry. The session goes on until the token expires, a logout ends it, or a password change does.
   *
   * @param address - the client's IP address, throttled alongside the e-mail
   * @throws AppError `invalid_credentials` for an unknown e-mail and for a wrong password alike (same
   *   message, same time cost), saying how many tries remain before a wait (also in the
   *   `Attempts-Remaining` header) or how long the next one must wait; `rate_limited` with
   *   `Retry-After` while such a wait is in force, even when the password is right (see
   *   `docs/login-throttling.md`). Attempts still being checked count as failures, so concurrent
   *   guesses cannot outrun the allowance.
   */
  async login(email: string, password: string, address: string): Promise<LoginReply> {
    const normalised = normaliseEmail(email);
    const attemptId = randomUUID();
    const admission = await this.admit(normalised, address, attemptId);
    const user = await this.store.findUserByEmail(normalised);
    // Unknown e-mails pay for a hash too, so timing does not tell which e-mails exist.
    const valid = await verifyPassword(user?.passwordHash ?? (await decoyHash()), password);
    // A failure is already counted (by `begin`); only a success has anything to undo. A password
    // changed between the check and the session's record makes this one wrong after all.
    const session = user && valid ? await this.sessions.open(user) : undefined;
    if (!user || !session) throw invalidCredentials(admission.remaining, admission.waitAfterFailure);
    await this.throttle.succeeded(normalised, address, attemptId);
    return {
      user_id: user.id,
      organization_id: user.organizationId,
      token: session.token,
      token_type: 'Bearer',
      expires_at: session.expiresAt.toISOString(),
    };
  }

  /**
   * Changes the password of the caller (a user's login) and ends every other session of the user;
   * the caller's own goes on. The current password is checked as a login checks one: counted by the
   * login throttle against the user's e-mail and `address`, so a stolen session cannot guess faster
   * than a login could.
   *
   * @throws AppError `rate_limited` (with `Retry-After`) while the throttle makes the e-mail wait;
   *   `current_password_wrong` naming `current_password`, with the tries left; `validation_failed`
   *   naming `new_password` when it is the current one or the password policy refuses it;
   *   `session_ended` when the caller is no user session.
   */
  async changePassword(
    principal: Principal,
    passwords: { current: string; next: string },
    address: string,
  ): Promise<PasswordChangedReply> {
    const user = principal.userId && (await this.store.findUserWithOrganization(principal.userId));
    if (!user || !principal.sessionId) {
      throw new AppError('session_ended', 'this login session has ended; log in again (POST /auth/v1/login)');
    }
    const attemptId = randomUUID();
    const admission = await this.admit(user.email, address, attemptId);
    if (!(await verifyPassword(user.passwordHash, passwords.current))) {
      throw currentPasswordWrong(admission);
    }
    await this.throttle.succeeded(user.email, address, attemptId);
    if (passwords.next === passwords.current) {
      throw invalidField('new_password', 'is your current password; choose another one');
    }
    const problem = await passwordProblem(passwords.next, {
      email: user.email,
      names: [user.firstName, user.lastName, user.organizationName],
    });
    if (problem) throw invalidField('new_password', problem);
    const at = this.clock().toISOString();
    const result = await this.store.changePassword({
      userId: user.id,
      oldHash: user.passwordHash,
      newHash: await hashPassword(passwords.next),
      keepSessionId: principal.sessionId,
      at,
    });
    // Only another change of the same password, finished between the check and here.
    if (!result.changed) throw currentPasswordWrong(admission);
    return { user_id: user.id, other_sessions_ended: result.sessionsEnded, changed_at: at };
  }

  /** Ends the caller's login session: its token (and cookie) is refused from the next request on. */
  async logout(principal: Principal): Promise<void> {
    if (principal.sessionId) await this.sessions.end(principal.sessionId);
  }

  /** Ends the session of a token, when it is a valid one that goes on (a browser's logout). */
  async endSessionOf(token: string): Promise<void> {
    const check = await this.sessions.check(token);
    if ('principal' in check) await this.logout(check.principal);
  }

  /**
   * Issues an API client for the caller's organisation. The answer is the only time the key and the
   * secret are shown: only their SHA-256 hashes are stored.
   */
  async createClient(
    principal: Principal,
    name: string,
    scopes?: readonly ApiScope[],
  ): Promise<ClientCreatedReply> {
    const issued = issueKey();
    const client: ClientRecord = {
      id: randomUUID(),
      organizationId: principal.organizationId,
      name: name.trim(),
      keyHash: issued.keyHash,
      keyPrefix: issued.keyPrefix,
      secretHash: issued.secretHash,
      scopes: keyScopes(scopes),
      createdBy: principal.userId ?? principal.clientId ?? '',
      createdAt: this.clock().toISOString(),
      revokedAt: null,
    };
    await this.store.insertClient(client);
    return {
      client_id: client.id,
      name: client.name,
      api_key: issued.apiKey,
      api_secret: issued.apiSecret,
      key_prefix: client.keyPrefix,
      scopes: client.scopes,
      created_at: client.createdAt,
    };
  }

  /** The API clients of the caller's organisation, newest first, revoked ones included (with `revoked_at`). */
  async listClients(principal: Principal): Promise<ClientView[]> {
    const clients = await this.store.listClients(principal.organizationId);
    return clients.map((c) => ({
      client_id: c.id,
      name: c.name,
      key_prefix: c.keyPrefix,
      scopes: c.scopes,
      created_at: c.createdAt,
      revoked_at: c.revokedAt,
    }));
  }

  /**
   * Revokes a client of the caller's organisation; its key stops authenticating at once.
   *
   * @throws AppError `not_found` when no active client has that id in the caller's organisation (an
   *   already revoked one, or another organisation's, alike).
   */
  async revokeClient(principal: Principal, clientId: string): Promise<void> {
    const revoked = await this.store.revokeClient(
      principal.organizationId,
      clientId,
      this.clock().toISOString(),
    );
    if (!revoked) throw new AppError('not_found', `no active client ${clientId} in your organisation`);
  }

  /**
   * The API client a key belongs to, or why the key is refused. The key is looked up by its SHA-256,
   * never compared as text, so the time taken tells nothing of stored keys; that a key was revoked is
   * told only to whoever holds that very key.
   */
  async authenticateKey(apiKey: string): Promise<KeyCheck> {
    if (!looksLikeKey(apiKey)) return { refused: 'malformed' };
    const client = await this.store.findClientByKeyHash(sha256(apiKey));
    if (!client) return { refused: 'unknown' };
    if (client.revokedAt !== null) return { refused: 'revoked' };
    return {
      principal: { organizationId: client.organizationId, clientId: client.id, scopes: client.scopes },
    };
  }

  /** The names of a user and of its organisation; undefined for a principal that is no user, or a user gone. */
  async sessionUser(principal: Principal): Promise<SessionUser | undefined> {
    if (!principal.userId) return undefined;
    const user = await this.store.findUserWithOrganization(principal.userId);
    if (!user || user.organizationId !== principal.organizationId) return undefined;
    return { first_name: user.firstName, last_name: user.lastName, organization_name: user.organizationName };
  }

  /** The CSRF token a browser session with this JWT must send on every request that changes something. */
  csrfToken(token: string): string {
    return this.tokens.csrfToken(token);
  }

  /** Whether `presented` is the CSRF token of the session JWT `token`. */
  csrfMatches(token: string, presented: string): boolean {
    return this.tokens.csrfMatches(token, presented);
  }

  /**
   * The user of a login token (JWT) whose session goes on, or why it is refused: `invalid` for an
   * expired, tampered or foreign token, `ended` when its session was ended (a logout, a password
   * change). Reads the session from the store on every call.
   */
  authenticateToken(token: string): Promise<TokenCheck> {
    return this.sessions.check(token);
  }

  /**
   * Lets a password check through the login throttle, or refuses it.
   *
   * @throws AppError `rate_limited` with `Retry-After` while a wait is in force
   */
  private async admit(email: string, address: string, attemptId: string) {
    const admission = await this.throttle.begin(email, address, attemptId);
    if (!admission.allowed) {
      throw new AppError(
        'rate_limited',
        `too many failed logins; try again in ${admission.retryAfter} s`,
        [],
        { 'retry-after': String(admission.retryAfter) },
      );
    }
    return admission;
  }
}

/**
 * The 401 of a failed login: what is left before a wait, or the wait, in words and (the count) in
 * the `Attempts-Remaining` header. Unknown e-mails are counted alike, so it tells nothing of accounts.
 */
function invalidCredentials(remaining: number, waitAfterFailure: number): AppError {
  const next = triesLeft(remaining, waitAfterFailure);
  return new AppError('invalid_credentials', `e-mail or password is wrong; ${next}`, [], {
    'attempts-remaining': String(remaining),
  });
}

/** What a failed password check leaves: tries before a wait, or the wait. */
function triesLeft(remaining: number, waitAfterFailure: number): string {
  return remaining > 0
    ? `${remaining} ${remaining === 1 ? 'try' : 'tries'} left before a wait`
    : `too many failed logins: wait ${waitAfterFailure} s before the next try (each further failure doubles the wait)`;
}

/** The 403 of a wrong current password: it names the field and, like a failed login, what is left. */
function currentPasswordWrong(admission: Extract<LoginAdmission, { allowed: true }>): AppError {
  const { remaining, waitAfterFailure } = admission;
  const message = `is not your current password; ${triesLeft(remaining, waitAfterFailure)}`;
  return new AppError(
    'current_password_wrong',
    `current_password: ${message}`,
    [{ field: 'current_password', message }],
    { 'attempts-remaining': String(remaining) },
  );
}

/** E-mails are compared trimmed and lower-cased, so `Ada@Example.com` is the same account. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
