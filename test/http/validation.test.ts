import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Account,
  apiClient,
  call,
  type Reply,
  signUp,
  startTestServer,
  type TestServer,
} from '../support/api.ts';
import { duck, intentPrefixes } from '../support/duck.ts';

let t: TestServer;
let account: Account;
let api: ReturnType<typeof apiClient>;
let prefix: string;

beforeAll(async () => {
  t = await startTestServer();
  account = await signUp(t.url);
  api = apiClient(t.url, account.apiKey);
  [prefix] = (await intentPrefixes(t.intentTree)) as [string];
});
afterAll(async () => t?.close());

const INTENT = '/api/v1/intent_hive_tasks';
const GENERIC = '/api/v1/generic_parquet_tasks';

/** A valid, small, count-only intent body; tests break one thing at a time. */
function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    days: ['2024-05-01'],
    topic_id_prefixes: [prefix],
    scores: ['high'],
    perform_unload: false,
    ...overrides,
  };
}

function without(field: string): Record<string, unknown> {
  const copy = body();
  delete copy[field];
  return copy;
}

/** An RFC 9457 problem document with the stable fields every client relies on. */
function expectProblem(reply: Reply, status: number, code?: string) {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  expect(reply.headers.get('content-type')).toContain('application/problem+json');
  expect(reply.body).toEqual(
    expect.objectContaining({
      type: expect.any(String),
      title: expect.any(String),
      status,
      detail: expect.any(String),
      code: code ?? expect.any(String),
    }),
  );
}

/** A 400 whose errors[] names `field`. */
function expectFieldError(reply: Reply, field: string, code = 'validation_failed') {
  expectProblem(reply, 400, code);
  const fields = (reply.body.errors ?? []).map((e: { field: string }) => e.field);
  expect(fields, JSON.stringify(reply.body)).toContain(field);
  expect(reply.body.detail).toContain(field);
}

describe('intent task body', () => {
  it('refuses a day that is not a date, naming its index and the accepted formats', async () => {
    const reply = await api.post(INTENT, body({ days: ['2024-05-01', '2024-13-45'] }));
    expectProblem(reply, 400, 'validation_failed');
    expect(reply.body.errors[0].field).toBe('days[1]');
    expect(reply.body.detail).toContain('YYYY-MM-DD');
    expectFieldError(await api.post(INTENT, body({ days: ['2024-02-30'] })), 'days[0]');
    expectFieldError(await api.post(INTENT, body({ days: ['2024-5-1'] })), 'days[0]');
  });

  it('accepts both YYYY-MM-DD and YYYYMMDD', async () => {
    const dashed = await api.post(INTENT, body({ days: ['2024-05-02'] }));
    expect(dashed.status).toBe(202);
    const compact = await api.post(INTENT, body({ days: ['20240502', '2024-05-03'] }));
    expect(compact.status).toBe(202);
    const task = await api.waitFor(compact.body.task_id, ['counted']);
    expect(task.request.days).toEqual(['2024-05-02', '2024-05-03']);
  });

  it('refuses an unknown score, naming scores[i]', async () => {
    const reply = await api.post(INTENT, body({ scores: ['high', 'hgh'] }));
    expectFieldError(reply, 'scores[1]');
    expect(reply.body.detail).toMatch(/low.*medium.*high/);
  });

  it.each(['days', 'topic_id_prefixes', 'scores'])('refuses an empty %s, naming it', async (field) => {
    expectFieldError(await api.post(INTENT, body({ [field]: [] })), field);
  });

  it.each(['days', 'topic_id_prefixes', 'scores'])('refuses a body without %s, naming it', async (field) => {
    expectFieldError(await api.post(INTENT, without(field)), field);
  });

  it('refuses an unknown body field, naming it', async () => {
    expectFieldError(await api.post(INTENT, body({ colour: 'blue' })), 'colour');
    expectFieldError(await api.post(GENERIC, { input_path: t.intentTree, days: ['2024-05-01'] }), 'days');
  });

  it('refuses a limit that is not a positive integer', async () => {
    const unloading = { perform_unload: true };
    expectFieldError(await api.post(INTENT, body({ ...unloading, limit: 0 })), 'limit');
    expectFieldError(await api.post(INTENT, body({ ...unloading, limit: '5' })), 'limit');
    expectFieldError(await api.post(INTENT, body({ ...unloading, limit: 2.5 })), 'limit');
    expectFieldError(await api.post(INTENT, body({ ...unloading, limit: -1 })), 'limit');
  });

  it('refuses a topic prefix that could name another folder', async () => {
    for (const bad of ['a/b', '..', '../etc', `${prefix}/../x`, '', `${prefix}\\x`]) {
      const reply = await api.post(INTENT, body({ topic_id_prefixes: [prefix, bad] }));
      expectProblem(reply, 400, 'validation_failed');
      expect(reply.body.errors[0].field).toMatch(/^topic_id_prefixes(\[1\])?$/);
    }
  });
});

describe('where_expr and select', () => {
  it.each([
    '1=1; DROP TABLE x',
    "read_csv('/etc/passwd') IS NOT NULL",
    '(SELECT 1) = 1',
    "intent_score > 1 OR getenv('HOME') IS NOT NULL",
  ])('refuses where_expr %s', async (where) => {
    expectFieldError(await api.post(INTENT, body({ where_expr: where })), 'where_expr', 'expression_invalid');
  });

  it('refuses a where_expr over a column the input does not have, naming the column', async () => {
    const reply = await api.post(INTENT, body({ where_expr: 'favourite_colour_xyz = 1' }));
    expectFieldError(reply, 'where_expr', 'expression_invalid');
    expect(reply.body.detail).toContain('favourite_colour_xyz');
  });

  it('refuses a select with an unknown column, naming select and the column', async () => {
    const reply = await api.post(INTENT, body({ select: 'person_id, shoe_size_xyz' }));
    expectFieldError(reply, 'select', 'expression_invalid');
    expect(reply.body.detail).toContain('shoe_size_xyz');
  });
});

describe('unique_by and breakdown_by', () => {
  it('refuses a unique_by that is not one known column, naming unique_by', async () => {
    const unknown = await api.post(INTENT, body({ unique_by: 'persn_id' }));
    expectFieldError(unknown, 'unique_by', 'expression_invalid');
    expect(unknown.body.detail).toContain('person_id');
    for (const bad of [
      'person_id, country',
      'lower(country)',
      'person_id AS p',
      '*',
      '',
      'x FROM t',
      '1; DROP TABLE t',
    ]) {
      expectFieldError(await api.post(INTENT, body({ unique_by: bad })), 'unique_by', 'expression_invalid');
    }
    expectFieldError(await api.post(INTENT, body({ unique_by: ['person_id'] })), 'unique_by');
  });

  it('refuses breakdown_by of no, more than 3, unknown or repeated columns, naming the entry', async () => {
    expectFieldError(await api.post(INTENT, body({ breakdown_by: [] })), 'breakdown_by');
    const four = ['country', 'seniority', 'industry', 'job_title'];
    expectFieldError(await api.post(INTENT, body({ breakdown_by: four })), 'breakdown_by');
    expectFieldError(await api.post(INTENT, body({ breakdown_by: 'country' })), 'breakdown_by');
    const unknown = await api.post(INTENT, body({ breakdown_by: ['country', 'shoe_size_xyz'] }));
    expectFieldError(unknown, 'breakdown_by[1]', 'expression_invalid');
    expect(unknown.body.detail).toContain('shoe_size_xyz');
    const twice = await api.post(INTENT, body({ breakdown_by: ['country', 'seniority', 'COUNTRY'] }));
    expectFieldError(twice, 'breakdown_by[2]');
    expect(twice.body.detail).toContain('more than once');
    expectFieldError(
      await api.post(INTENT, body({ breakdown_by: ['country', 'count(*)'] })),
      'breakdown_by[1]',
      'expression_invalid',
    );
  });

  it('refuses unique_by or breakdown_by with a limit, saying what to drop', async () => {
    for (const extra of [{ unique_by: 'person_id' }, { breakdown_by: ['country'] }]) {
      const reply = await api.post(INTENT, body({ ...extra, perform_unload: true, limit: 10 }));
      expectFieldError(reply, 'limit');
      expect(reply.body.detail).toContain(`drop ${Object.keys(extra)[0]}`);
      const generic = await api.post(GENERIC, { input_path: t.intentTree, ...extra, limit: 10 });
      expectFieldError(generic, 'limit');
    }
  });

  it('validates them in an estimate as a create does', async () => {
    const estimate = `${INTENT}/estimate`;
    const ok = await api.post(estimate, body({ unique_by: 'person_id', breakdown_by: ['day', 'country'] }));
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expectFieldError(
      await api.post(estimate, body({ unique_by: 'nobody' })),
      'unique_by',
      'expression_invalid',
    );
    expectFieldError(
      await api.post(`${GENERIC}/estimate`, {
        input_path: t.intentTree,
        breakdown_by: ['country', 'country'],
      }),
      'breakdown_by[1]',
    );
    expectFieldError(await api.post(estimate, body({ breakdown_by: [], limit: 5 })), 'breakdown_by');
  });
});

describe('people exports', () => {
  const people = { unique_by: 'person_id', output: 'people' };

  it('refuses an output that is not rows or people, and people without unique_by', async () => {
    expectFieldError(await api.post(INTENT, body({ output: 'persons' })), 'output');
    const bare = await api.post(INTENT, body({ output: 'people' }));
    expectFieldError(bare, 'unique_by');
    expect(bare.body.detail).toContain('unique_by: "person_id"');
    expectFieldError(await api.post(GENERIC, { input_path: t.intentTree, output: 'people' }), 'unique_by');
  });

  it('refuses the contradictions, saying what to change', async () => {
    const limited = await api.post(INTENT, body({ ...people, perform_unload: true, limit: 10 }));
    expectFieldError(limited, 'limit');
    expect(limited.body.detail).toContain('drop limit');
    const broken = await api.post(INTENT, body({ ...people, breakdown_by: ['country'] }));
    expectFieldError(broken, 'breakdown_by');
    const selected = await api.post(INTENT, body({ ...people, select: 'person_id' }));
    expectFieldError(selected, 'select');
    expect(selected.body.detail).toContain('topic_ids');
    // The task names one prefix and one day: nobody could match two of either.
    const topics = await api.post(INTENT, body({ ...people, min_topics: 2 }));
    expectFieldError(topics, 'min_topics');
    expect(topics.body.detail).toContain('names 1 topic prefixes');
    expectFieldError(await api.post(INTENT, body({ ...people, min_days: 2 })), 'min_days');
    expectFieldError(await api.post(INTENT, body({ ...people, min_days: 0 })), 'min_days');
    expectFieldError(await api.post(INTENT, body({ ...people, min_topics: 1.5 })), 'min_topics');
    for (const field of ['min_topics', 'min_days']) {
      const rows = await api.post(INTENT, body({ unique_by: 'person_id', [field]: 1 }));
      expectFieldError(rows, field);
      expect(rows.body.detail).toContain('output: "people"');
    }
    const latest = await api.post(GENERIC, { input_path: t.intentTree, latest_by: 'last_seen' });
    expectFieldError(latest, 'latest_by');
    // Intent bodies have no latest_by, generic ones no minimums.
    expectFieldError(await api.post(INTENT, body({ ...people, latest_by: 'last_seen' })), 'latest_by');
    expectFieldError(
      await api.post(GENERIC, { input_path: t.intentTree, ...people, min_days: 1 }),
      'min_days',
    );
  });

  it('counts intent people by person_id or hem_sha256, and checks latest_by as a column', async () => {
    const company = await api.post(INTENT, body({ ...people, unique_by: 'company_id' }));
    expectFieldError(company, 'unique_by');
    expect(company.body.detail).toContain('person_id or hem_sha256');
    expect((await api.post(INTENT, body({ ...people, unique_by: 'hem_sha256' }))).status).toBe(202);
    const unknown = await api.post(GENERIC, {
      input_path: t.intentTree,
      ...people,
      latest_by: 'seen_last',
    });
    expectFieldError(unknown, 'latest_by', 'expression_invalid');
    const ok = await api.post(`${GENERIC}/estimate`, {
      input_path: t.intentTree,
      ...people,
      latest_by: 'last_seen',
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });
});

describe('input_path', () => {
  const forbidden = () => ['/etc', 'file:///etc', `${t.intentTree}/../../../../etc`, '~/x', '//server/share'];

  it('refuses paths outside the allowed roots on intent tasks (input_path_forbidden)', async () => {
    for (const inputPath of forbidden()) {
      const reply = await api.post(INTENT, body({ input_path: inputPath }));
      expectFieldError(reply, 'input_path', 'input_path_forbidden');
    }
  });

  it('refuses paths outside the allowed roots on generic tasks (input_path_forbidden)', async () => {
    for (const inputPath of [...forbidden(), `${t.dataDir}/exports`, 'relative/path']) {
      const reply = await api.post(GENERIC, { input_path: inputPath });
      expectFieldError(reply, 'input_path', 'input_path_forbidden');
    }
  });

  it('refuses a generic task without input_path, or over a folder without Parquet', async () => {
    expectFieldError(await api.post(GENERIC, {}), 'input_path');
    const empty = path.join(t.dataDir, 'no-parquet-here');
    fs.mkdirSync(empty, { recursive: true });
    fs.writeFileSync(path.join(empty, 'notes.txt'), 'not parquet');
    expectFieldError(await api.post(GENERIC, { input_path: empty }), 'input_path', 'input_path_not_found');
    const missing = path.join(t.dataDir, 'does-not-exist');
    expectFieldError(await api.post(GENERIC, { input_path: missing }), 'input_path', 'input_path_not_found');
  });
});

describe('request framing', () => {
  it('answers malformed JSON with 400 malformed_json', async () => {
    const headers = { 'x-api-key': account.apiKey };
    for (const rawBody of ['{"days": [', '{days: []}', 'null x']) {
      expectProblem(await call(t.url, 'POST', INTENT, { rawBody, headers }), 400, 'malformed_json');
    }
  });

  it('answers a text/plain body with 415 (even when it holds JSON)', async () => {
    const reply = await call(t.url, 'POST', INTENT, {
      rawBody: JSON.stringify(body()),
      headers: { 'x-api-key': account.apiKey, 'content-type': 'text/plain' },
    });
    expectProblem(reply, 415, 'unsupported_media_type');
  });

  it.each(['application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x'])(
    'answers a %s body with 415',
    async (contentType) => {
      const reply = await call(t.url, 'POST', INTENT, {
        rawBody: JSON.stringify(body()),
        headers: { 'x-api-key': account.apiKey, 'content-type': contentType },
      });
      expectProblem(reply, 415, 'unsupported_media_type');
    },
  );

  it('answers a body over 64 KiB with 413', async () => {
    const reply = await api.post(INTENT, body({ where_expr: 'x'.repeat(65 * 1024) }));
    expectProblem(reply, 413, 'body_too_large');
  });
});

describe('authentication and unknown resources', () => {
  it('answers 401 without a key, with a bad key and with a malformed Authorization header', async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      { 'x-api-key': `dlvr_${'A'.repeat(43)}` },
      { 'x-api-key': 'dlvr_garbage' },
      { 'x-api-key': '' },
      { authorization: 'Bearer' },
      { authorization: 'Basic dXNlcjpwYXNz' },
      { authorization: `Bearer ${account.apiKey}` },
      { authorization: 'Bearer not.a.jwt' },
    ];
    for (const headers of attempts) {
      expectProblem(await call(t.url, 'GET', '/api/v1/status', { headers }), 401, 'unauthorized');
      expectProblem(await call(t.url, 'POST', INTENT, { body: body(), headers }), 401, 'unauthorized');
    }
  });

  it('answers 404 task_not_found for an unknown task on status and unload', async () => {
    for (const id of ['00000000-0000-0000-0000-000000000000', 'no-such-task']) {
      expectProblem(await api.get(`/api/v1/status/${id}`), 404, 'task_not_found');
      expectProblem(await api.post(`/api/v1/tasks/${id}/unload`), 404, 'task_not_found');
    }
  });

  it('answers an unknown route with a 404 problem', async () => {
    expectProblem(await api.get('/api/v1/no_such_route'), 404, 'not_found');
    expectProblem(await call(t.url, 'DELETE', '/api/v1/status'), 404, 'not_found');
  });
});

describe('URLs the router cannot take apart', () => {
  it('answers a path with broken percent-encoding with a 400 problem document', async () => {
    const reply = await api.get('/api/v1/status/%zz');
    expectProblem(reply, 400);
  });

  it('answers an over-long task id with a problem document', async () => {
    const reply = await api.get(`/api/v1/status/${'x'.repeat(150)}`);
    expect([400, 404, 414]).toContain(reply.status);
    expectProblem(reply, reply.status);
  });
});

describe('after all that', () => {
  it('still runs a normal task to completion', async () => {
    const created = await api.post(INTENT, body({ perform_unload: true, where_expr: 'intent_score >= 50' }));
    expect(created.status).toBe(202);
    const task = await api.waitFor(created.body.task_id, ['completed']);
    const [expected] = await duck<{ n: bigint }>(
      `SELECT count(*) AS n FROM read_parquet('${t.intentTree}/day=2024-05-01/prefix=${prefix}/score=high/*.parquet')
       WHERE intent_score >= 50`,
    );
    expect(task.total_count).toBe(Number(expected!.n));
    expect(task.failed_jobs).toBe(0);
    expect((await call(t.url, 'GET', '/healthz')).status).toBe(200);
  });
});
