import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, apiClient, call, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { expectedIntentCounts } from '../support/duck.ts';

/**
 * Property: whatever a client sends to a task route (any JSON, any string, any id, any query), the
 * answer is never a 5xx, is JSON (a problem document with a `code` for a 4xx), and the server stays
 * up. Failures print fast-check's counterexample with its seed and path; the seeds are fixed so a
 * failure replays exactly.
 */

let t: TestServer;
let account: Account;
/** A counted task of the caller, so some ids are real. */
let realTaskId: string;
let realCursor: string;

/** Fixed, so a failure replays exactly; PROPERTY_SEED and PROPERTY_RUNS_FACTOR explore further by hand. */
const SEED = Number(process.env.PROPERTY_SEED ?? 20_240_501);
const RUNS_FACTOR = Number(process.env.PROPERTY_RUNS_FACTOR ?? 1);
const INTENT = '/api/v1/intent_hive_tasks';
const GENERIC = '/api/v1/generic_parquet_tasks';

beforeAll(async () => {
  // No cap on tasks in progress: the property is about 5xx, and valid bodies do create tasks.
  t = await startTestServer({ MAX_ACTIVE_TASKS: '100000', WORKER_CONCURRENCY: '2' });
  account = await signUp(t.url);
  const api = apiClient(t.url, account.apiKey);
  for (let i = 0; i < 2; i++) {
    const created = await api.post(INTENT, {
      days: ['2024-05-01'],
      topic_id_prefixes: ['4eyes_101'],
      scores: ['high'],
      perform_unload: false,
    });
    expect(created.status).toBe(202);
    realTaskId = created.body.task_id;
  }
  const page = await api.get('/api/v1/status?limit=1');
  realCursor = page.body.next_cursor;
  expect(typeof realCursor).toBe('string');
});
afterAll(async () => {
  console.log(
    [...tally.entries()]
      .sort()
      .map(([key, n]) => `${String(n).padStart(5)}  ${key}`)
      .join('\n'),
  );
  await t?.close();
});

// ---------------------------------------------------------------------------------------------
// Sending and checking

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

async function send(
  method: string,
  pathname: string,
  body?: string | Uint8Array,
  contentType = 'application/json',
): Promise<Answer> {
  const headers: Record<string, string> = { 'x-api-key': account.apiKey };
  if (body !== undefined && contentType !== '') headers['content-type'] = contentType;
  const payload = typeof body === 'string' || body === undefined ? body : Buffer.from(body);
  const response = await fetch(t.url + pathname, { method, headers, body: payload });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    text: await response.text(),
  };
}

/** A request whose path and query go on the wire exactly as written (fetch would normalise them). */
function sendRaw(method: string, rawPath: string): Promise<Answer> {
  const { hostname, port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: hostname, port, path: rawPath, method, headers: { 'x-api-key': account.apiKey } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: String(response.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/** `route status code` -> how often: shows that the generators reach past the schema into the domain. */
const tally = new Map<string, number>();

/** The property itself: no 5xx, JSON, a problem document with a code for a 4xx, server still up. */
async function expectSane(answer: Answer, what: string) {
  const context = `${what} -> ${answer.status} ${answer.text.slice(0, 400)}`;
  expect(answer.status, context).toBeLessThan(500);
  expect(answer.contentType, context).toMatch(/json/);
  let parsed: unknown;
  expect(() => {
    parsed = JSON.parse(answer.text);
  }, context).not.toThrow();
  expect(parsed, context).toBeTypeOf('object');
  expect(parsed, context).not.toBeNull();
  const route = what
    .split(' ')
    .slice(0, 2)
    .join(' ')
    .replace(/\/(status|tasks)\/[^?]*/, '/$1/{id}')
    .split('?')[0];
  const code = (parsed as { code?: unknown } | null)?.code;
  const key = `${route} ${answer.status} ${typeof code === 'string' ? code : ''}`.trim();
  tally.set(key, (tally.get(key) ?? 0) + 1);
  if (answer.status >= 400) {
    const problem = parsed as Record<string, unknown>;
    expect(answer.contentType, context).toContain('application/problem+json');
    expect(problem.code, context).toBeTypeOf('string');
    expect(problem.status, context).toBe(answer.status);
    expect(problem.title, context).toBeTypeOf('string');
    expect(problem.detail, context).toBeTypeOf('string');
    // A cap or a rate limit would hide what the body does to the server: both are off here.
    expect(answer.status, context).not.toBe(429);
  } else {
    expect(answer.status, context).toBeGreaterThanOrEqual(200);
  }
  const health = await fetch(`${t.url}/healthz`);
  expect(health.status, `server down after ${context}`).toBe(200);
}

const options = (numRuns: number, offset: number) => ({
  numRuns: Math.max(1, Math.round(numRuns * RUNS_FACTOR)),
  seed: SEED + offset,
  endOnFailure: true,
});

// ---------------------------------------------------------------------------------------------
// Arbitraries

const CONTROL = [
  '\u0000',
  '\u0001',
  '\u0008',
  '\u001b',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u2028',
  '\u2029',
  '\u202e',
  '\ufeff',
  '\ud800',
  '\udfff',
  '\uffff',
];
const SQL_FRAGMENTS = [
  "'",
  '"',
  ';',
  '--',
  '/*',
  '*/',
  '(',
  ')',
  ',',
  '.',
  '*',
  '?',
  '$1',
  '::',
  '\\',
  'SELECT',
  'FROM',
  'WHERE',
  'UNION ALL',
  'OR 1=1',
  "' OR '1'='1",
  'DROP TABLE tasks',
  'ATTACH',
  "':memory:'",
  'COPY',
  'TO',
  "'/tmp/x.csv'",
  'PRAGMA',
  'SET',
  'INSTALL httpfs',
  'LOAD',
  "read_parquet('/etc/passwd')",
  "read_csv_auto('/etc/passwd')",
  "getenv('HOME')",
  "current_setting('threads')",
  'query(',
  'glob(',
  'random()',
  'now()',
  'intent_score',
  'person_id',
  'country',
  'score',
  'day',
  'prefix',
  'topic_id',
  'last_seen',
  'event_count',
  'job_title',
  '>=',
  '=',
  '<>',
  '!=',
  '+',
  '-',
  '/',
  '%',
  '||',
  'AND',
  'OR',
  'NOT',
  'IN',
  'IS NULL',
  'BETWEEN',
  'LIKE',
  'ILIKE',
  'CASE WHEN',
  'THEN',
  'ELSE',
  'END',
  'CAST(',
  'AS',
  'INTEGER',
  'HUGEINT',
  'VARCHAR',
  "'medium'",
  "'US'",
  "DATE '2024-05-01'",
  "TIMESTAMP 'x'",
  'lower(',
  'coalesce(',
  'date_trunc(',
  'NULL',
  'true',
  '0',
  '1',
  '-1',
  '1e308',
  '1e309',
  '9223372036854775807',
  '170141183460469231731687303715884105728',
  '0x7fffffff',
  '[1,2]',
  '{a: 1}',
  'list_value(',
  'struct_pack(',
  'COLLATE',
  'nocase',
  '\u0000',
  '𝕏',
];

const nastyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom(...CONTROL, '"', '\\', "'", '%', '_', 'é', '𝕏', 'a', ' '),
    maxLength: 30,
  }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\t\n',
    'null',
    'undefined',
    '[object Object]',
    '__proto__',
    'constructor',
  ),
);

const sqlish = fc.array(fc.constantFrom(...SQL_FRAGMENTS), { maxLength: 14 }).map((parts) => parts.join(' '));
const sqlishTight = fc
  .array(fc.constantFrom(...SQL_FRAGMENTS), { maxLength: 14 })
  .map((parts) => parts.join(''));

const VALID_WHERE = [
  'intent_score >= 60',
  "score >= 'medium'",
  "country IN ('US', 'GB') AND intent_score > 10",
  "lower(job_title) LIKE '%engineer%'",
  'intent_score BETWEEN 10 AND 90',
  "last_seen > TIMESTAMP '2024-05-01 00:00:00'",
  'CASE WHEN intent_score > 50 THEN true ELSE false END',
  'NOT (country IS NULL)',
  "day = DATE '2024-05-01'",
  "prefix = '4eyes_101'",
  'event_count / 0 > 1',
  'event_count % 0 = 0',
  'CAST(country AS INTEGER) > 1',
  'event_count * 9223372036854775807 > 0',
  "coalesce(company_domain, '') <> ''",
  "topic_id LIKE '4eyes\\_101%' ESCAPE '\\'",
];

const depth = fc.integer({ min: 0, max: 300 });
const whereExpr = fc.oneof(
  { arbitrary: fc.constantFrom(...VALID_WHERE), weight: 3 },
  { arbitrary: sqlish, weight: 4 },
  { arbitrary: sqlishTight, weight: 2 },
  { arbitrary: nastyString, weight: 3 },
  { arbitrary: depth.map((n) => `${'('.repeat(n)}intent_score > 1${')'.repeat(n)}`), weight: 1 },
  { arbitrary: depth.map((n) => `${'NOT '.repeat(n)}true`), weight: 1 },
  { arbitrary: depth.map((n) => `${'-'.repeat(n)}1 > 0`), weight: 1 },
  { arbitrary: depth.map((n) => `${'('.repeat(n)}1`), weight: 1 },
  { arbitrary: fc.integer({ min: 8180, max: 8200 }).map((n) => 'x'.repeat(n)), weight: 1 },
  {
    arbitrary: fc
      .tuple(fc.constantFrom(...VALID_WHERE), fc.constantFrom(...CONTROL, ';', '--', '/*', "'"))
      .map(([w, c]) => `${w}${c}`),
    weight: 2,
  },
);

const COLUMNS = ['person_id', 'hem_sha256', 'topic_id', 'intent_score', 'country', 'day', 'prefix', 'score'];
const select = fc.oneof(
  { arbitrary: fc.subarray(COLUMNS, { minLength: 1 }).map((c) => c.join(', ')), weight: 3 },
  {
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...COLUMNS), nastyString), { maxLength: 6 })
      .map((c) => c.join(',')),
    weight: 2,
  },
  {
    arbitrary: fc.constantFrom(
      '*',
      'person_id, person_id',
      '"person_id"',
      'PERSON_ID',
      'count(*)',
      'person_id AS x',
      "person_id, read_parquet('/etc/passwd')",
      'person_id FROM t',
      '*, * EXCLUDE (day)',
      'COLUMNS(*)',
      ',',
      'person_id,',
      ' ',
    ),
    weight: 2,
  },
  { arbitrary: sqlish, weight: 2 },
  { arbitrary: nastyString, weight: 2 },
);

const jsonish = fc.jsonValue({ maxDepth: 4 });
const hugeNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.bigInt().map((n) => Number(n)),
  fc.constantFrom(
    0,
    -1,
    1,
    1.5,
    1e9,
    1e9 + 1,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 63),
    Number.MAX_VALUE,
    Number.MIN_VALUE,
  ),
);
/** Values of the wrong type, shape or size for any field. */
const hostileValue = fc.oneof(
  jsonish,
  hugeNumber,
  nastyString,
  fc.constantFrom(null, true, false, [], {}, [[]], [null], [1], [{}], ['2024-05-01', 1], { days: [] }),
  fc.integer({ min: 1, max: 60 }).map((n) => JSON.parse(`${'['.repeat(n)}"x"${']'.repeat(n)}`) as unknown),
  fc.integer({ min: 1, max: 60 }).map((n) => JSON.parse(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`) as unknown),
  fc.constant(Array.from({ length: 3661 }, () => '2024-05-01')),
  fc.constant(Array.from({ length: 10_001 }, (_, i) => `p${i}`)),
);

// Type-correct fields: they pass the schema and reach the domain (dates, prefixes, paths, the guard).
const stringsOf = (valid: string[], weird: string[], maxLength: number) =>
  fc.oneof(
    { arbitrary: fc.subarray(valid, { minLength: 1 }), weight: 6 },
    {
      arbitrary: fc.array(fc.oneof(fc.constantFrom(...valid, ...weird), nastyString), {
        minLength: 1,
        maxLength,
      }),
      weight: 2,
    },
  );

const days = stringsOf(
  ['2024-05-01', '20240502', '2024-05-03'],
  [
    '2024-02-30',
    '2023-02-29',
    '2024-02-29',
    '2024-13-01',
    '0000-01-01',
    '9999-12-31',
    '99999999',
    '00000000',
    ' 2024-05-01',
    '2024-05-01 ',
    '2024-5-1',
    '2024-05-01T00:00:00Z',
    '+002024-05-01',
    '-2024-05-01',
    '２０２４-０５-０１',
    '2024/05/01',
    '2024-05-01\u0000',
    '../2024-05-01',
    "2024-05-01' OR 1=1",
  ],
  6,
);

const prefixes = stringsOf(
  ['4eyes_101', '4eyes_102', '4eyes_103', '4eyes_104'],
  [
    '4eyes_999',
    '..',
    '../..',
    '4eyes_101/../..',
    '4eyes_101/score=high',
    '*',
    '**',
    '4eyes_10?',
    '4eyes_10%',
    "4eyes'",
    '.hidden',
    '_tmp',
    'a'.repeat(128),
    'a'.repeat(129),
    'x=y',
  ],
  6,
);

const scores = stringsOf(['low', 'medium', 'high'], ['LOW', 'High', 'none', '', 'medium ', 'high\u0000'], 4);

const limit = fc.oneof(
  fc.integer({ min: 1, max: 1_000_000_000 }),
  fc.constantFrom(1, 2, 10, 1_000_000_000, 1_000_000_001, 0, -1),
);
const performUnload = fc.oneof(
  { arbitrary: fc.constant(false), weight: 4 },
  { arbitrary: fc.constant(true), weight: 1 },
);

/** Input paths: the allowed roots, places next to them, and hostile spellings. */
const inputPath = (validWeight: number) =>
  fc.oneof(
    {
      arbitrary: fc.constantFrom(
        `${t.intentTree}/day=2024-05-01/prefix=4eyes_101/score=high`,
        `${t.intentTree}/day=2024-05-02/prefix=4eyes_103`,
        `${t.intentTree}/day=2024-05-03/prefix=4eyes_104/score=low/`,
        `${t.intentTree}/day=2024-05-01/prefix=4eyes_102/score=medium/data_0.parquet`,
        `${t.intentTree}/day=2024-05-01/prefix=4eyes_101/score=high/../score=low`,
      ),
      weight: validWeight,
    },
    {
      arbitrary: fc.constantFrom(
        t.intentTree,
        t.dataDir,
        `${t.dataDir}/exports`,
        `${t.dataDir}/exports/${account.organizationId}`,
        `${t.dataDir}/does-not-exist`,
        `${t.intentTree}/../..`,
        `${t.intentTree}/../../etc`,
        `${t.intentTree}/day=2024-05-01/../../../..`,
        `${t.intentTree}/day=1999-01-01`,
        `${t.intentTree}\u0000/etc`,
        '/',
        '/etc',
        '/etc/passwd',
        '/proc/self/environ',
        '/dev/zero',
        '.',
        '..',
        'relative/path',
        '~',
        '~/x',
        '\\\\server\\share',
        '//server/share',
        's3://bucket/key',
        'gs://bucket/key',
        'file:///etc',
        'http://169.254.169.254/',
        'C:\\Windows',
        '',
        ' ',
        'x'.repeat(1025),
      ),
      weight: 3,
    },
    { arbitrary: nastyString.map((s) => `${t.intentTree}/${s}`), weight: 1 },
    { arbitrary: nastyString, weight: 1 },
  );

/** `arbitrary` with weight `present`, undefined with weight `absent`. */
const maybe = <T>(arbitrary: fc.Arbitrary<T>, present: number, absent: number) =>
  fc.oneof({ arbitrary, weight: present }, { arbitrary: fc.constant(undefined), weight: absent });

const INTENT_FIELDS = [
  'days',
  'topic_id_prefixes',
  'scores',
  'input_path',
  'limit',
  'perform_unload',
  'select',
  'where_expr',
];
const GENERIC_FIELDS = ['input_path', 'limit', 'perform_unload', 'select', 'where_expr'];

/**
 * A body built from the real field names: a valid base, optional fields with type-correct but
 * hostile values (they reach the domain), then sometimes a field deleted, or replaced or added
 * with a value of any type (they exercise the schema and the error rendering).
 */
function taskBody(kind: 'intent' | 'generic') {
  const fields = kind === 'intent' ? INTENT_FIELDS : GENERIC_FIELDS;
  const base =
    kind === 'intent'
      ? fc.record({ days, topic_id_prefixes: prefixes, scores })
      : fc.record({ input_path: inputPath(4) });
  const optional = fc.record(
    {
      where_expr: maybe(whereExpr, 3, 1),
      select: maybe(select, 1, 2),
      perform_unload: performUnload,
      limit: maybe(limit, 1, 6),
      ...(kind === 'intent' ? { input_path: maybe(inputPath(1), 1, 5) } : {}),
    },
    { requiredKeys: ['perform_unload'] },
  );
  const mutation = fc.oneof(
    { arbitrary: fc.tuple(fc.constantFrom(...fields), hostileValue), weight: 4 },
    {
      arbitrary: fc.tuple(
        fc.oneof(
          fc.string({ maxLength: 12 }),
          fc.constantFrom('__proto__', 'constructor', 'prototype', 'DAYS', 'days ', 'where-expr', ''),
        ),
        hostileValue,
      ),
      weight: 1,
    },
  );
  const mutations = fc.oneof(
    { arbitrary: fc.constant([] as Array<[string, unknown]>), weight: 3 },
    { arbitrary: fc.array(mutation, { minLength: 1, maxLength: 2 }), weight: 2 },
  );
  const deletion = maybe(fc.constantFrom(...fields), 1, 8);
  return fc.tuple(base, optional, mutations, deletion).map(([b, o, muts, deleted]) => {
    const body: Record<string, unknown> = { ...b };
    for (const [key, value] of Object.entries(o)) if (value !== undefined) body[key] = value;
    for (const [key, value] of muts) {
      // defineProperty, so "__proto__" becomes an own key that JSON.stringify writes out.
      Object.defineProperty(body, key, { value, enumerable: true, writable: true, configurable: true });
    }
    if (deleted !== undefined) delete body[deleted];
    return body;
  });
}

/** Raw JSON-ish text: numbers JSON.stringify cannot write, deep nesting, duplicate keys, junk. */
const rawJsonText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.json({ maxDepth: 4 }),
  fc.json({ maxDepth: 3 }).chain((text) => fc.nat(text.length).map((n) => text.slice(0, n))),
  fc
    .tuple(
      fc.constantFrom(
        'days',
        'topic_id_prefixes',
        'scores',
        'limit',
        'input_path',
        'where_expr',
        'perform_unload',
      ),
      fc.constantFrom(
        '1e400',
        '-1e400',
        '1e-400',
        '123456789012345678901234567890',
        '-0',
        '0.0000000000000000000001',
        '1E5',
        '9007199254740993',
        '[[[[[[[[[[]]]]]]]]]]',
        '{"$ref":"#"}',
        '"\\u0000"',
        '"\\ud800"',
        'NaN',
        'Infinity',
        'null',
        '"\\/"',
        '01',
        '.5',
        '+1',
      ),
    )
    .map(
      ([field, value]) =>
        `{"days":["2024-05-01"],"topic_id_prefixes":["4eyes_101"],"scores":["high"],"perform_unload":false,"${field}":${value}}`,
    ),
  fc.integer({ min: 1, max: 32_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  fc.integer({ min: 1, max: 10_000 }).map((n) => `{"days":${'['.repeat(n)}${']'.repeat(n)}}`),
  fc.integer({ min: 1, max: 5_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
  fc.constantFrom(
    '',
    ' ',
    'null',
    'true',
    '1',
    '"x"',
    '[]',
    '{}',
    '\ufeff{}',
    '{"__proto__":{"polluted":1}}',
    '{"constructor":{"prototype":{"polluted":1}}}',
    '{"days":["2024-05-01"],"days":1}',
    '{"days":["2024-05-01"],"topic_id_prefixes":["4eyes_101"],"scores":["high"],"scores":["low"],"perform_unload":false}',
    '{"a":1}{"b":2}',
    `{"where_expr":"${'x'.repeat(70_000)}"}`,
    `[${'1,'.repeat(30_000)}1]`,
  ),
);

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/JSON',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json;;;',
  'application/problem+json',
  'application/vnd.api+json',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  '*/*',
  '',
];

const taskIdLike = () =>
  fc.oneof(
    { arbitrary: fc.uuid(), weight: 2 },
    { arbitrary: fc.constant(realTaskId), weight: 1 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 80 }).filter((s) => s.length > 0), weight: 3 },
    { arbitrary: fc.string({ maxLength: 120 }).filter((s) => s.length > 0), weight: 2 },
    {
      arbitrary: fc.constantFrom(
        '0',
        '-1',
        'null',
        'undefined',
        "1' OR '1'='1",
        '%',
        '%00',
        '\u0000',
        ';DROP TABLE tasks',
        'a'.repeat(64),
        'a'.repeat(65),
        'a'.repeat(101),
        'a'.repeat(2000),
        realTaskId.toUpperCase(),
        `${realTaskId} `,
        `${realTaskId}\u0000`,
      ),
      weight: 2,
    },
  );

/** Path segments sent unencoded: broken percent-encoding, dot segments, encoded slashes. */
const rawSegment = fc
  .array(
    fc.constantFrom(
      '%',
      '%z',
      '%zz',
      '%00',
      '%2e',
      '%2E%2E',
      '..',
      '.',
      '%2f',
      '%5c',
      '%ff',
      '%c0%af',
      '%e2%80%ae',
      '%ed%a0%80',
      'a',
      '0',
      '-',
      '~',
      '!',
      "'",
      '(',
      '*',
      ';',
      ':',
      '@',
      '&',
      '=',
      '+',
      '$',
      ',',
      '?',
      '?limit=',
      '#',
    ),
    { minLength: 1, maxLength: 10 },
  )
  .map((parts) => parts.join(''));

// ---------------------------------------------------------------------------------------------
// Properties

describe('task routes never answer 5xx, whatever the body', () => {
  it('POST intent_hive_tasks: bodies with the real field names and hostile values', async () => {
    await fc.assert(
      fc.asyncProperty(taskBody('intent'), async (body) => {
        await expectSane(
          await send('POST', INTENT, JSON.stringify(body)),
          `POST ${INTENT} ${JSON.stringify(body)}`,
        );
      }),
      options(260, 1),
    );
  }, 120_000);

  it('POST generic_parquet_tasks: bodies with the real field names and hostile values', async () => {
    await fc.assert(
      fc.asyncProperty(taskBody('generic'), async (body) => {
        await expectSane(
          await send('POST', GENERIC, JSON.stringify(body)),
          `POST ${GENERIC} ${JSON.stringify(body)}`,
        );
      }),
      options(180, 2),
    );
  }, 120_000);

  it('POST both task routes: any JSON value at all', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(INTENT, GENERIC),
        fc.jsonValue({ maxDepth: 6 }),
        async (route, value) => {
          const text = JSON.stringify(value) ?? 'null';
          await expectSane(await send('POST', route, text), `POST ${route} ${text.slice(0, 300)}`);
        },
      ),
      options(120, 3),
    );
  }, 120_000);

  it('POST both task routes: raw text and bytes as the body, with JSON and other content types', async () => {
    const rawBody = fc.oneof(
      { arbitrary: rawJsonText, weight: 5 },
      { arbitrary: fc.uint8Array({ maxLength: 200 }), weight: 1 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(INTENT, GENERIC),
        rawBody,
        fc.oneof(
          { arbitrary: fc.constant('application/json'), weight: 4 },
          { arbitrary: fc.constantFrom(...CONTENT_TYPES), weight: 1 },
        ),
        async (route, body, contentType) => {
          const shown =
            typeof body === 'string'
              ? JSON.stringify(body.slice(0, 200))
              : `bytes ${Buffer.from(body).toString('hex')}`;
          await expectSane(
            await send('POST', route, body, contentType),
            `POST ${route} [${contentType}] ${shown}`,
          );
        },
      ),
      options(200, 4),
    );
  }, 120_000);

  it('POST tasks/{id}/unload: arbitrary ids, with and without a body', async () => {
    await fc.assert(
      fc.asyncProperty(
        taskIdLike(),
        fc.option(
          fc.oneof(
            jsonish.map((v) => JSON.stringify(v) ?? 'null'),
            rawJsonText,
          ),
          { nil: undefined },
        ),
        async (id, body) => {
          const pathname = `/api/v1/tasks/${encodeURIComponent(id)}/unload`;
          await expectSane(
            await send('POST', pathname, body),
            `POST ${pathname} ${JSON.stringify(body?.slice(0, 200))}`,
          );
        },
      ),
      options(120, 5),
    );
  }, 120_000);

  it('GET status/{id}: arbitrary ids, encoded and raw', async () => {
    await fc.assert(
      fc.asyncProperty(taskIdLike(), async (id) => {
        const pathname = `/api/v1/status/${encodeURIComponent(id)}`;
        await expectSane(await send('GET', pathname), `GET ${pathname}`);
      }),
      options(120, 6),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET /api/v1/status/', 'POST /api/v1/tasks/'),
        rawSegment,
        async (prefix, segment) => {
          const [method, base] = prefix.split(' ') as [string, string];
          const rawPath = method === 'GET' ? `${base}${segment}` : `${base}${segment}/unload`;
          await expectSane(await sendRaw(method, rawPath), `${method} ${rawPath} (raw)`);
        },
      ),
      options(80, 7),
    );
  }, 120_000);

  it('GET status: arbitrary query strings (limit, cursor, repeats, unknown keys)', async () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url');
    const limitValue = fc.oneof(
      fc.nat({ max: 1000 }).map(String),
      fc.integer().map(String),
      fc.constantFrom('0', '1', '100', '101', '-1', '1e2', '007', '1.0', ' 1', '１', '', '999', '0x10'),
      nastyString,
    );
    const cursorValue = fc.oneof(
      fc.constant(realCursor),
      fc.string({ maxLength: 80 }),
      nastyString,
      jsonish.map(b64),
      fc
        .tuple(fc.oneof(fc.string(), fc.constantFrom('9999-12-31T00:00:00.000Z', "' OR 1=1 --")), fc.string())
        .map(b64),
      fc.tuple(jsonish, jsonish).map(b64),
      fc.constant('a'.repeat(513)),
      fc.constant(`${realCursor}${'='.repeat(3)}`),
    );
    const pair = fc.oneof(
      { arbitrary: limitValue.map((v) => ['limit', v] as [string, string]), weight: 3 },
      { arbitrary: cursorValue.map((v) => ['cursor', v] as [string, string]), weight: 3 },
      { arbitrary: fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })), weight: 1 },
      {
        arbitrary: fc.tuple(
          fc.constantFrom('__proto__', 'constructor', 'limit[]', 'cursor[a]', 'LIMIT', 'limit '),
          fc.string({ maxLength: 8 }),
        ),
        weight: 1,
      },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(pair, { maxLength: 4 }), async (pairs) => {
        const query = new URLSearchParams(pairs).toString();
        const pathname = `/api/v1/status${query ? `?${query}` : ''}`;
        await expectSane(await send('GET', pathname), `GET ${pathname}`);
      }),
      options(160, 8),
    );
    await fc.assert(
      fc.asyncProperty(rawSegment, async (segment) => {
        const rawPath = `/api/v1/status?${segment}`;
        await expectSane(await sendRaw('GET', rawPath), `GET ${rawPath} (raw)`);
      }),
      options(60, 9),
    );
  }, 120_000);
});

describe('after the properties', () => {
  it('every task the valid bodies created settles: completed, counted, or failed with a documented error', async () => {
    const api = apiClient(t.url, account.apiKey);
    const deadline = Date.now() + 90_000;
    let tasks: Array<{ task_id: string; status: string; error: { code: string; message: string } | null }> =
      [];
    for (;;) {
      tasks = [];
      let cursor: string | null = null;
      do {
        const page = await api.get(`/api/v1/status?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        tasks.push(...page.body.tasks);
        cursor = page.body.next_cursor;
      } while (cursor);
      if (tasks.every((task) => !['in_progress', 'unloading'].includes(task.status))) break;
      if (Date.now() > deadline) {
        const stuck = tasks.filter((task) => ['in_progress', 'unloading'].includes(task.status));
        throw new Error(`${stuck.length} tasks still running: ${JSON.stringify(stuck.slice(0, 3))}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const outcomes = new Map<string, number>();
    for (const task of tasks) {
      const key = task.error ? `${task.status} ${task.error.code}` : task.status;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      if (task.status === 'failed') {
        expect(documentedTaskErrors()).toContain(task.error?.code);
        expect(task.error?.message).toBeTypeOf('string');
      }
    }
    expect(tasks.length).toBeGreaterThan(10);
  }, 120_000);

  it('a normal intent task still completes with the right count', async () => {
    const api = apiClient(t.url, account.apiKey);
    const created = await api.post(INTENT, {
      days: ['2024-05-01', '20240502'],
      topic_id_prefixes: ['4eyes_101', '4eyes_103'],
      scores: ['medium', 'high'],
      where_expr: "intent_score >= 40 AND score >= 'medium'",
    });
    expect(created.status).toBe(202);
    const task = await api.waitFor(created.body.task_id, ['completed'], 120_000);
    const expected = await expectedIntentCounts(
      t.intentTree,
      `intent_score >= 40 AND score IN ('medium', 'high') AND prefix IN ('4eyes_101', '4eyes_103')
       AND day IN (DATE '2024-05-01', DATE '2024-05-02')`,
    );
    expect(Object.keys(expected).length).toBe(8);
    const nonZero = Object.fromEntries(Object.entries(task.counts).filter(([, n]) => (n as number) > 0));
    expect(nonZero).toEqual(expected);
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    expect(task.total_count).toBe(total);
    expect(task.files.reduce((sum: number, f: { rows: number }) => sum + f.rows, 0)).toBe(total);
    expect((await call(t.url, 'GET', '/readyz')).status).toBe(200);
  }, 150_000);
});

/** The task error codes docs/errors.md documents (its "Task errors" table). */
function documentedTaskErrors(): string[] {
  const doc = fs.readFileSync(path.resolve(import.meta.dirname, '../../docs/errors.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Task errors'));
  return [...section.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!);
}
