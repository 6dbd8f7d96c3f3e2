import type { PostgresPool, PostgresPoolClient } from 'kysely';
import { AppError } from '../errors.ts';

/**
 * Errors that say the database cannot be reached right now (stopped, restarting, failing over,
 * unreachable), as opposed to a query it refused: a caller answers 503 and tries again later, a
 * worker's loops try again at their next turn.
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);

/**
 * PostgreSQL's SQLSTATEs of a server going away or not taking connections yet: class 08 (connection
 * exception) and 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now).
 */
function unavailableState(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03';
}

/** How node-postgres's messages begin when a connection ends or never comes (no code attached). */
const MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
];

export function isStoreUnavailable(error: unknown): boolean {
  // Already told apart by the pool (`translatingPool`).
  if (error instanceof AppError && error.code === 'store_unavailable') return true;
  let cause = error;
  for (let depth = 0; cause instanceof Error && depth < 4; depth += 1) {
    const { code, message } = cause as Error & { code?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || unavailableState(code))) return true;
    if (MESSAGES.some((start) => message.startsWith(start))) return true;
    // AggregateError (a connection tried on several addresses) and wrapped causes.
    cause = cause instanceof AggregateError ? cause.errors[0] : cause.cause;
  }
  return false;
}

/** The error a caller gets when the database cannot be reached: a 503 that says to try again. */
export function storeUnavailable(): AppError {
  return new AppError('store_unavailable', 'the database did not answer; try again shortly', [], {
    'retry-after': '5',
  });
}

function translated(error: unknown): unknown {
  return isStoreUnavailable(error) ? storeUnavailable() : error;
}

/**
 * The pool as Kysely sees it, with every error of a database that cannot be reached (on connecting,
 * or a connection lost mid-query) turned into {@link storeUnavailable}: the API answers 503 with
 * Retry-After instead of a 500, whichever query met the outage.
 */
export function translatingPool(pool: PostgresPool): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      let client: PostgresPoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw translated(error);
      }
      return {
        query: ((sql: unknown, parameters?: ReadonlyArray<unknown>) => {
          // A cursor (a streamed query) is handed through as it is.
          if (typeof sql !== 'string') return client.query(sql as never);
          return client.query(sql, parameters ?? []).catch((error: unknown) => {
            throw translated(error);
          });
        }) as PostgresPoolClient['query'],
        release: (destroy?: boolean) => client.release(destroy),
      };
    },
    end: () => pool.end(),
  };
}
