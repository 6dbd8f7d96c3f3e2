/**
 * Guards the SQL fragments customers send (`where_expr`, `select`). Their text is never pasted into
 * a query: DuckDB's own parser turns it into a tree (`sql-parser.ts`), the tree is checked against
 * the allowlist (`sql-allowlist.ts`), and the SQL that runs is rendered from the checked tree by
 * `sql-render.ts`.
 */
import { BARE_STAR, MODIFIERS, OUR_TABLE, SELECT_ITEMS, SELECT_KEYS } from './sql-allowlist.ts';
import { type AstNode, checkKeys, hasShape, isNode, nodes, RenderError } from './sql-ast.ts';
import { resolveColumn } from './sql-columns.ts';
import { SqlParser } from './sql-parser.ts';
import { quoteIdentifier } from './sql-quote.ts';
import { type RenderScope, renderCondition } from './sql-render.ts';
import { precheck } from './sql-scan.ts';

/** A column of the data being filtered; `type` is a DuckDB type name such as `VARCHAR` or `BIGINT`. */
export interface ColumnInfo {
  name: string;
  type: string;
}

export type ExpressionErrorCode = RenderError['code'];

/** A customer expression was refused; `message` names the problem and what to change. */
export class ExpressionError extends Error {
  constructor(
    /** The request field: `where_expr`, `select`, or one that names columns (`unique_by`, `breakdown_by[1]`). */
    readonly field: string,
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

/**
 * Checks customer expressions against the columns of the data they filter. It owns a DuckDB parser,
 * opened on first use: whoever creates the guard closes it (the server, on shutdown).
 */
export class SqlGuard {
  private readonly parser = new SqlParser();

  /** Validates a where_expr against the columns and returns safe SQL rendered from the parsed tree. */
  async where(expr: string, columns: readonly ColumnInfo[], options: GuardOptions = {}): Promise<string> {
    const field = 'where_expr';
    withField(field, () => precheck(expr, field, EXPRESSION_LIMITS));
    const node = await parseWrapped(this.parser, field, WHERE_PREFIX, expr, '');
    const list = withField(field, () => nodes(node.select_list));
    if (list.length !== 1 || !hasShape(list[0]!, BARE_STAR))
      fail(field, 'unsupported syntax (the select list changed)');
    const where = node.where_clause;
    if (!isNode(where)) fail(field, 'the expression is empty');
    const rendered = withField(field, () => renderCondition(where, scopeFor(columns, options)));
    // A literal its column's type cannot take fails every job the task would run: say so now.
    const problem = await this.parser.tryCondition(columns, rendered);
    if (problem !== null) fail(field, typeProblem(problem, columns, rendered));
    return rendered;
  }

  /** Validates a select list (plain column names only, comma-separated, no duplicates) and returns the column names in order. */
  async select(select: string, columns: readonly ColumnInfo[]): Promise<string[]> {
    const field = 'select';
    const names: string[] = [];
    for (const item of await this.selectItems(select, field)) {
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

  /**
   * Validates one plain column name (as `select` checks each of its names) for the request field
   * `field`, and returns the column's exact name.
   */
  async column(name: string, columns: readonly ColumnInfo[], field: string): Promise<string> {
    const items = await this.selectItems(name, field);
    if (items.length !== 1) fail(field, `name exactly one column, not ${items.length}`);
    return withField(field, () => selectedColumn(items[0]!, columns));
  }

  /** The items of a select list of column names, parsed for `field` (not yet checked as names). */
  private async selectItems(text: string, field: Field): Promise<AstNode[]> {
    withField(field, () => precheck(text, 'select', EXPRESSION_LIMITS));
    const node = await parseWrapped(this.parser, field, SELECT_PREFIX, text, SELECT_SUFFIX);
    // Our own `t` must be the table: a select list that brings its own `FROM t --` is refused.
    const ownTable = Buffer.byteLength(SELECT_PREFIX + text + SELECT_SUFFIX) - 't'.length;
    if ((node.from_table as AstNode).query_location !== ownTable || node.where_clause !== null) {
      fail(field, 'list column names only; FROM, WHERE and other clauses are not allowed');
    }
    return withField(field, () => nodes(node.select_list));
  }

  /**
   * Closes the parser once the calls already made have finished. The guard does not reopen: later
   * calls that need the parser reject with an `Error` (text the cheap checks refuse is still refused
   * with an `ExpressionError`).
   */
  close(): Promise<void> {
    return this.parser.close();
  }
}

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

/**
 * DuckDB's complaint about a literal, with the types of the columns the filter uses, so the message
 * names the column, its type and the value: "Could not convert string 'high' to INT32 (the filter's
 * columns: intent_score INTEGER); write a value of the column's type".
 */
function typeProblem(problem: string, columns: readonly ColumnInfo[], rendered: string): string {
  const message = problem.replace(/^[A-Za-z ]+Error: /, '');
  const used = columns.filter((column) => rendered.includes(quoteIdentifier(column.name)));
  const types = used.map((column) => `${column.name} ${column.type}`).join(', ');
  return `${message}${types ? ` (the filter's columns: ${types})` : ''}; write a value of the column's type`;
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

/** Parses `prefix + text + suffix`, checks the statement shape around the text and returns the SELECT node. */
async function parseWrapped(
  parser: SqlParser,
  field: Field,
  prefix: string,
  text: string,
  suffix: string,
): Promise<AstNode> {
  const sql = prefix + text + suffix;
  const json = await parser.serialize(sql);
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
  const statements = withField(field, () => nodes(parsed.statements));
  if (statements.length !== 1)
    fail(field, 'only one expression is allowed; remove ";" and anything after it');
  const statement = statements[0]!;
  withField(field, () => checkKeys(statement, ['node', 'named_param_map'], 'statement'));
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
  const modifier = withField(field, () => nodes(node.modifiers))[0];
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
