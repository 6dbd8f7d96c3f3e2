import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccountService, KeyCheck, Principal } from '../accounts/account-service.ts';
import { API_KEY_PREFIX, looksLikeKey } from '../accounts/api-keys.ts';
import { requireScope } from '../accounts/api-scopes.ts';
import type { ApiScope } from '../contract/account-schemas.ts';
import { AppError } from '../errors.ts';
import { SESSION_ENDED, sessionPrincipal } from './session-cookie.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const UNAUTHORIZED = 'send a valid X-API-Key header (or Authorization: Bearer <token> from /auth/v1/login)';
const NEW_KEY =
  'create one with POST /client/v1 (a login token), `audiences keys create`, or the console\'s "API keys" page';

/**
 * Why a request is refused, in words that say what to do. Each answer is about the credential the
 * request itself sent, so it tells nothing of other keys or organisations.
 */
const REFUSALS = {
  revokedKey: `the API key in X-API-Key was revoked; ${NEW_KEY}, and send it instead`,
  unknownKey:
    `the API key in X-API-Key is not a key of this server: check that it was copied whole ` +
    `(${API_KEY_PREFIX} and 43 more characters) and comes from this server; or ${NEW_KEY}`,
  tokenAsKey:
    'X-API-Key holds a login token, not an API key: send the token as Authorization: Bearer <token>, ' +
    `or send an API key (${API_KEY_PREFIX}…) in X-API-Key`,
  keyAsBearer:
    'Authorization: Bearer takes a login token (POST /auth/v1/login), and this is an API key: send it ' +
    'in the X-API-Key header instead',
  badBearer:
    'the login token in Authorization: Bearer has expired or is not valid; log in again ' +
    '(POST /auth/v1/login), or send an API key in X-API-Key',
  notBearer: 'the Authorization header must be "Bearer <token>" with a token from POST /auth/v1/login',
  keyForAccounts:
    'API keys cannot manage API clients, passwords or logins (so a leaked key cannot make more keys, ' +
    'whatever its scopes): send Authorization: ' +
    'Bearer <token> with a login token from POST /auth/v1/login',
} as const;

/** A JWT's shape: three base64url parts, the first a JSON object (`eyJ`). */
const JWT = /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/;

/** The token of `Authorization: Bearer <token>`; '' for another scheme or none; undefined without the header. */
function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const [scheme, token] = header.split(' ');
  return scheme?.toLowerCase() === 'bearer' && token ? token : '';
}

/** The refusal of an `Authorization` header that named no user. */
function bearerRefusal(token: string): string {
  if (token === '') return REFUSALS.notBearer;
  return looksLikeKey(token) || token.startsWith(API_KEY_PREFIX) ? REFUSALS.keyAsBearer : REFUSALS.badBearer;
}

/** The refusal of an `X-API-Key` that named no client. */
function keyRefusal(key: string, check: Exclude<KeyCheck, { principal: Principal }>): string {
  if (check.refused === 'revoked') return REFUSALS.revokedKey;
  return JWT.test(key) ? REFUSALS.tokenAsKey : REFUSALS.unknownKey;
}

/**
 * The user of a login token whose session goes on. An ended session is refused as such (the token
 * was right, and logging in again is the cure); anything else with `refusal`.
 */
async function userOf(accounts: AccountService, token: string, refusal: string): Promise<Principal> {
  const check = token ? await accounts.authenticateToken(token) : undefined;
  if (check && 'principal' in check) return check.principal;
  if (check?.refused === 'ended') throw new AppError('session_ended', SESSION_ENDED);
  throw new AppError('unauthorized', refusal);
}

/** The caller of an API route: an API key, else a user's JWT (Authorization header, else the session cookie). */
async function apiCaller(accounts: AccountService, request: FastifyRequest): Promise<Principal> {
  const key = request.headers['x-api-key'];
  const token = bearer(request);
  if (typeof key === 'string') {
    const check = await accounts.authenticateKey(key);
    if ('refused' in check) throw new AppError('unauthorized', keyRefusal(key, check));
    return check.principal;
  }
  if (token !== undefined) return userOf(accounts, token, bearerRefusal(token));
  const session = await sessionPrincipal(accounts, request);
  if (!session) throw new AppError('unauthorized', UNAUTHORIZED);
  return session;
}

/**
 * API routes: an API key that holds `scope`, or a user's JWT (in the Authorization header or the
 * console's session cookie), which holds every scope.
 */
export function requireApiAccess(accounts: AccountService, scope: ApiScope) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const principal = await apiCaller(accounts, request);
    requireScope(principal, scope);
    request.principal = principal;
  };
}

/**
 * Account routes (API clients, password, logout): a user's JWT only (header or session cookie), so
 * a leaked key cannot mint more keys, whatever its scopes.
 */
export function requireUser(accounts: AccountService) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const token = bearer(request);
    if (token !== undefined) {
      const keyInstead = looksLikeKey(token) || token.startsWith(API_KEY_PREFIX);
      request.principal = await userOf(
        accounts,
        token,
        keyInstead ? REFUSALS.keyForAccounts : bearerRefusal(token),
      );
      return;
    }
    request.principal = await sessionPrincipal(accounts, request);
    if (!request.principal) {
      throw new AppError(
        'unauthorized',
        request.headers['x-api-key'] === undefined
          ? 'send Authorization: Bearer <token> from POST /auth/v1/login'
          : REFUSALS.keyForAccounts,
      );
    }
  };
}

/** The caller set by the auth hook; routes behind it always have one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('unauthorized', UNAUTHORIZED);
  return request.principal;
}

/** How the API routes may be called (OpenAPI `security`): an API key, or a user's bearer token. */
export const API_SECURITY: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }];
