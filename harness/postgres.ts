import pg from 'pg';

/**
 * A PostgreSQL server tests and the chaos run may create databases on (each test file, test or run
 * gets a database of its own and drops it after). The default is the local server of the
 * development machine and of CI.
 */
export const POSTGRES_ADMIN_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs one statement on its own connection and returns its rows. */
export async function query<T extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  statement: string,
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(statement)).rows;
  } finally {
    await client.end();
  }
}

/** The URL of `database` on the admin server. */
export function databaseUrl(database: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}
