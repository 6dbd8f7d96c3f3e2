import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AstNode, RenderError } from '../../src/engine/sql-ast.ts';
import { EXPRESSION_LIMITS, SqlGuard } from '../../src/engine/sql-guard.ts';
import { renderCondition } from '../../src/engine/sql-render.ts';
import { COLUMNS, OPTIONS, rejection } from './guard-fixtures.ts';

// The tricky country values are data: a guard that pasted text into SQL would break on them.
const ROWS = `
  ('p1', 'sport',   10,   'FR',                    TIMESTAMP '2024-05-01 08:00:00', 'low',    DATE '2024-05-01'),
  ('p2', 'sport',   55,   'FR',                    TIMESTAMP '2024-05-02 09:30:00', 'medium', DATE '2024-05-02'),
  ('p3', 'travel',  90,   'DE',                    TIMESTAMP '2024-05-03 23:59:59', 'high',   DATE '2024-05-03'),
  ('p4', 'travel',  NULL, 'US',                    TIMESTAMP '2024-06-01 00:00:00', 'medium', DATE '2024-06-01'),
  ('p5', 'finance', 42,   NULL,                    NULL,                            NULL,     DATE '2024-06-02'),
  ('p6', 'sport',   75,   'O''Brien -- /* "x" */', TIMESTAMP '2024-05-02 12:00:00', 'high',   DATE '2024-05-02'),
  ('p7', 'finance', 5,    'fr',                    TIMESTAMP '2024-04-30 10:00:00', 'low',    DATE '2024-04-30'),
  ('p8', 'sport',   61,   '$$; DROP TABLE t; --',  TIMESTAMP '2024-05-05 05:05:05', 'medium', DATE '2024-05-05')`;
const ALL_IDS = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8'];

let instance: DuckDBInstance;
let connection: DuckDBConnection;
const guard = new SqlGuard();

async function ids(where: string): Promise<string[]> {
  const reader = await connection.runAndReadAll(`SELECT person_id FROM t WHERE ${where} ORDER BY person_id`);
  return reader.getRows().map((row) => String(row[0]));
}

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  await connection.run(`CREATE TABLE t (person_id VARCHAR, topic_id VARCHAR, intent_score INTEGER, country VARCHAR,
    last_seen TIMESTAMP, score VARCHAR, day DATE)`);
  await connection.run(`INSERT INTO t VALUES ${ROWS}`);
});

afterAll(async () => {
  connection.closeSync();
  instance.closeSync();
  await guard.close();
});

/** [customer expression, hand-written SQL selecting the same rows] */
const EQUIVALENT: [string, string][] = [
  ["score >= 'medium'", "score IN ('medium', 'high')"],
  ["score > 'low'", "score IN ('medium', 'high')"],
  ["score < 'high'", "score IN ('low', 'medium')"],
  ["score <= 'low'", "score = 'low'"],
  ["'medium' <= score", "score IN ('medium', 'high')"],
  ["'high' > score", "score IN ('low', 'medium')"],
  ["score BETWEEN 'low' AND 'medium'", "score IN ('low', 'medium')"],
  ["score NOT BETWEEN 'medium' AND 'high'", "score = 'low'"],
  ["score = 'high'", "person_id IN ('p3', 'p6')"],
  ["score IN ('low', 'high')", "person_id IN ('p1', 'p3', 'p6', 'p7')"],
  ["score <> 'medium'", "person_id IN ('p1', 'p3', 'p6', 'p7')"],
  ["score >= 'medium' AND country = 'FR'", "person_id = 'p2'"],
  ["Country = 'FR' AND INTENT_SCORE > 50", "person_id = 'p2'"],
  ['"COUNTRY" = \'DE\'', "person_id = 'p3'"],
  ["country = 'O''Brien -- /* \"x\" */'", "person_id = 'p6'"],
  ['country = $$O\'Brien -- /* "x" */$$', "person_id = 'p6'"],
  ["country = '$$; DROP TABLE t; --'", "person_id = 'p8'"],
  ["country LIKE '%--%'", "person_id IN ('p6', 'p8')"],
  ["country LIKE '%/*%' -- a trailing comment", "person_id = 'p6'"],
  ["country = 'FR' /* a comment */ OR country = 'DE'", "person_id IN ('p1', 'p2', 'p3')"],
  ["country ILIKE 'f%'", "person_id IN ('p1', 'p2', 'p7')"],
  ["country NOT LIKE 'F%'", "person_id IN ('p3', 'p4', 'p6', 'p7', 'p8')"],
  ["country GLOB '[A-Z][A-Z]'", "person_id IN ('p1', 'p2', 'p3', 'p4')"],
  ["country SIMILAR TO '[a-z]+'", "person_id = 'p7'"],
  ["lower(country) IN ('fr', 'de')", "person_id IN ('p1', 'p2', 'p3', 'p7')"],
  ["country NOT IN ('FR', 'DE')", "person_id IN ('p4', 'p6', 'p7', 'p8')"],
  ["country IS DISTINCT FROM 'FR'", "person_id IN ('p3', 'p4', 'p5', 'p6', 'p7', 'p8')"],
  ["country IS NOT DISTINCT FROM 'FR'", "person_id IN ('p1', 'p2')"],
  ['country IS NULL', "person_id = 'p5'"],
  ['intent_score IS NOT NULL AND intent_score < 50', "person_id IN ('p1', 'p5', 'p7')"],
  ["intent_score + 10 > 70 OR NOT (country <> 'US')", "person_id IN ('p3', 'p4', 'p6', 'p8')"],
  ['intent_score BETWEEN 40 AND 61', "person_id IN ('p2', 'p5', 'p8')"],
  ['intent_score > 54.5', "person_id IN ('p2', 'p3', 'p6', 'p8')"],
  ['intent_score < 1e1', "person_id = 'p7'"],
  ['intent_score > -1 AND intent_score - -5 < 16', "person_id IN ('p1', 'p7')"],
  ['intent_score % 2 = 0 AND intent_score // 10 >= 1', "person_id IN ('p1', 'p5', 'p3')"],
  ['coalesce(intent_score, 0) < 10', "person_id IN ('p4', 'p7')"],
  ['nullif(intent_score, 10) IS NULL', "person_id IN ('p1', 'p4')"],
  ["CASE WHEN score = 'high' THEN intent_score ELSE 0 END >= 80", "person_id = 'p3'"],
  ["TRY_CAST(intent_score AS VARCHAR) = '42'", "person_id = 'p5'"],
  ['CAST(intent_score AS DOUBLE) / 2 > 40', "person_id = 'p3'"],
  ["last_seen >= TIMESTAMP '2024-05-02 12:00:00'", "person_id IN ('p3', 'p4', 'p6', 'p8')"],
  ["day BETWEEN DATE '2024-05-01' AND DATE '2024-05-02'", "person_id IN ('p1', 'p2', 'p6')"],
  ["day = '2024-06-01'", "person_id = 'p4'"],
  ["day >= DATE '2024-06-02' - INTERVAL 1 DAY", "person_id IN ('p4', 'p5')"],
  ['EXTRACT(month FROM day) = 6', "person_id IN ('p4', 'p5')"],
  ['year(day) = 2024 AND month(day) = 4', "person_id = 'p7'"],
  ["date_trunc('month', last_seen) = TIMESTAMP '2024-06-01'", "person_id = 'p4'"],
  ["strftime(day, '%d') = '02'", "person_id IN ('p2', 'p5', 'p6')"],
  ["starts_with(topic_id, 'tra')", "person_id IN ('p3', 'p4')"],
  ["regexp_matches(topic_id, '^f')", "person_id IN ('p5', 'p7')"],
  ["length(topic_id) = 5 AND upper(topic_id) = 'SPORT'", "person_id IN ('p1', 'p2', 'p6', 'p8')"],
  ["substr(country, 1, 1) = 'O' OR country || '!' = 'DE!'", "person_id IN ('p3', 'p6')"],
  ["replace(topic_id, 'ort', 'o') = 'spo'", "person_id IN ('p1', 'p2', 'p6', 'p8')"],
  ["lpad(country, 4, '*') = '**FR'", "person_id IN ('p1', 'p2')"],
  ['TRUE', 'true'],
  ['FALSE', 'false'],
  ['NOT (intent_score > 50)', "person_id IN ('p1', 'p5', 'p7')"],
];

describe('SqlGuard.where renders SQL that selects the same rows as a hand-written query', () => {
  it.each(EQUIVALENT)('%s', async (expr, independent) => {
    const rendered = await guard.where(expr, COLUMNS, OPTIONS);
    const expected = await ids(independent);
    expect(await ids(rendered)).toEqual(expected);
  });

  it('covers cases that actually split the rows', async () => {
    let splitting = 0;
    for (const [, independent] of EQUIVALENT) {
      const n = (await ids(independent)).length;
      if (n > 0 && n < ALL_IDS.length) splitting++;
    }
    expect(splitting).toBeGreaterThanOrEqual(EQUIVALENT.length - 2);
  });
});

/** Random well-formed expressions over the test table, built only from allowed constructs. */
const generated = fc.letrec<{ num: string; str: string; bool: string }>((tie) => {
  const literal = fc
    .string({
      unit: fc.constantFrom('a', 'B', ' ', "'", '"', '-', '/', '*', ';', '$', '(', ')', 'é', '%', '_'),
    })
    .map((text) => `'${text.replaceAll("'", "''")}'`);
  const comparison = fc.constantFrom('=', '<>', '<', '<=', '>', '>=', 'IS DISTINCT FROM');
  return {
    num: fc.oneof(
      { maxDepth: 3 },
      fc.constantFrom('intent_score', '7', '-3', '54.5', '1e2', 'year(day)', 'EXTRACT(day FROM last_seen)'),
      fc.integer({ min: -100, max: 100 }).map(String),
      fc
        .tuple(tie('num'), fc.constantFrom('+', '-', '*'), tie('num'))
        .map(([a, op, b]) => `(${a} ${op} ${b})`),
      tie('num').map((n) => `abs(${n})`),
      tie('num').map((n) => `coalesce(${n}, 0)`),
      tie('str').map((t) => `length(${t})`),
      tie('str').map((t) => `TRY_CAST(${t} AS INTEGER)`),
    ),
    str: fc.oneof(
      { maxDepth: 3 },
      fc.constantFrom('country', 'topic_id', 'score', '"COUNTRY"'),
      literal,
      tie('str').map((t) => `lower(${t})`),
      tie('str').map((t) => `upper(trim(${t}))`),
      fc.tuple(tie('str'), tie('str')).map(([a, b]) => `${a} || ${b}`),
      tie('str').map((t) => `substr(${t}, 2, 3)`),
      tie('str').map((t) => `replace(${t}, 'ab', 'b')`),
      tie('str').map((t) => `coalesce(${t}, 'none')`),
    ),
    bool: fc.oneof(
      { maxDepth: 3 },
      fc.tuple(tie('num'), comparison, tie('num')).map(([a, op, b]) => `${a} ${op} ${b}`),
      fc.tuple(tie('str'), comparison, tie('str')).map(([a, op, b]) => `${a} ${op} ${b}`),
      fc.tuple(tie('str'), literal).map(([a, b]) => `${a} LIKE ${b}`),
      fc.tuple(tie('str'), literal).map(([a, b]) => `${a} NOT ILIKE ${b}`),
      fc
        .tuple(tie('str'), fc.array(literal, { minLength: 1, maxLength: 4 }))
        .map(([a, l]) => `${a} IN (${l})`),
      fc.tuple(tie('num'), tie('num'), tie('num')).map(([a, b, c]) => `${a} BETWEEN ${b} AND ${c}`),
      tie('str').map((t) => `${t} IS NULL`),
      tie('bool').map((b) => `NOT (${b})`),
      fc.tuple(tie('bool'), tie('bool')).map(([a, b]) => `(${a}) AND (${b})`),
      fc.tuple(tie('bool'), tie('bool')).map(([a, b]) => `(${a}) OR (${b})`),
      fc.tuple(tie('str'), literal).map(([a, b]) => `starts_with(${a}, ${b})`),
      fc
        .tuple(tie('bool'), tie('bool'), tie('bool'))
        .map(([a, b, c]) => `CASE WHEN ${a} THEN ${b} ELSE ${c} END`),
      fc.constantFrom("day >= DATE '2024-05-02'", "last_seen < TIMESTAMP '2024-05-02 10:00:00'", 'TRUE'),
    ),
  };
}).bool;

/** The rows a filter selects, or the kind of error it raises. */
async function outcome(where: string): Promise<string[] | string> {
  try {
    return await ids(where);
  } catch (error) {
    return String((error as Error).message).split(':')[0]!;
  }
}

describe('SqlGuard.where on generated expressions', () => {
  it('accepts them and selects exactly the rows the expression itself selects', async () => {
    await fc.assert(
      fc.asyncProperty(generated, async (expr) => {
        const rendered = await guard.where(expr, COLUMNS);
        expect(await outcome(rendered)).toEqual(await outcome(expr));
      }),
      { numRuns: 300 },
    );
  });
});

describe('SqlGuard.where output', () => {
  it('keeps comments and the customer text out of the SQL', async () => {
    const sql = await guard.where("country = 'FR' -- ; DROP TABLE t", COLUMNS, OPTIONS);
    expect(sql).toBe(`("country" = 'FR')`);
  });

  it('renders ordered comparisons as ranks', async () => {
    const sql = await guard.where("score >= 'medium'", COLUMNS, OPTIONS);
    expect(sql).toBe(`((CASE "score" WHEN 'low' THEN 0 WHEN 'medium' THEN 1 WHEN 'high' THEN 2 END) >= 1)`);
  });

  it('matches ordered column names case-insensitively and ignores unknown ones', async () => {
    const options = { orderedColumns: { SCORE: ['low', 'medium', 'high'], missing: ['a', 'b'] } };
    expect(await ids(await guard.where("Score > 'low'", COLUMNS, options))).toEqual([
      'p2',
      'p3',
      'p4',
      'p6',
      'p8',
    ]);
  });

  it('compares strings lexically when the column is not declared ordered', async () => {
    // Plain VARCHAR order: 'high' < 'low' < 'medium'.
    expect(await ids(await guard.where("score >= 'medium'", COLUMNS))).toEqual(['p2', 'p4', 'p8']);
  });

  it('names the allowed values when an ordered column gets an unknown one', async () => {
    const error = await rejection(() => guard.where("score >= 'urgent'", COLUMNS, OPTIONS));
    expect(error.message).toBe(
      `where_expr: 'urgent' is not a valid value: "score" is ordered and takes only these values: 'low', 'medium', 'high'`,
    );
  });

  it('renders quoted identifiers with the canonical column name', async () => {
    const columns = [{ name: 'we"ird', type: 'VARCHAR' }];
    expect(await guard.where(`"WE""IRD" = 'x'`, columns)).toBe(`("we""ird" = 'x')`);
  });

  it('keeps integers and decimals exact, and refuses digits JSON would lose', async () => {
    expect(await guard.where('intent_score = 9007199254740991', COLUMNS)).toBe(
      `("intent_score" = 9007199254740991)`,
    );
    expect(await guard.where('intent_score > -0.005', COLUMNS)).toBe(
      `("intent_score" > CAST('-0.005' AS DECIMAL(4, 3)))`,
    );
    const error = await rejection(() => guard.where('intent_score = 9007199254740993', COLUMNS));
    expect(error.message).toMatch(/too many digits/);
  });

  it('suggests the closest column for a typo', async () => {
    const error = await rejection(() => guard.where("scroe = 'x'", COLUMNS));
    expect(error).toMatchObject({ field: 'where_expr', code: 'expression_invalid' });
    expect(error.message).toMatch(
      /^where_expr: unknown column "scroe" \(did you mean "score"\?\); available columns: person_id,/,
    );
  });

  it('points at the character where a syntax error starts', async () => {
    const error = await rejection(() => guard.where("country = 'é' AND )", COLUMNS));
    expect(error.message).toBe(
      'where_expr: syntax error at or near ")" (at character 19); check brackets, quotes and operators',
    );
  });

  it('limits IN lists (defence in depth: 5001 values cannot fit in 8192 characters)', () => {
    const constant = (value: number): AstNode => ({
      class: 'CONSTANT',
      type: 'VALUE_CONSTANT',
      alias: '',
      query_location: 0,
      value: { type: { id: 'INTEGER', type_info: null }, is_null: false, value },
    });
    const tree: AstNode = {
      class: 'OPERATOR',
      type: 'COMPARE_IN',
      alias: '',
      query_location: 0,
      children: [
        {
          class: 'COLUMN_REF',
          type: 'COLUMN_REF',
          alias: '',
          query_location: 0,
          column_names: ['intent_score'],
        },
        ...[1, 2, 3].map(constant),
      ],
    };
    const scope = { columns: COLUMNS, ordered: new Map(), maxDepth: 64, maxInList: 2 };
    expect(() => renderCondition(tree, scope)).toThrow(RenderError);
    expect(() => renderCondition(tree, scope)).toThrow('an IN list has 3 values; at most 2 are allowed');
    expect(renderCondition(tree, { ...scope, maxInList: 3 })).toBe(`("intent_score" IN (1, 2, 3))`);
    expect(EXPRESSION_LIMITS).toEqual({ maxLength: 8192, maxDepth: 64, maxInList: 5000 });
  });

  it('accepts an expression exactly at the length limit', async () => {
    const expr = `country = '${'x'.repeat(EXPRESSION_LIMITS.maxLength - 12)}'`;
    expect(expr).toHaveLength(EXPRESSION_LIMITS.maxLength);
    await expect(guard.where(expr, COLUMNS)).resolves.toContain('xxx');
  });

  it('accepts brackets nested exactly to the depth limit', async () => {
    const depth = EXPRESSION_LIMITS.maxDepth;
    await expect(guard.where(`${'('.repeat(depth)}country = 'x'${')'.repeat(depth)}`, COLUMNS)).resolves.toBe(
      `("country" = 'x')`,
    );
  });

  it('does not count brackets inside strings, quoted names or comments', async () => {
    const parens = '('.repeat(100);
    const expr = `country = '${parens}' OR "${parens}x" IS NULL OR country = $$${parens}$$ /* ${parens} */`;
    await expect(guard.where(expr, [...COLUMNS, { name: `${parens}x`, type: 'VARCHAR' }])).resolves.toContain(
      parens,
    );
  });
});

describe('SqlGuard.select', () => {
  it('returns canonical column names in the order given', async () => {
    expect(await guard.select('Score, person_id, "DAY"', COLUMNS)).toEqual(['score', 'person_id', 'day']);
  });

  it('allows whitespace, newlines and a trailing comment', async () => {
    expect(await guard.select('\n  country,\n  topic_id -- the topic', COLUMNS)).toEqual([
      'country',
      'topic_id',
    ]);
  });

  it('rejects duplicates, stars, aliases and expressions with a select error', async () => {
    for (const [select, message] of [
      ['country, Country', 'select: column "country" is listed more than once; list each column once'],
      ['*', 'select: * and COLUMNS(…) are not allowed; list the column names'],
      ['country AS c', 'select: aliases are not allowed (country AS c); remove the alias'],
      ['lower(country)', 'select: only plain column names are allowed, found function call lower(…)'],
    ]) {
      const error = await rejection(() => guard.select(select!, COLUMNS));
      expect(error).toMatchObject({ field: 'select', code: 'expression_invalid', message });
    }
  });
});

describe('SqlGuard.column', () => {
  it('returns the canonical name of one plain column, quoted or not', async () => {
    expect(await guard.column('Person_ID', COLUMNS, 'unique_by')).toBe('person_id');
    expect(await guard.column(' "day" -- the day', COLUMNS, 'breakdown_by[1]')).toBe('day');
  });

  it('rejects anything but one known column, naming the field it was given', async () => {
    for (const [name, message] of [
      ['person_id, country', 'unique_by: name exactly one column, not 2'],
      ['lower(country)', 'unique_by: only plain column names are allowed, found function call lower(…)'],
      ['country AS c', 'unique_by: aliases are not allowed (country AS c); remove the alias'],
      ['*', 'unique_by: * and COLUMNS(…) are not allowed; list the column names'],
      ['country; DROP TABLE t', expect.stringMatching(/^unique_by: syntax error/)],
    ] as const) {
      const error = await rejection(() => guard.column(name!, COLUMNS, 'unique_by'));
      expect(error).toMatchObject({ field: 'unique_by', code: 'expression_invalid', message });
    }
    const unknown = await rejection(() => guard.column('shoe_size', COLUMNS, 'breakdown_by[2]'));
    expect(unknown).toMatchObject({ field: 'breakdown_by[2]', code: 'expression_invalid' });
    expect(unknown.message).toMatch(/^breakdown_by\[2\]: unknown column "shoe_size"/);
  });
});

describe('the shared parser', () => {
  it('handles 50 concurrent calls', async () => {
    const calls = Array.from({ length: 50 }, (_, i) =>
      i % 2 === 0
        ? guard.where(`intent_score > ${i} AND score >= 'medium'`, COLUMNS, OPTIONS)
        : guard.select(i % 3 === 0 ? 'country, day' : 'person_id', COLUMNS),
    );
    const results = await Promise.all(calls);
    results.forEach((result, i) => {
      if (i % 2 === 0) expect(result).toContain(`("intent_score" > ${i})`);
      else expect(result).toEqual(i % 3 === 0 ? ['country', 'day'] : ['person_id']);
    });
  });

  it('keeps working when rejected and accepted calls interleave', async () => {
    const calls = Array.from({ length: 20 }, (_, i) =>
      guard.where(i % 2 ? 'nope = 1' : 'intent_score = 1', COLUMNS),
    );
    const settled = await Promise.allSettled(calls);
    settled.forEach((outcome, i) => {
      expect(outcome.status).toBe(i % 2 ? 'rejected' : 'fulfilled');
    });
  });
});

describe('SqlGuard.close', () => {
  it('lets calls made before it finish, then refuses calls that need the parser', async () => {
    const own = new SqlGuard();
    const before = own.select('country', COLUMNS);
    await own.close();
    await expect(before).resolves.toEqual(['country']);
    await expect(own.where('intent_score = 1', COLUMNS)).rejects.toThrow('the SQL parser is closed');
    await expect(own.select('country', COLUMNS)).rejects.toThrow('the SQL parser is closed');
    // Text the cheap checks refuse never reaches the parser, so its answer does not change.
    await expect(rejection(() => own.where(' ', COLUMNS))).resolves.toMatchObject({ field: 'where_expr' });
  });

  it('closes a guard that never parsed anything', async () => {
    const own = new SqlGuard();
    await own.close();
    await expect(own.where('intent_score = 1', COLUMNS)).rejects.toThrow('the SQL parser is closed');
  });
});
