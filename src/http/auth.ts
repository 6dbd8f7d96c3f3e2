import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccountService, KeyCheck, Principal } from '../accounts/account-service.ts';
import { API_KEY_PREFIX, looksLikeKey } from '../accounts/api-keys.ts';
import { AppError } from '../errors.ts';
import { sessionPrincipal } from './session-cookie.ts';

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
    'API keys cannot manage API clients (so a leaked key cannot make more): send Authorization: ' +
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

/** Task routes: an API key, or a user's JWT (in the Authorization header or the console's session cookie). */
export function requireApiAccess(accounts: AccountService) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const key = request.headers['x-api-key'];
    const token = bearer(request);
    if (typeof key === 'string') {
      const check = await accounts.authenticateKey(key);
      if ('refused' in check) throw new AppError('unauthorized', keyRefusal(key, check));
      request.principal = check.principal;
    } else if (token !== undefined) {
      if (token) request.principal = await accounts.authenticateToken(token);
      if (!request.principal) throw new AppError('unauthorized', bearerRefusal(token));
    } else {
      request.principal = await sessionPrincipal(accounts, request);
    }
    if (!request.principal) throw new AppError('unauthorized', UNAUTHORIZED);
  };
}

/**
 * Account routes (API clients): a user's JWT only (header or session cookie), so a leaked key cannot
 * mint more keys.
 */
export function requireUser(accounts: AccountService) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const token = bearer(request);
    if (token !== undefined) {
      if (token) request.principal = await accounts.authenticateToken(token);
      if (!request.principal) {
        const keyInstead = looksLikeKey(token) || token.startsWith(API_KEY_PREFIX);
        throw new AppError('unauthorized', keyInstead ? REFUSALS.keyForAccounts : bearerRefusal(token));
      }
    } else {
      request.principal = await sessionPrincipal(accounts, request);
    }
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
