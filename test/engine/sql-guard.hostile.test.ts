import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  EXPRESSION_LIMITS,
  ExpressionError,
  type ExpressionErrorCode,
  SqlGuard,
} from '../../src/engine/sql-guard.ts';
import { COLUMNS, OPTIONS, rejection } from './guard-fixtures.ts';

/** Inputs that must all be refused with the same code and a message matching `message`. */
interface Family {
  name: string;
  code?: ExpressionErrorCode;
  message: RegExp;
  inputs: unknown[];
}

const { maxLength } = EXPRESSION_LIMITS;
const nested = (depth: number, open = '(', close = ')', inner = "country = 'FR'") =>
  open.repeat(depth) + inner + close.repeat(depth);
const numbers = (n: number) => Array.from({ length: n }, (_, i) => i).join(',');

const WHERE: Family[] = [
  {
    name: 'several statements',
    message: /single expression|only one expression/,
    inputs: [
      '1=1; DROP TABLE x',
      "country = 'FR'; DELETE FROM t",
      "1=1; ATTACH 'evil.db' AS e",
      "1=1; COPY t TO '/tmp/x.csv'",
      '1=1; SET enable_external_access = true',
      '1=1; PRAGMA database_list',
      '1=1; INSTALL httpfs',
      '1=1; LOAD httpfs',
      "1=1; EXPORT DATABASE '/tmp/x'",
      '1=1; CALL pragma_version()',
      '1=1; SELECT 1',
      '1=1; FROM t',
      "1=1; SELECT * FROM read_csv('/etc/passwd')",
      '1=1;;SELECT 1',
      '1=1; CREATE TABLE x AS SELECT 1',
      '1=1; INSERT INTO t VALUES (1)',
      "1=1; UPDATE t SET country = 'x'",
      '1=1; DETACH e',
      '1=1; CHECKPOINT',
      '1=1; USE e',
      "1=1;\nSELECT getenv('HOME')",
      '1=1; SET VARIABLE x = 1',
      '1=1; CREATE MACRO m() AS 1',
      "country = 'x' -- a comment\n; DROP TABLE t",
      "1=1; SELECT content FROM read_text('/etc/passwd')",
    ],
  },
  {
    name: 'clauses that escape the WHERE',
    message: /ORDER BY|LIMIT|GROUP BY|HAVING|QUALIFY|SAMPLE|UNION|WINDOW/,
    inputs: [
      // json_serialize_sql drops WINDOW clauses from its output, so these are caught before parsing.
      '1=1 WINDOW w AS ()',
      "1=1 WINDOW w AS (PARTITION BY (SELECT read_text('/etc/passwd')))",
      "country = 'x' window w as (), v AS (w)",
      '1=1) WINDOW w AS (',
      '1=1 ORDER BY 1',
      '1=1 LIMIT 1',
      '1=1 OFFSET 5',
      '1=1 GROUP BY country',
      '1=1 GROUP BY ALL',
      '1=1 GROUP BY country HAVING count(*) > 1',
      '1=1 QUALIFY row_number() OVER () = 1',
      '1=1 USING SAMPLE 10',
      "1=1 UNION SELECT * FROM read_csv('/etc/passwd')",
      '1=1 UNION ALL SELECT 1',
      '1=1 EXCEPT SELECT 1',
      '1=1 INTERSECT SELECT 1',
      '1=1 ORDER BY (SELECT 1)',
      "1=1 LIMIT (SELECT count(*) FROM glob('*'))",
      '1=1 UNION BY NAME SELECT 1',
      "country = 'x' UNION SELECT 1 --",
      '1=1 ORDER BY country DESC LIMIT 1',
    ],
  },
  {
    name: 'subqueries and CTEs',
    message: /subqueries .* are not allowed/,
    inputs: [
      'country IN (SELECT country FROM t)',
      'EXISTS (SELECT 1)',
      '(SELECT 1) = 1',
      "country = (SELECT content FROM read_text('/etc/passwd'))",
      'country IN (WITH x AS (SELECT 1) SELECT * FROM x)',
      "country = ANY (SELECT 'x')",
      'intent_score > ALL (SELECT 1)',
      'intent_score > SOME (SELECT 1)',
      'intent_score = ANY([1, 2])',
      'country IN (FROM t)',
      'country = (TABLE t)',
      "country = (VALUES ('x'))",
      'country = (SHOW tables)',
      'country = (DESCRIBE t)',
      'country = (SUMMARIZE t)',
      "country = (FROM read_csv('/etc/passwd'))",
      "country = (SELECT getenv('HOME'))",
      "NOT EXISTS (FROM glob('/*'))",
      'country IN (1, (SELECT 2))',
      'CASE WHEN (SELECT true) THEN true END',
      'intent_score = (SELECT 1)::INT',
      'ARRAY(SELECT 1) = [1]',
      "country = (SELECT current_setting('home_directory'))",
      "coalesce((SELECT 'x'), country) = 'x'",
      "lower((SELECT 'x')) = 'x'",
      '(SELECT 1 FROM duckdb_settings() LIMIT 1) = 1',
      'country IN (SELECT * FROM (SELECT 1) s)',
      'EXISTS (SELECT 1 FROM t AS t2 WHERE t2.country = country)',
      'country = (SELECT 1 UNION SELECT 2)',
      "read_csv((SELECT '/etc/passwd')) IS NULL",
      "country = (WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT 'x')",
    ],
  },
  {
    name: 'lambdas and list comprehensions',
    message: /lambda functions .* are not allowed/,
    inputs: [
      'list_transform([1], x -> x + 1) = [2]',
      "list_filter(['a'], x -> x = country) = []",
      "[x FOR x IN [country]] = ['FR']",
      '[x FOR x IN [1] IF x > 0] = [1]',
      'list_reduce([1, 2], (x, y) -> x + y) = 3',
      'list_apply([1], lambda x: x + 1) = [2]',
      'array_transform([1], x -> (SELECT 1)) = [1]',
      "list_transform([country], x -> getenv('HOME')) IS NULL",
      'apply([1], x -> x) = [1]',
      'list_transform([country], x -> read_text(x)) IS NULL',
      "map_filter(MAP {'a': 1}, (k, v) -> v > 0) IS NOT NULL",
      'list_has_any(list_transform([1], x -> x), [1])',
    ],
  },
  {
    name: 'table and file functions',
    message: /function \S+ is not allowed/,
    inputs: [
      "read_csv('/etc/passwd') IS NOT NULL",
      "read_csv_auto('/etc/passwd') IS NOT NULL",
      "read_parquet('/data/*.parquet') IS NOT NULL",
      "parquet_scan('/data/x.parquet') IS NOT NULL",
      "read_json('/x.json') IS NOT NULL",
      "read_json_auto('/x.json') IS NOT NULL",
      "read_json_objects('/x.json') IS NOT NULL",
      "read_ndjson('/x.json') IS NOT NULL",
      "read_text('/etc/passwd') IS NOT NULL",
      "read_blob('/etc/passwd') IS NOT NULL",
      "glob('/*') IS NOT NULL",
      "parquet_metadata('/x.parquet') IS NOT NULL",
      "parquet_schema('/x.parquet') IS NOT NULL",
      "parquet_file_metadata('/x.parquet') IS NOT NULL",
      "parquet_kv_metadata('/x.parquet') IS NOT NULL",
      "sniff_csv('/etc/passwd') IS NOT NULL",
      "query('SELECT 1') IS NOT NULL",
      "query_table('t') IS NOT NULL",
      "sql_auto_complete('SEL') IS NOT NULL",
      'duckdb_settings() IS NOT NULL',
      'duckdb_extensions() IS NOT NULL',
      'duckdb_databases() IS NOT NULL',
      'duckdb_tables() IS NOT NULL',
      'duckdb_functions() IS NOT NULL',
      'duckdb_secrets() IS NOT NULL',
      'pragma_version() IS NOT NULL',
      'pragma_database_list() IS NOT NULL',
      'range(10) IS NOT NULL',
      'generate_series(1, 10) IS NOT NULL',
      'unnest([1]) = 1',
      "read_csv('https://evil.example/x.csv') IS NOT NULL",
      "read_parquet('s3://bucket/x.parquet') IS NOT NULL",
      "json_execute_serialized_sql('{}') IS NOT NULL",
      "iceberg_scan('/x') IS NOT NULL",
      "sqlite_scan('/x.db', 't') IS NOT NULL",
      '"read_csv"(\'/etc/passwd\') IS NOT NULL',
      "READ_CSV('/etc/passwd') IS NOT NULL",
      "main.read_csv('/etc/passwd') IS NOT NULL",
      "system.main.read_text('/etc/passwd') IS NOT NULL",
      "country = read_text('/etc/passwd')",
      "length(read_blob('/etc/passwd')) > 0",
      "lower(read_text('/etc/passwd')) = 'x'",
    ],
  },
  {
    name: 'settings, environment and system functions',
    message: /function \S+ is not allowed/,
    inputs: [
      "getenv('HOME') = 'x'",
      "current_setting('home_directory') = 'x'",
      "getvariable('x') = 1",
      'current_database() = country',
      'current_schema() = country',
      'current_schemas(true) IS NOT NULL',
      'version() = country',
      "pg_catalog.getenv('HOME') = 'x'",
      "set_config('x', 'y', false) = 'y'",
      "which_secret('s3://x', 's3') IS NULL",
      "typeof(country) = 'VARCHAR'",
      "error('boom') IS NULL",
      'country = chr(0)',
      'enum_range(NULL::VARCHAR) IS NULL',
      'txid_current() > 0',
      "country = current_setting('temp_directory')",
    ],
  },
  {
    name: 'sequences, randomness and clocks',
    message: /function \S+ is not allowed: its result changes between runs/,
    inputs: [
      "nextval('s') > 0",
      "currval('s') > 0",
      'random() < 0.5',
      'uuid() IS NOT NULL',
      'gen_random_uuid() IS NOT NULL',
      'setseed(0.5) IS NULL',
      'uuidv4() IS NOT NULL',
      'uuidv7() IS NOT NULL',
      'now() > last_seen',
      'get_current_timestamp() > last_seen',
      'today() > day',
      'transaction_timestamp() > last_seen',
      'current_timestamp() > last_seen',
      'current_date() > day',
      'get_current_time() IS NOT NULL',
      'last_seen > now() - INTERVAL 1 DAY',
    ],
  },
  {
    name: 'statements written inside the expression',
    // `ATTACH 'x'` parses as a typed literal, i.e. CAST('x' AS ATTACH).
    message: /syntax error|single expression|unknown column "checkpoint"|CAST to ATTACH|must be a condition/i,
    inputs: [
      "ATTACH 'x' AS y",
      "country = 'x' OR ATTACH 'x'",
      "(COPY t TO '/tmp/x')",
      'SET enable_external_access = true',
      'country = (SET x = 1)',
      'PRAGMA version',
      'INSTALL httpfs',
      'LOAD httpfs',
      "EXPORT DATABASE '/tmp/x'",
      'CALL pragma_version()',
      'country = (CALL pragma_version())',
      'DETACH x',
      'USE x',
      'CHECKPOINT',
      "country IN (ATTACH 'x')",
      "country = 'x' AND (INSTALL httpfs)",
      'DROP TABLE t',
      "CREATE SECRET (TYPE s3, KEY_ID 'x')",
      'RESET enable_external_access',
    ],
  },
  {
    name: 'quotes and comments that try to close the wrapping query',
    // `*/` alone is a (refused) postfix operator, and `" OR ""="` is one quoted (unknown) column name.
    message:
      /syntax error|unterminated|could not be parsed|function \*\/__postfix is not allowed|unknown column/,
    inputs: [
      "1=1) UNION SELECT * FROM read_csv('/etc/passwd') --",
      '1=1) --',
      "country = 'a' /*",
      "'a' = 'a' /*",
      "country = 'x' */ OR 1=1",
      'x"; DROP TABLE t; --',
      "country = 'unterminated",
      'country = "unterminated',
      'country = $$unterminated',
      'country = $tag$x$other$',
      "country = '\\'' OR 1=1 --",
      "country = U&'\\0041'",
      "country = 'x' /* unterminated /* nested */",
      "country = 'x') OR (1=1",
      '1=1)) UNION ((SELECT 1',
      "country = '' ''",
      "country = 'x' || '",
      "country IN ('a', 'b'",
      "country = ('x'",
      "country = 'x')",
      "(((country = 'x')",
      "country = 'x' AND",
      '/* only a comment */',
      '-- only a comment',
      'country = $$x$$ OR $$',
      "') OR ('1'='1",
      "' OR '1'='1",
      "x' OR 1=1 --",
      '" OR ""="',
      "country = 'x' \\; DROP TABLE t",
      "country = E'\\x00'",
      "country = 'x' INTO OUTFILE '/tmp/x'",
      "country = 'a' 'b'",
    ],
  },
  {
    name: 'control, invisible and text-direction characters',
    message: /character U\+[0-9A-F]{4} at position \d+ is not allowed/,
    inputs: [
      "country = 'FR'\u0000",
      "country\u0000 = 'FR'",
      "country = 'F\u0000R'",
      "country = 'FR'\u0001",
      "country = 'FR'\u0008",
      "country = 'FR'\u000b",
      "country = 'FR'\u000c",
      "country = '\u001b[31mFR'",
      "country = 'FR'\u007f",
      "country = 'FR'\u0085",
      "country = 'FR'\u009b",
      "country = '\u202aFR'",
      "country = '\u202bFR'",
      "country = 'FR\u202c'",
      "country = '\u202dFR'",
      "country = 'RF\u202e'",
      "country = '\u2066FR\u2069'",
      "country = '\u2067FR'",
      "country = '\u2068FR'",
      "country = 'FR'\u2069",
      "country = 'F\u200eR'",
      "country = 'F\u200fR'",
      "country = 'F\u061cR'",
      "coun\u200btry = 'FR'",
      "country = 'F\u200cR'",
      "country = 'F\u200dR'",
      "\ufeffcountry = 'FR'",
      "country = 'F\u2060R'",
      "coun\u00adtry = 'FR'",
      "country = 'FR'\u2028OR 1=1",
      "country = 'FR'\u2029",
      "country = '\ud800'",
      "country = '\udc00FR'",
      "country = 'FR' -- \u202e hidden",
    ],
  },
  {
    name: 'look-alike column names',
    message: /unknown column ".*" \(it contains non-ASCII characters; retype it\)/,
    inputs: [
      "\u0441ountry = 'FR'", // Cyrillic es
      "c\u043euntry = 'FR'", // Cyrillic o
      "c\u03bfuntry = 'FR'", // Greek omicron
      "\uff43\uff4f\uff55\uff4e\uff54\uff52\uff59 = 'FR'", // fullwidth
      "p\u0435rson_id = 'p1'", // Cyrillic ie
      "\u0455core = 'high'", // Cyrillic dze
      'd\u0430y IS NULL', // Cyrillic a
      '\u0131ntent_score > 1', // dotless i
      "topic_\u0131d = 'x'",
      '"\u0441ountry" = \'FR\'',
      "countr\u0443 = 'FR'", // Cyrillic u
      'intent_\u0455core > 1',
    ],
  },
  {
    name: 'JavaScript property names as functions and columns',
    message: /function \S+ is not allowed|unknown column/,
    inputs: [
      "constructor(country) = 'x'",
      "__proto__(country) = 'x'",
      "toString(country) = 'x'",
      'valueOf(intent_score) > 1',
      'hasOwnProperty(country)',
      "__defineGetter__(country, 'x') IS NULL",
      '"constructor" = \'x\'',
      '__proto__ IS NULL',
      'prototype = 1',
      "isPrototypeOf(country) = 'x'",
    ],
  },
  {
    name: 'unknown columns',
    message: /unknown column/,
    inputs: [
      "scroe = 'high'",
      '"scroe" = \'x\'',
      '"country " = \'x\'',
      '" country" = \'x\'',
      '"country""" = \'x\'',
      "password = 'x'",
      'rowid = 1',
      "filename = 'x'",
      'file_row_number = 1',
      'current_date > day',
      'current_timestamp > last_seen',
      "CURRENT_USER = 'x'",
      "user = 'x'",
      "session_user = 'x'",
      'localtimestamp > last_seen',
      '"COUNTRY2" = \'x\'',
      '_ = 1',
      "t = 'x'",
      'country = "FR"',
      'country IN t',
    ],
  },
  {
    name: 'qualified names, indexing and constructors',
    message: /qualified names|indexing and field access|constructors|plain name/,
    inputs: [
      "t.country = 'x'",
      '"t"."country" = \'x\'',
      "main.t.country = 'x'",
      "memory.main.t.country = 'x'",
      'country.x = 1',
      "country[1] = 'x'",
      "country[1:2] = 'x'",
      '[1, 2] = [1, 2]',
      "{'a': 1} IS NOT NULL",
      '(1, 2) = (1, 2)',
      'ROW(1) IS NOT NULL',
      "MAP {'a': 1} IS NOT NULL",
      'ARRAY[1] IS NOT NULL',
      'struct_pack(a := 1) IS NOT NULL',
      "{'a': 1}.a = 1",
      "country.lower() = 'x'",
      "(country, topic_id) IN (('FR', 'x'))",
      'list_value(country) IS NOT NULL',
    ],
  },
  {
    name: 'stars, parameters, positions and collations',
    message: /\* and COLUMNS|parameters|positional references|COLLATE|unsupported/,
    inputs: [
      '* IS NOT NULL',
      'COLUMNS(*) IS NOT NULL',
      "COLUMNS('c.*') = 'x'",
      't.* IS NOT NULL',
      'country = $1',
      'country = ?',
      'country = $name',
      "#1 = 'x'",
      "country = 'x' COLLATE nocase",
      'country COLLATE "C" = \'x\'',
      'country = DEFAULT',
      'intent_score = TRY(1)',
      'GROUPING(country) = 1',
      "*COLUMNS('.*') IS NULL",
    ],
  },
  {
    name: 'aggregates and window functions',
    message: /aggregate functions cannot be used|window functions .* are not allowed/,
    inputs: [
      'count(*) > 0',
      'count(country) > 1',
      'sum(intent_score) > 1',
      'avg(intent_score) > 1',
      'min(intent_score) = 1',
      'max(day) = day',
      "string_agg(country, ',') = 'x'",
      'list(country) IS NOT NULL',
      'array_agg(country) IS NOT NULL',
      "any_value(country) = 'x'",
      'median(intent_score) > 1',
      'count(DISTINCT country) > 1',
      'sum(intent_score) FILTER (WHERE intent_score > 1) > 1',
      "first(country ORDER BY day) = 'x'",
      'row_number() OVER () = 1',
      'rank() OVER (ORDER BY intent_score) = 1',
      "lag(country) OVER () = 'x'",
      'sum(intent_score) OVER (PARTITION BY country) > 10',
      'ntile(2) OVER () = 1',
      'bool_and(intent_score > 1)',
      'quantile_cont(intent_score, 0.5) > 1',
      "arg_max(country, intent_score) = 'x'",
      "mode(country) = 'x'",
      'count(*) OVER (ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) > 1',
    ],
  },
  {
    name: 'scalar functions, operators and casts outside the allowlist',
    message: /is not allowed|at most 1000|replacement may not be longer|named arguments/,
    inputs: [
      "repeat(country, 1000000) = 'x'",
      "regexp_replace(country, 'a', 'b') = 'x'",
      "printf('%s', country) = 'x'",
      "format('{}', country) = 'x'",
      'country::JSON = 1',
      "country::BLOB = 'x'",
      'country::TIMESTAMPTZ IS NULL',
      'country::INT[] IS NULL',
      'country::STRUCT(a INT) IS NULL',
      'country::MAP(INT, INT) IS NULL',
      "country::ENUM('a') IS NULL",
      'country::UUID IS NULL',
      'country::DECIMAL(40, 2) IS NULL',
      'intent_score ** 2 > 1',
      'intent_score ^ 2 > 1',
      'intent_score & 1 = 1',
      'intent_score << 1 > 1',
      'intent_score! > 1',
      '@intent_score > 1',
      "country ->> '$.a' = 'x'",
      "lpad(country, 100000000, 'x') = 'x'",
      "lpad(country, intent_score, 'x') = 'x'",
      "rpad(country, 1001, 'x') = 'x'",
      "replace(replace(country, 'a', 'aaaaaaaa'), 'a', 'aaaaaaaa') = 'x'",
      "replace(country, '', 'x') = 'x'",
      "replace(country, country, 'x') = 'x'",
      "country AT TIME ZONE 'UTC' IS NULL",
      "lower(x := country) = 'x'",
      'country = `x`',
      'sleep_ms(100000) IS NULL',
    ],
  },
  {
    name: 'ordered columns misused',
    message: /"score" is ordered and takes only these values: 'low', 'medium', 'high'|ordered column/,
    inputs: [
      "score > 'urgent'",
      "score BETWEEN 'low' AND 'max'",
      "score IN ('low', 'HIGH')",
      "score = 'Medium'",
      'score > country',
      'score >= 1',
      'score > NULL',
      "score BETWEEN intent_score AND 'high'",
      "'medium' BETWEEN score AND 'high'",
      "score <> 'none'",
      "score > lower('HIGH')",
      "score NOT IN ('low', 'mid')",
      "score IS DISTINCT FROM 'hi'",
      "'urgent' < score",
    ],
  },
  {
    name: 'not a condition',
    message: /must be a condition/,
    inputs: [
      '1',
      "'x'",
      'NULL',
      'country',
      'intent_score + 1',
      'lower(country)',
      'CAST(country AS INTEGER)',
      'NOT intent_score',
      "country = 'x' AND 1",
      "country = 'x' OR day",
    ],
  },
  {
    name: 'empty or not a string',
    message: /is empty|must be a string/,
    inputs: ['', '   ', '\n\t', 42, null, undefined, { sql: '1=1' }, ['1=1']],
  },
  {
    name: 'numbers that cannot be represented exactly',
    message: /too many digits|out of range/,
    inputs: [
      'intent_score = 9007199254740993',
      'intent_score = 123456789012345678901234567890',
      'intent_score < 1e400',
      'intent_score = 1.0000000000000000000000000001',
      'intent_score = -9223372036854775808',
      'intent_score > 99999999999999999999',
      'intent_score > 0.12345678901234567',
    ],
  },
  {
    name: 'too long',
    code: 'expression_too_long',
    message: new RegExp(`limit is ${maxLength} characters`),
    inputs: [
      `country = '${'x'.repeat(maxLength)}'`,
      'a'.repeat(maxLength + 1),
      `intent_score IN (${numbers(EXPRESSION_LIMITS.maxInList + 1)})`,
      `${"country = 'x' OR ".repeat(600)}1=1`,
      `${' '.repeat(maxLength)}1=1`,
      `country = 'x' -- ${'y'.repeat(maxLength)}`,
    ],
  },
  {
    name: 'too deep',
    code: 'expression_too_deep',
    message: /nested/,
    inputs: [
      nested(65),
      nested(100),
      nested(1000),
      nested(10_000),
      nested(100, '['),
      '('.repeat(100_000),
      `${'- '.repeat(100)}intent_score > 1`,
      `${'NOT '.repeat(101)}starts_with(country, 'x')`,
      `${'NOT '.repeat(1500)}country = 'x'`,
      `${nested(70, 'lower(', ')', 'country')} = 'x'`,
      `${Array(100).fill('intent_score').join(' + ')} > 1`,
      `${'CASE WHEN true THEN '.repeat(70)}true${' END'.repeat(70)}`,
      `country IN (${nested(70, '(', ')', "'x'")})`,
    ],
  },
];

const SELECT: Family[] = [
  {
    name: 'stars',
    message: /\* and COLUMNS/,
    inputs: ['*', '* EXCLUDE (country)', 'COLUMNS(*)', "COLUMNS('c.*')", 't.*', 'country, *'],
  },
  {
    name: 'aliases',
    message: /aliases are not allowed/,
    inputs: ['country AS c', 'country c', 'country AS "person_id"', 'score AS score'],
  },
  {
    name: 'expressions instead of column names',
    message: /only plain column names are allowed|qualified names|parameters/,
    inputs: [
      'lower(country)',
      '1',
      "'x'",
      'NULL',
      "country || 'x'",
      'intent_score + 1',
      'CAST(country AS INT)',
      'count(*)',
      'row_number() OVER ()',
      '(SELECT 1)',
      "country, read_csv('/etc/passwd')",
      "read_csv('/etc/passwd')",
      "getenv('HOME')",
      '#1',
      '$1',
      't.country',
      'country[1]',
    ],
  },
  {
    name: 'unknown columns',
    message: /unknown column/,
    inputs: [
      'scroe',
      '\u0441ountry',
      'rowid',
      'filename',
      'country, nope',
      'constructor',
      '__proto__',
      'toString',
    ],
  },
  {
    name: 'duplicates',
    message: /listed more than once/,
    inputs: ['country, country', 'country, COUNTRY', '"country", country'],
  },
  {
    name: 'clauses and statements',
    message: /syntax error|not allowed|unterminated/,
    inputs: [
      'DISTINCT country',
      'country FROM t --',
      'country; DROP TABLE t',
      'country UNION SELECT 1',
      'country ORDER BY 1',
      "country FROM read_csv('/etc/passwd') --",
      'country WHERE 1=1',
      'country LIMIT 1',
      'country /*',
    ],
  },
  {
    name: 'empty, not a string or odd characters',
    message: /is empty|must be a string|character U\+/,
    inputs: ['', '  ', 'country\u202e', 'country\u0000', 'coun\u200btry', 7],
  },
  {
    name: 'too long',
    code: 'expression_too_long',
    message: new RegExp(`limit is ${maxLength} characters`),
    inputs: ['c'.repeat(maxLength + 1), Array(2000).fill('country').join(', ')],
  },
  {
    name: 'too deep',
    code: 'expression_too_deep',
    message: /nested/,
    inputs: [nested(100, '(', ')', 'country'), nested(10_000, '(', ')', 'country')],
  },
];

const inputCount = (families: Family[]) => families.reduce((n, f) => n + f.inputs.length, 0);

function label(input: unknown): string {
  const text = typeof input === 'string' ? input : `(${typeof input}) ${String(input)}`;
  const shown = JSON.stringify(text.length > 70 ? `${text.slice(0, 60)}…` : text);
  return text.length > 70 ? `${shown} (${text.length} chars)` : shown;
}

function cases(family: Family) {
  return family.inputs.map((input, index) => ({ name: `#${index + 1} ${label(input)}`, input }));
}

const guard = new SqlGuard();

afterAll(async () => {
  await guard.close();
});

describe('hostile corpus', () => {
  it('has at least 220 where_expr inputs and 30 select inputs, none repeated', () => {
    expect(inputCount(WHERE)).toBeGreaterThanOrEqual(220);
    expect(inputCount(SELECT)).toBeGreaterThanOrEqual(30);
    for (const families of [WHERE, SELECT]) {
      const all = families.flatMap((f) => f.inputs).map((input) => JSON.stringify(input) ?? 'undefined');
      expect(new Set(all).size).toBe(all.length);
    }
  });
});

describe.each(WHERE)('where_expr: $name', (family) => {
  it.each(cases(family))('rejects $name', async ({ input }) => {
    const started = performance.now();
    const error = await rejection(() => guard.where(input as string, COLUMNS, OPTIONS));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error.field).toBe('where_expr');
    expect(error.code).toBe(family.code ?? 'expression_invalid');
    expect(error.message).toMatch(/^where_expr: /);
    expect(error.message).toMatch(family.message);
  });
});

/** Fragments a hostile customer might combine: valid pieces, quotes, comments, keywords and dangerous calls. */
// biome-ignore format: a compact list reads better than one fragment per line.
const TOKENS = [
  'country', 'intent_score', 'score', 'day', '"country"', 't.country', 'rowid', "'FR'", "'x''y'", "'medium'", '1',
  '-1', '1.5', '1e999', 'NULL', 'TRUE', '=', '<>', '>=', '<', 'AND', 'OR', 'NOT', 'IN', 'IS', 'LIKE', 'BETWEEN',
  '+', '-', '*', '/', '||', '::', 'VARCHAR', 'JSON', '(', ')', '[', ']', '{', '}', ',', '.', ';', "'", '"', '$$',
  '$a$', '--', '/*', '*/', '\n', 'E', 'SELECT', 'FROM', 'WHERE', 'UNION', 'WINDOW', 'ORDER BY', 'LIMIT', 'WITH',
  'EXISTS', 'ATTACH', 'COPY', 'PRAGMA', 'SET', 'lower(', 'read_csv(', "read_text('/etc/passwd')", 'getenv(',
  'now()', 'count(*)', 'x -> x', 'OVER ()', '$1', '?', '#1', '*', 'COLLATE', '\u202e', '\u0000', '\u0441',
  "country = 'FR'", "score >= 'medium'", 'intent_score > 1', "lower(country) LIKE '%r'", 'day IS NULL',
  'constructor(', '__proto__(', 'toString(',
];

describe('random combinations of hostile fragments', () => {
  it('are refused with an ExpressionError or rendered as SQL that is itself accepted and runs', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`CREATE TABLE t (person_id VARCHAR, topic_id VARCHAR, intent_score INTEGER, country VARCHAR,
      last_seen TIMESTAMP, score VARCHAR, day DATE)`);
    await connection.run("INSERT INTO t VALUES ('p1', 'a', 1, 'FR', NULL, 'low', DATE '2024-05-01')");
    await connection.run('SET enable_external_access = false');
    const soup = fc
      .array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 12 })
      .chain((tokens) =>
        fc
          .array(fc.constantFrom(' ', ''), { minLength: tokens.length, maxLength: tokens.length })
          .map((gaps) => tokens.map((token, i) => token + gaps[i]).join('')),
      );
    let accepted = 0;
    try {
      await fc.assert(
        fc.asyncProperty(soup, async (expr) => {
          let rendered: string;
          try {
            rendered = await guard.where(expr, COLUMNS, OPTIONS);
          } catch (error) {
            expect(error).toBeInstanceOf(ExpressionError);
            return;
          }
          accepted++;
          const again = await guard.where(rendered, COLUMNS, OPTIONS);
          expect(await guard.where(again, COLUMNS, OPTIONS)).toBe(again);
          try {
            await connection.run(`SELECT count(*) FROM t WHERE ${rendered}`);
          } catch (error) {
            // Type errors are the customer's to fix; anything about syntax, catalogs or permissions is ours.
            expect(String(error)).not.toMatch(
              /Parser Error|Catalog Error|Permission Error|Invalid Input Error: .*extension/,
            );
          }
        }),
        { numRuns: 1500, examples: [["country = 'FR' OR intent_score > 1"], ["score >= 'medium' -- */"]] },
      );
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    expect(accepted).toBeGreaterThan(0);
  });
});

describe.each(SELECT)('select: $name', (family) => {
  it.each(cases(family))('rejects $name', async ({ input }) => {
    const error = await rejection(() => guard.select(input as string, COLUMNS));
    expect(error.field).toBe('select');
    expect(error.code).toBe(family.code ?? 'expression_invalid');
    expect(error.message).toMatch(/^select: /);
    expect(error.message).toMatch(family.message);
  });
});
