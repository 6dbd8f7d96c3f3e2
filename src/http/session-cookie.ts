import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccountService, Principal } from '../accounts/account-service.ts';
import { AppError } from '../errors.ts';

/** The cookie that carries a browser session's JWT; scripts cannot read it (`HttpOnly`). */
export const SESSION_COOKIE = 'audiences_session';

/** The header a browser session sends its CSRF token in, on every request that is not a read. */
export const CSRF_HEADER = 'x-csrf-token';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The refusal of a login token (or session cookie) whose session was ended. */
export const SESSION_ENDED =
  'this login session has ended (logged out, or the password was changed since): log in again ' +
  '(POST /auth/v1/login, `audiences login`, or the console) for a new token';

/**
 * Sets the session cookie: `HttpOnly` (no script reads it), `SameSite=Strict` (no other site's page
 * sends it), `Secure` when the request came over https, expiring with the token.
 */
export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  expiresAt: Date,
): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
    path: '/',
    expires: expiresAt,
  });
}

/** Removes the session cookie from the browser. */
export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, {
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
    path: '/',
  });
}

/** The session JWT the request's cookie holds, if any. */
export function sessionToken(request: FastifyRequest): string | undefined {
  const token = request.cookies?.[SESSION_COOKIE];
  return token ? token : undefined;
}

/**
 * The user of a browser session, or undefined without a session cookie or with an invalid one. A
 * request that changes something must also carry the session's CSRF token: the cookie alone could
 * be a forged request from another page, the header only a script of the console's origin can set.
 *
 * @throws AppError `session_ended` when the cookie's session was ended (logged out elsewhere, or the
 *   password changed); `csrf_failed` when a valid session makes a non-read request without its token
 */
export async function sessionPrincipal(
  accounts: AccountService,
  request: FastifyRequest,
): Promise<Principal | undefined> {
  const token = sessionToken(request);
  if (!token) return undefined;
  const check = await accounts.authenticateToken(token);
  if ('refused' in check) {
    if (check.refused === 'ended') throw new AppError('session_ended', SESSION_ENDED);
    return undefined;
  }
  const { principal } = check;
  if (READS.has(request.method)) return principal;
  const presented = request.headers[CSRF_HEADER];
  if (typeof presented !== 'string' || !accounts.csrfMatches(token, presented)) {
    throw new AppError(
      'csrf_failed',
      `a request with the session cookie must send the ${CSRF_HEADER} header from GET /auth/v1/session`,
    );
  }
  return principal;
}
