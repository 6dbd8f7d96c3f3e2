/**
 * Guards the SQL fragments customers send (`where_expr`, `select`). Their text is never pasted into
 * a query: DuckDB's own parser turns it into a tree (`json_serialize_sql`, with the text bound as a
 * parameter), the tree is checked against an allowlist, and the SQL that runs is rendered from the
 * checked tree by `sql-render.ts`.
 */
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { type AstNode, checkKeys, hasShape, isNode, RenderError } from './sql-ast.ts';
import { resolveColumn } from './sql-columns.ts';
import { type RenderScope, renderCondition } from './sql-render.ts';
import { FORBIDDEN_HINT, findForbiddenCharacter } from './sql-scan.ts';

function table<T>(entries: Record<string, T>): ReadonlyMap<string, T> {
  return new Map(Object.entries(entries));
}

/** A column of the data being filtered; `type` is a DuckDB type name such as `VARCHAR` or `BIGINT`. */
export interface ColumnInfo {
  name: string;
  type: string;
}

export type ExpressionErrorCode = 'expression_invalid' | 'expression_too_long' | 'expression_too_deep';

/** A customer expression was refused; `message` names the problem and what to change. */
export class ExpressionError extends Error {
  constructor(
    readonly field: 'where_expr' | 'select',
    readonly code: ExpressionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

export interface GuardOptions {
  /**
   * Columns compared as ordered enums, e.g. `{ score: ['low', 'medium', 'high'] }` makes
   * `score >= 'medium'` mean medium or high. Names match columns case-insensitively; names that
   * are not columns of this data are ignored.
   */
  orderedColumns?: Record<string, readonly string[]>;
}

/** Limits applied to every expression: characters, nesting depth, and values in one IN list. */
export const EXPRESSION_LIMITS: {
  readonly maxLength: number;
  readonly maxDepth: number;
  readonly maxInList: number;
} = Object.freeze({ maxLength: 8192, maxDepth: 64, maxInList: 5000 });

type Field = ExpressionError['field'];

const WHERE_PREFIX = 'SELECT * FROM t WHERE ';
const SELECT_PREFIX = 'SELECT ';
// The newline keeps a trailing `-- comment` in the select list from swallowing our FROM clause.
const SELECT_SUFFIX = '\nFROM t';

/** Validates a where_expr against the columns and returns safe SQL rendered from the parsed tree. */
export async function guardWhere(
  expr: string,
  columns: readonly ColumnInfo[],
  options: GuardOptions = {},
): Promise<string> {
  const field = 'where_expr';
  precheck(field, expr);
  const node = await parseWrapped(field, WHERE_PREFIX, expr, '');
  const list = nodeArray(field, node.select_list);
  if (list.length !== 1 || !hasShape(list[0]!, BARE_STAR))
    fail(field, 'unsupported syntax (the select list changed)');
  const where = node.where_clause;
  if (!isNode(where)) fail(field, 'the expression is empty');
  return withField(field, () => renderCondition(where, scopeFor(columns, options)));
}

/** Validates a select list (plain column names only, comma-separated, no duplicates) and returns the column names in order. */
export async function guardSelect(select: string, columns: readonly ColumnInfo[]): Promise<string[]> {
  const field = 'select';
  precheck(field, select);
  const node = await parseWrapped(field, SELECT_PREFIX, select, SELECT_SUFFIX);
  // Our own `t` must be the table: a select list that brings its own `FROM t --` is refused.
  const ownTable = Buffer.byteLength(SELECT_PREFIX + select + SELECT_SUFFIX) - 't'.length;
  if ((node.from_table as AstNode).query_location !== ownTable || node.where_clause !== null) {
    fail(field, 'list column names only; FROM, WHERE and other clauses are not allowed');
  }
  const names: string[] = [];
  for (const item of nodeArray(field, node.select_list)) {
    names.push(withField(field, () => selectedColumn(item, columns)));
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) fail(field, `column "${name}" is listed more than once; list each column once`);
    seen.add(name);
  }
  if (names.length === 0) fail(field, 'list at least one column name');
  return names;
}

/** Closes the shared parser instance (tests/shutdown). */
export async function closeSqlGuard(): Promise<void> {
  // Queued like a parse, so calls made before closing finish on the old instance and later ones open a new one.
  const closing = queue.then(async () => {
    const current = parser;
    parser = undefined;
    const open = await current?.catch(() => undefined);
    open?.connection.closeSync();
    open?.instance.closeSync();
  });
  queue = closing.catch(() => undefined);
  await closing;
}

const BARE_STAR = {
  class: 'STAR',
  type: 'STAR',
  alias: '',
  relation_name: '',
  exclude_list: [],
  replace_list: [],
  columns: false,
  expr: null,
  qualified_exclude_list: [],
  rename_list: [],
};

const OUR_TABLE = {
  type: 'BASE_TABLE',
  alias: '',
  sample: null,
  schema_name: '',
  table_name: 't',
  column_name_alias: [],
  catalog_name: '',
  at_clause: null,
};

const SELECT_ITEMS = table({
  CONSTANT: 'a constant value',
  SUBQUERY: 'a subquery',
  POSITIONAL_REFERENCE: 'a positional reference (#1)',
  WINDOW: 'a window function',
});

function selectedColumn(item: AstNode, columns: readonly ColumnInfo[]): string {
  if (item.class === 'STAR')
    throw new RenderError('expression_invalid', '* and COLUMNS(…) are not allowed; list the column names');
  if (item.class !== 'COLUMN_REF') {
    const what =
      item.class === 'FUNCTION'
        ? `function call ${String(item.function_name)}(…)`
        : (SELECT_ITEMS.get(String(item.class)) ?? 'an expression');
    throw new RenderError('expression_invalid', `only plain column names are allowed, found ${what}`);
  }
  checkKeys(item, ['class', 'type', 'alias', 'query_location', 'column_names'], 'column');
  const names = item.column_names;
  if (!Array.isArray(names) || names.length !== 1 || typeof names[0] !== 'string') {
    throw new RenderError(
      'expression_invalid',
      'qualified names and struct fields are not allowed; use the plain column name',
    );
  }
  if (item.alias !== '')
    throw new RenderError(
      'expression_invalid',
      `aliases are not allowed (${names[0]} AS ${String(item.alias)}); remove the alias`,
    );
  return resolveColumn(columns, names[0]);
}

function scopeFor(columns: readonly ColumnInfo[], options: GuardOptions): RenderScope {
  const ordered = new Map<string, readonly string[]>();
  for (const [name, values] of Object.entries(options.orderedColumns ?? {})) {
    try {
      ordered.set(resolveColumn(columns, name), values);
    } catch {
      // An ordered column missing from this data set simply cannot be referenced.
    }
  }
  return { columns, ordered, maxDepth: EXPRESSION_LIMITS.maxDepth, maxInList: EXPRESSION_LIMITS.maxInList };
}

function fail(field: Field, message: string, code: ExpressionErrorCode = 'expression_invalid'): never {
  throw new ExpressionError(field, code, `${field}: ${message}`);
}

function withField<T>(field: Field, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof RenderError) fail(field, error.message, error.code);
    throw error;
  }
}

function nodeArray(field: Field, value: unknown): AstNode[] {
  if (!Array.isArray(value) || !value.every(isNode)) fail(field, 'unsupported syntax (malformed parse tree)');
  return value;
}

/** Cheap checks before the parser sees the text: they bound its work and refuse invisible tricks. */
function precheck(field: Field, text: unknown): asserts text is string {
  if (typeof text !== 'string') fail(field, 'must be a string');
  if (text.trim() === '') {
    fail(
      field,
      `is empty; write ${field === 'select' ? 'column names such as person_id, country' : "a condition such as country = 'FR'"}`,
    );
  }
  const { depth, window } = scanText(text, EXPRESSION_LIMITS.maxDepth);
  if (depth > EXPRESSION_LIMITS.maxDepth) {
    fail(
      field,
      `brackets are nested more than ${EXPRESSION_LIMITS.maxDepth} levels deep; simplify the expression`,
      'expression_too_deep',
    );
  }
  if (text.length > EXPRESSION_LIMITS.maxLength) {
    fail(
      field,
      `is ${text.length} characters long; the limit is ${EXPRESSION_LIMITS.maxLength} characters`,
      'expression_too_long',
    );
  }
  const bad = findForbiddenCharacter(text);
  if (bad) fail(field, `character ${bad} is not allowed; ${FORBIDDEN_HINT}`);
  // json_serialize_sql silently drops a WINDOW clause, so it would otherwise pass unseen.
  if (window) fail(field, 'WINDOW clauses are not allowed');
}

const DOLLAR_TAG = /\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/y;
const WORD = /[A-Za-z_][A-Za-z0-9_$]*/y;
const IDENTIFIER_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;

/**
 * Finds the deepest nesting of ( [ { outside quoted text and comments (stopping early once over
 * `limit`) and whether the bare keyword WINDOW occurs. It follows DuckDB's lexer closely enough
 * that a mismatch can only under-count, and the tree depth is checked again after parsing.
 */
function scanText(text: string, limit: number): { depth: number; window: boolean } {
  let depth = 0;
  let deepest = 0;
  let window = false;
  let i = 0;
  while (i < text.length && deepest <= limit) {
    const c = text[i]!;
    const previous = text[i - 1] ?? ' ';
    if (c === "'") {
      const escapes = /[eE]/.test(previous) && !IDENTIFIER_CHAR.test(text[i - 2] ?? ' ');
      i = endOfQuoted(text, i, "'", escapes);
    } else if (c === '"') {
      i = endOfQuoted(text, i, '"', false);
    } else if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      i = endOfBlockComment(text, i);
    } else if (c === '$' && !IDENTIFIER_CHAR.test(previous) && dollarTagAt(text, i)) {
      const tag = dollarTagAt(text, i)!;
      const end = text.indexOf(tag, i + tag.length);
      i = end < 0 ? text.length : end + tag.length;
    } else if (/[A-Za-z_]/.test(c) && !IDENTIFIER_CHAR.test(previous)) {
      WORD.lastIndex = i;
      const word = WORD.exec(text)![0];
      window ||= word.toLowerCase() === 'window';
      i += word.length;
    } else {
      if (c === '(' || c === '[' || c === '{') deepest = Math.max(deepest, ++depth);
      else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
      i++;
    }
  }
  return { depth: deepest, window };
}

/** The `$tag$` opening a dollar-quoted string at `start`, if there is one. */
function dollarTagAt(text: string, start: number): string | undefined {
  DOLLAR_TAG.lastIndex = start;
  return DOLLAR_TAG.exec(text)?.[0];
}

function endOfQuoted(text: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < text.length) {
    if (backslashEscapes && text[i] === '\\') i += 2;
    else if (text[i] !== quote) i++;
    else if (text[i + 1] === quote) i += 2;
    else return i + 1;
  }
  return text.length;
}

function endOfBlockComment(text: string, start: number): number {
  let level = 0;
  let i = start;
  while (i < text.length) {
    if (text.startsWith('/*', i)) {
      level++;
      i += 2;
    } else if (text.startsWith('*/', i)) {
      level--;
      i += 2;
      if (level === 0) return i;
    } else {
      i++;
    }
  }
  return text.length;
}

/** Parses `prefix + text + suffix`, checks the statement shape around the text and returns the SELECT node. */
async function parseWrapped(field: Field, prefix: string, text: string, suffix: string): Promise<AstNode> {
  const sql = prefix + text + suffix;
  const json = await serialize(sql);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    // DuckDB writes out-of-range numbers (1e400) as bare Infinity, which is not JSON.
    fail(field, 'contains a value that cannot be represented, such as a number that is out of range');
  }
  if (!isNode(parsed)) fail(field, 'could not be parsed');
  if (parsed.error !== false)
    fail(field, parserMessage(parsed, sql, prefix.length, text.length), parserCode(parsed));
  const statements = nodeArray(field, parsed.statements);
  if (statements.length !== 1)
    fail(field, 'only one expression is allowed; remove ";" and anything after it');
  const statement = statements[0]!;
  checkKeys(statement, ['node', 'named_param_map'], 'statement');
  if (!Array.isArray(statement.named_param_map) || statement.named_param_map.length > 0) {
    fail(field, 'parameters ($1, ?, $name) are not allowed; write the value itself');
  }
  const node = statement.node;
  if (!isNode(node) || node.type !== 'SELECT_NODE') {
    fail(
      field,
      node && isNode(node) && node.type === 'SET_OPERATION_NODE'
        ? 'UNION, EXCEPT and INTERSECT are not allowed'
        : 'unsupported syntax',
    );
  }
  withField(field, () => checkKeys(node, SELECT_KEYS, 'query'));
  const modifier = nodeArray(field, node.modifiers)[0];
  if (modifier)
    fail(field, MODIFIERS.get(String(modifier.type)) ?? 'ORDER BY, LIMIT and DISTINCT are not allowed');
  if (!isNode(node.cte_map) || JSON.stringify(node.cte_map) !== '{"map":[]}')
    fail(field, 'WITH (common table expressions) is not allowed');
  if (!isNode(node.from_table) || !hasShape(node.from_table, OUR_TABLE)) {
    fail(field, 'FROM, JOIN and table references are not allowed');
  }
  if (
    JSON.stringify(node.group_expressions) !== '[]' ||
    JSON.stringify(node.group_sets) !== '[]' ||
    node.aggregate_handling !== 'STANDARD_HANDLING'
  ) {
    fail(field, 'GROUP BY is not allowed');
  }
  if (node.having !== null) fail(field, 'HAVING is not allowed');
  if (node.qualify !== null) fail(field, 'QUALIFY is not allowed');
  if (node.sample !== null) fail(field, 'USING SAMPLE is not allowed');
  return node;
}

const SELECT_KEYS = [
  'type',
  'modifiers',
  'cte_map',
  'select_list',
  'from_table',
  'where_clause',
  'group_expressions',
  'group_sets',
  'aggregate_handling',
  'having',
  'sample',
  'qualify',
];

const MODIFIERS = table({
  ORDER_MODIFIER: 'ORDER BY is not allowed',
  LIMIT_MODIFIER: 'LIMIT and OFFSET are not allowed',
  LIMIT_PERCENT_MODIFIER: 'LIMIT and OFFSET are not allowed',
  DISTINCT_MODIFIER: 'DISTINCT is not allowed',
});

function parserCode(error: AstNode): ExpressionErrorCode {
  return String(error.error_message).includes('expression depth')
    ? 'expression_too_deep'
    : 'expression_invalid';
}

function parserMessage(error: AstNode, sql: string, prefixLength: number, textLength: number): string {
  const message = String(error.error_message ?? 'unknown error');
  if (message.includes('Only SELECT statements')) {
    return 'must be a single expression; statements such as DROP, COPY, ATTACH, SET, PRAGMA, INSTALL or CALL are not allowed';
  }
  if (message.includes('expression depth')) return 'the expression is nested too deeply; simplify it';
  const position = Number(error.position);
  const hint = '; check brackets, quotes and operators';
  if (error.position !== undefined && Number.isInteger(position) && position >= 0) {
    // Unlike node locations (bytes), DuckDB reports error positions in code points of the whole statement.
    const offset = Array.from(sql).slice(0, position).join('').length - prefixLength;
    if (offset >= textLength) return `syntax error at the end of the text${hint}`;
    if (offset >= 0) return `${message} (at character ${offset + 1})${hint}`;
  }
  return `${message.startsWith('syntax error') ? '' : 'could not be parsed: '}${message}${hint}`;
}

interface Parser {
  instance: DuckDBInstance;
  connection: DuckDBConnection;
}

let parser: Promise<Parser> | undefined;
let queue: Promise<unknown> = Promise.resolve();

async function openParser(): Promise<Parser> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    // The parser never runs customer SQL, but lock it down anyway so a future mistake cannot reach files or extensions.
    for (const setting of [
      'enable_external_access = false',
      'autoload_known_extensions = false',
      'autoinstall_known_extensions = false',
      'lock_configuration = true',
    ]) {
      await connection.run(`SET ${setting}`);
    }
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    throw error;
  }
  return { instance, connection };
}

/** Parses of recent statements: parsing is pure, and clients send the same segments again and again. */
const recentParses = new Map<string, string>();
const PARSES_KEPT = 512;
/** Larger parse trees (long IN lists) are not kept, so the cache stays under PARSES_KEPT × 32 KB. */
const LARGEST_KEPT = 32 * 1024;

/**
 * Parses one statement on the shared connection; calls are queued because a connection runs one
 * query at a time. A statement parsed recently is answered from memory.
 */
async function serialize(sql: string): Promise<string> {
  const known = recentParses.get(sql);
  if (known !== undefined) return known;
  const json = await parse(sql);
  if (json.length > LARGEST_KEPT) return json;
  if (recentParses.size >= PARSES_KEPT) recentParses.delete(recentParses.keys().next().value!);
  recentParses.set(sql, json);
  return json;
}

function parse(sql: string): Promise<string> {
  const run = queue.then(async () => {
    if (!parser) {
      const opening = openParser();
      parser = opening;
      // A failed start is retried by the next call instead of failing every call from now on.
      opening.catch(() => {
        if (parser === opening) parser = undefined;
      });
    }
    const { connection } = await parser;
    const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql]);
    const value = reader.getRows()[0]?.[0];
    if (typeof value !== 'string') throw new Error('json_serialize_sql returned no text');
    return value;
  });
  queue = run.catch(() => undefined);
  return run;
}
