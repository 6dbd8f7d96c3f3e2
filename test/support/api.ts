import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { type RunningServer, type ServiceHooks, startServer } from '../../src/server.ts';

export interface TestServer {
  server: RunningServer;
  url: string;
  dataDir: string;
  intentTree: string;
  close(): Promise<void>;
}

/** A real server on a free port over its own SQLite file and export folder, reading the shared tree. */
export async function startTestServer(
  env: Record<string, string> = {},
  hooks: ServiceHooks = {},
): Promise<TestServer> {
  // A given DATA_DIR is a restart's: it is the caller's to remove.
  const dataDir = env.DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-test-'));
  const intentTree = inject('intentTree');
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    DEMO_DATA: '0',
    INTENT_INPUT_PATH: intentTree,
    LOCAL_INPUT_ROOTS: `${dataDir},${intentTree}`,
    LOG_LEVEL: 'silent',
    WORKER_CONCURRENCY: '2',
    DUCKDB_THREADS: '2',
    DUCKDB_MEMORY_LIMIT: '1GB',
    // Tests poll statuses quickly; the limit itself is tested with a low value.
    RATE_LIMIT_PER_MINUTE: '100000',
    ...env,
  });
  const server = await startServer(config, hooks);
  return {
    server,
    url: server.url,
    dataDir,
    intentTree,
    async close() {
      await server.close();
      if (env.DATA_DIR === undefined) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A task's jobs by phase, as an embedded server's SQLite file in `dataDir` holds them (read on its own connection). */
export function jobsByPhase(dataDir: string, taskId: string): Record<string, number> {
  const db = new Database(path.join(dataDir, 'audiences.sqlite'), { readonly: true });
  try {
    const rows = db
      .prepare('SELECT phase, count(*) AS n FROM jobs WHERE task_id = ? GROUP BY phase')
      .all(taskId) as Array<{ phase: string; n: number }>;
    return Object.fromEntries(rows.map((row) => [row.phase, row.n]));
  } finally {
    db.close();
  }
}

// biome-ignore lint/suspicious/noExplicitAny: tests read answers as loose JSON and assert on them
export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A JSON HTTP call; the body is parsed when it is JSON. */
// biome-ignore lint/suspicious/noExplicitAny: see Reply
export async function call<T = any>(
  url: string,
  method: string,
  pathname: string,
  options: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(url + pathname, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: parsed as T };
}

export interface Account {
  email: string;
  password: string;
  organizationId: string;
  token: string;
  apiKey: string;
  clientId: string;
}

let accounts = 0;

/** Registers a user with its organisation, logs in and creates an API client. */
export async function signUp(url: string, organization = 'Acme'): Promise<Account> {
  accounts += 1;
  const email = `user${accounts}-${Date.now()}@example.com`;
  const password = 'violet-Tangerine-Harbor-42';
  const registered = await call(url, 'POST', '/auth/v1/register', {
    body: { email, password, first_name: 'Ada', last_name: 'Lovelace', organization_name: organization },
  });
  if (registered.status !== 201)
    throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
  const login = await call(url, 'POST', '/auth/v1/login', { body: { email, password } });
  const client = await call(url, 'POST', '/client/v1', {
    body: { name: 'tests' },
    headers: { authorization: `Bearer ${login.body.token}` },
  });
  return {
    email,
    password,
    organizationId: registered.body.organization_id,
    token: login.body.token,
    apiKey: client.body.api_key,
    clientId: client.body.client_id,
  };
}

/** Task API calls with an API key. */
export function apiClient(url: string, apiKey: string) {
  const headers = { 'x-api-key': apiKey };
  return {
    post: (pathname: string, body?: unknown) => call(url, 'POST', pathname, { body, headers }),
    get: (pathname: string) => call(url, 'GET', pathname, { headers }),
    patch: (pathname: string, body: unknown) => call(url, 'PATCH', pathname, { body, headers }),
    delete: (pathname: string) => call(url, 'DELETE', pathname, { headers }),
    /** Creates an intent task (202 expected) and returns its id. */
    async createIntentTask(body: Record<string, unknown>): Promise<string> {
      const created = await call(url, 'POST', '/api/v1/intent_hive_tasks', { body, headers });
      if (created.status !== 202)
        throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
      return created.body.task_id;
    },
    /**
     * Waits for the task to reach one of `statuses` with the API's long polling: each read sends
     * the ETag of the previous answer and waits for the next change.
     */
    async waitFor(taskId: string, statuses: string[], timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      // biome-ignore lint/suspicious/noExplicitAny: see Reply
      let last: any;
      let etag: string | undefined;
      for (;;) {
        const reply = await call(url, 'GET', `/api/v1/status/${taskId}${etag ? '?wait=5' : ''}`, {
          headers: etag ? { ...headers, 'if-none-match': etag } : headers,
        });
        if (reply.status === 304) {
          if (Date.now() > deadline) throw new Error(`task still ${last.status} after ${timeoutMs} ms`);
          continue;
        }
        if (reply.status !== 200) throw new Error(`status ${reply.status}: ${JSON.stringify(reply.body)}`);
        last = reply.body;
        etag = reply.headers.get('etag') ?? undefined;
        if (statuses.includes(last.status)) return last;
        if (last.status === 'failed' && !statuses.includes('failed')) {
          throw new Error(`task failed: ${JSON.stringify(last.error)}`);
        }
        if (last.status === 'completed') throw new Error(`task completed, expected ${statuses.join(' or ')}`);
        if (Date.now() > deadline) throw new Error(`task still ${last.status} after ${timeoutMs} ms`);
      }
    },
  };
}
