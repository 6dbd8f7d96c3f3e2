/**
 * Checks a where_expr parse tree (the JSON that DuckDB's `json_serialize_sql` produces) against an
 * allowlist and renders the SQL that will actually run from that tree. Nothing of the customer's
 * text reaches the output except through `quoteIdentifier` / `quoteString` / numbers we format
 * ourselves, so comments and quote tricks in the input cannot survive.
 */
import { quoteIdentifier, quoteString } from './sql-quote.ts';

/** One node of DuckDB's serialised parse tree. */
export type AstNode = { readonly [key: string]: unknown };

/** Why a tree was rejected; the guard turns it into an `ExpressionError` for the right field. */
export class RenderError extends Error {
  constructor(
    readonly code: 'expression_invalid' | 'expression_too_long' | 'expression_too_deep',
    message: string,
  ) {
    super(message);
    this.name = 'RenderError';
  }
}

/** What the renderer needs to know about the data and the limits. */
export interface RenderScope {
  columns: readonly { name: string; type: string }[];
  /** Canonical column name → its values from lowest to highest. */
  ordered: ReadonlyMap<string, readonly string[]>;
  maxDepth: number;
  maxInList: number;
}

/**
 * Characters rejected anywhere in the input and in string constants: C0/C1 controls except tab and
 * line breaks, and invisible or text-direction characters that make the text read differently
 * from how it parses.
 */
function isForbidden(code: number): boolean {
  if (code < 0x20) return code !== 0x09 && code !== 0x0a && code !== 0x0d;
  if (code < 0x7f) return false;
  return (
    code <= 0x9f ||
    code === 0xad ||
    code === 0x61c ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x2028 && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x2064) ||
    (code >= 0x2066 && code <= 0x2069) ||
    code === 0xfeff ||
    (code >= 0xd800 && code <= 0xdfff) // only reachable for an unpaired surrogate
  );
}

/** Describes the first forbidden character in `text` (e.g. `U+202E at position 5`), or returns undefined. */
export function findForbiddenCharacter(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const code = text.codePointAt(i)!;
    if (isForbidden(code))
      return `U+${code.toString(16).toUpperCase().padStart(4, '0')} at position ${i + 1}`;
    if (code > 0xffff) i++;
  }
  return undefined;
}

/** How to fix a forbidden character. */
export const FORBIDDEN_HINT = 'remove control, invisible and text-direction characters';

/** DuckDB folds unquoted identifiers with ASCII rules only, so we do the same. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Finds a column the way DuckDB binds one: exact name first, then case-insensitively. */
export function resolveColumn(columns: RenderScope['columns'], name: string): string {
  if (columns.some((c) => c.name === name)) return name;
  const matches = columns.filter((c) => asciiLower(c.name) === asciiLower(name));
  if (matches.length === 1) return matches[0]!.name;
  if (matches.length > 1) {
    throw new RenderError(
      'expression_invalid',
      `column "${name}" is ambiguous; write it with its exact case in double quotes`,
    );
  }
  throw new RenderError('expression_invalid', unknownColumnMessage(columns, name));
}

const SESSION_WORDS = new Set(
  words(`current_date current_time current_timestamp localtime localtimestamp now today current_user user
    session_user current_role current_schema current_catalog current_database`),
);

function unknownColumnMessage(columns: RenderScope['columns'], name: string): string {
  const names = columns.map((c) => c.name);
  const list = names.length > 30 ? `${names.slice(0, 30).join(', ')}, …` : names.join(', ');
  let hint = '';
  if (SESSION_WORDS.has(asciiLower(name)))
    hint = ' (current time, date, user and session values are not allowed)';
  else if (/[^\x20-\x7e]/.test(name) && !names.some((n) => /[^\x20-\x7e]/.test(n))) {
    hint = ' (it contains non-ASCII characters; retype it)';
  } else {
    const close = names.find((n) => editDistance(asciiLower(n), asciiLower(name)) <= 2);
    if (close) hint = ` (did you mean "${close}"?)`;
  }
  return `unknown column "${name}"${hint}; available columns: ${list}`;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length]!;
}

function words(text: string): string[] {
  return text.trim().split(/\s+/);
}

/**
 * A lookup table as a Map: keys come from parsed customer text (function names such as
 * `constructor` or `__proto__`), which must never reach inherited object properties.
 */
export function table<T>(entries: Record<string, T>): ReadonlyMap<string, T> {
  return new Map(Object.entries(entries));
}

const COMPARISONS = table({
  COMPARE_EQUAL: '=',
  COMPARE_NOTEQUAL: '<>',
  COMPARE_LESSTHAN: '<',
  COMPARE_GREATERTHAN: '>',
  COMPARE_LESSTHANOREQUALTO: '<=',
  COMPARE_GREATERTHANOREQUALTO: '>=',
  COMPARE_DISTINCT_FROM: 'IS DISTINCT FROM',
  COMPARE_NOT_DISTINCT_FROM: 'IS NOT DISTINCT FROM',
});
const RANGE_COMPARISONS = new Set(['<', '>', '<=', '>=']);
const CONJUNCTIONS = table({ CONJUNCTION_AND: 'AND', CONJUNCTION_OR: 'OR' });
const UNARY = table({
  OPERATOR_NOT: 'NOT',
  OPERATOR_IS_NULL: 'IS NULL',
  OPERATOR_IS_NOT_NULL: 'IS NOT NULL',
});

/** Operators (DuckDB serialises them as functions) → how many operands they take. */
const OPERATORS: ReadonlyMap<string, readonly number[]> = new Map([
  ...words('* / % // || ~~ !~~ ~~* !~~* ~~~ ^@').map((op): [string, number[]] => [op, [2]]),
  ['+', [1, 2]],
  ['-', [1, 2]],
]);

/**
 * Pure scalar functions: deterministic, no access to files, settings, sequences or other rows.
 * Some are only reachable through syntax: EXTRACT → date_part, POSITION → position,
 * LIKE … ESCAPE → like_escape, INTERVAL n DAY → to_days(trunc(n)).
 */
const FUNCTIONS = new Set(
  words(`lower upper lcase ucase length strlen trim ltrim rtrim substr substring left right concat starts_with
    ends_with prefix suffix contains replace split_part lpad rpad position strpos instr regexp_matches
    regexp_full_match like_escape not_like_escape ilike_escape not_ilike_escape nullif abs round floor ceil ceiling
    sign trunc greatest least date_trunc date_part datepart year quarter month week day dayofmonth dayofweek
    dayofyear isodow hour minute second strftime epoch make_date to_timestamp to_years to_months to_weeks to_days
    to_hours to_minutes to_seconds md5 sha256 hash`),
);

/** Functions and operators that may return a boolean, so they can stand alone as a condition. */
const MAYBE_BOOLEAN = new Set(
  words(`~~ !~~ ~~* !~~* ~~~ ^@ starts_with ends_with prefix suffix contains regexp_matches regexp_full_match
    like_escape not_like_escape ilike_escape not_ilike_escape nullif greatest least`),
);

const AGGREGATES =
  /^(count|count_star|sum|avg|mean|min|max|any_value|first|last|arg_?(min|max)|string_agg|group_concat|list|array_agg|median|mode|quantile\w*|stddev\w*|var\w*|bool_(and|or)|bit_(and|or|xor)|product|histogram|approx_\w+|entropy|kurtosis|skewness|corr|covar\w*|regr_\w+|fsum|sumkahan|favg)$/;
const UNSTABLE =
  /^(random|setseed|uuid|gen_random_uuid|uuidv[47]|nextval|currval|now|today|current_(date|time|timestamp|localtimestamp)|get_current_\w+|transaction_timestamp|localtime\w*)$/;
const SYSTEM =
  /^(read_\w+|\w+_scan|glob|parquet_\w+|sniff_csv|query|query_table|sql_auto_complete|getenv|getvariable|current_\w+|set_config|version|duckdb_\w+|pragma_\w+|which_secret|json_execute_serialized_sql)$/;
const CONSTRUCTORS = new Set(['list_value', 'struct_pack', 'row', 'map', 'array_value', 'union_value']);

const CAST_TYPES = new Set(
  words(
    'BOOLEAN TINYINT SMALLINT INTEGER BIGINT HUGEINT UTINYINT USMALLINT UINTEGER UBIGINT FLOAT DOUBLE VARCHAR DATE TIMESTAMP TIME INTERVAL',
  ),
);

const INTEGER_TYPES = new Set(
  words('TINYINT SMALLINT INTEGER BIGINT HUGEINT UTINYINT USMALLINT UINTEGER UBIGINT'),
);
/** lpad/rpad build strings of the requested length for every row; cap it so a filter cannot exhaust memory. */
const MAX_PAD = 1000;

const REJECTED = table({
  SUBQUERY: 'subqueries (SELECT, EXISTS, IN (SELECT …), ANY/ALL) are not allowed',
  WINDOW: 'window functions (… OVER …) are not allowed',
  LAMBDA: 'lambda functions (x -> …) and list comprehensions are not allowed',
  STAR: '* and COLUMNS(…) are not allowed; name the columns',
  PARAMETER: 'parameters ($1, ?, $name) are not allowed; write the value itself',
  POSITIONAL_REFERENCE: 'positional references (#1) are not allowed; use the column name',
  COLLATE: 'COLLATE is not allowed; use lower(…) or ILIKE for case-insensitive matching',
  ARRAY_EXTRACT: 'indexing and field access ([…], .field) are not allowed',
  ARRAY_SLICE: 'indexing and field access ([…], .field) are not allowed',
  STRUCT_EXTRACT: 'indexing and field access ([…], .field) are not allowed',
  ARRAY_CONSTRUCTOR: 'list, struct and row constructors ([…], {…}, ROW(…)) are not allowed',
});

const COMMON_KEYS = ['class', 'type', 'alias', 'query_location'];
const KEYS = table<readonly string[]>({
  COLUMN_REF: ['column_names'],
  CONSTANT: ['value'],
  COMPARISON: ['left', 'right'],
  CONJUNCTION: ['children'],
  OPERATOR: ['children'],
  BETWEEN: ['input', 'lower', 'upper'],
  CASE: ['case_checks', 'else_expr'],
  CAST: ['child', 'cast_type', 'try_cast'],
  FUNCTION: words('function_name schema children filter order_bys distinct is_operator export_state catalog'),
});

function invalid(message: string): never {
  throw new RenderError('expression_invalid', message);
}

/** A JSON object (not an array or null). */
export function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `node` has exactly the keys of `expected` (plus `query_location`) with equal JSON values. */
export function hasShape(node: AstNode, expected: Record<string, unknown>): boolean {
  const keys = Object.keys(node).filter((key) => key !== 'query_location');
  return (
    keys.length === Object.keys(expected).length &&
    keys.every(
      (key) => Object.hasOwn(expected, key) && JSON.stringify(node[key]) === JSON.stringify(expected[key]),
    )
  );
}

function nodes(value: unknown): AstNode[] {
  if (!Array.isArray(value) || !value.every(isNode)) invalid('unsupported syntax (malformed parse tree)');
  return value;
}

/** Rejects fields this code does not know, so a parser upgrade cannot smuggle in new semantics. */
export function checkKeys(node: AstNode, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(node)) {
    if (!allowed.includes(key)) invalid(`unsupported syntax (${what} with "${key}")`);
  }
}

/** The string value of a plain VARCHAR constant, or undefined for anything else. */
function stringConstant(node: AstNode): string | undefined {
  if (node.class !== 'CONSTANT' || !isNode(node.value) || !isNode(node.value.type)) return undefined;
  return node.value.type.id === 'VARCHAR' && typeof node.value.value === 'string'
    ? node.value.value
    : undefined;
}

/** Renders a validated where_expr tree as SQL. */
export function renderCondition(root: AstNode, scope: RenderScope): string {
  rejectHiddenQueries(root);
  return new Renderer(scope).condition(root, 1);
}

/**
 * Reports a subquery, lambda or window anywhere in the tree before anything else, so the message
 * names the construct even when it sits inside something else that is also refused.
 */
function rejectHiddenQueries(root: AstNode): void {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null) continue;
    const cls = (value as AstNode).class;
    if (cls === 'SUBQUERY' || cls === 'LAMBDA' || cls === 'WINDOW') invalid(REJECTED.get(cls)!);
    pending.push(...Object.values(value));
  }
}

class Renderer {
  constructor(private readonly scope: RenderScope) {}

  /**
   * A node that must be a condition. Bare constants other than TRUE/FALSE, non-boolean columns and
   * casts, and functions known to return non-booleans are rejected here with a clear message;
   * anything subtler (e.g. a CASE returning numbers) is left to DuckDB's binder at run time.
   */
  condition(node: AstNode, depth: number): string {
    const what = this.nonBoolean(node);
    if (what)
      invalid(`the expression must be a condition (true or false), e.g. intent_score >= 50, but ${what}`);
    return this.render(node, depth);
  }

  private nonBoolean(node: AstNode): string | undefined {
    if (node.class === 'CONSTANT' && isNode(node.value) && isNode(node.value.type)) {
      return node.value.type.id === 'BOOLEAN' ? undefined : 'a bare value was given';
    }
    if (node.class === 'CAST' && isNode(node.cast_type) && node.cast_type.id !== 'BOOLEAN')
      return 'a CAST to a non-boolean type was given';
    if (node.class === 'COLUMN_REF' && Array.isArray(node.column_names) && node.column_names.length === 1) {
      const name = resolveColumn(this.scope.columns, String(node.column_names[0]));
      const type = this.scope.columns.find((c) => c.name === name)?.type;
      return type && !['BOOLEAN', 'BOOL'].includes(type.toUpperCase())
        ? `column "${name}" is ${type}`
        : undefined;
    }
    if (node.class === 'FUNCTION' && typeof node.function_name === 'string') {
      const name = asciiLower(node.function_name);
      if ((FUNCTIONS.has(name) || OPERATORS.has(name)) && !MAYBE_BOOLEAN.has(name))
        return `${name} does not return true or false`;
    }
    return undefined;
  }

  render(node: AstNode, depth: number): string {
    if (depth > this.scope.maxDepth) {
      throw new RenderError(
        'expression_too_deep',
        `the expression is nested more than ${this.scope.maxDepth} levels deep; simplify it`,
      );
    }
    const cls = String(node.class);
    const keys = KEYS.get(cls);
    if (!keys) invalid(REJECTED.get(cls) ?? `unsupported syntax (${cls})`);
    checkKeys(node, [...COMMON_KEYS, ...keys], cls);
    if (node.alias !== '') invalid('aliases and named arguments (AS name, name := value) are not allowed');
    const next = depth + 1;
    switch (cls) {
      case 'COLUMN_REF':
        return this.column(node);
      case 'CONSTANT':
        return this.constant(node);
      case 'COMPARISON':
        return this.comparison(node, next);
      case 'CONJUNCTION': {
        const op = CONJUNCTIONS.get(String(node.type));
        const children = nodes(node.children);
        if (!op || children.length < 2) invalid(`unsupported syntax (${String(node.type)})`);
        return `(${children.map((c) => this.condition(c, next)).join(` ${op} `)})`;
      }
      case 'OPERATOR':
        return this.operator(node, next);
      case 'BETWEEN':
        return this.between(node, next);
      case 'CASE': {
        const checks = nodes(node.case_checks).map((check) => {
          checkKeys(check, ['when_expr', 'then_expr'], 'CASE');
          return `WHEN ${this.child(check.when_expr, next)} THEN ${this.child(check.then_expr, next)}`;
        });
        if (checks.length === 0) invalid('CASE needs at least one WHEN');
        return `(CASE ${checks.join(' ')} ELSE ${this.child(node.else_expr, next)} END)`;
      }
      case 'CAST': {
        const keyword = node.try_cast === true ? 'TRY_CAST' : 'CAST';
        if (node.try_cast !== undefined && typeof node.try_cast !== 'boolean')
          invalid('unsupported syntax (CAST)');
        return `${keyword}(${this.child(node.child, next)} AS ${castType(node.cast_type)})`;
      }
      default:
        return this.func(node, next);
    }
  }

  private child(value: unknown, depth: number): string {
    if (!isNode(value)) invalid('unsupported syntax (malformed parse tree)');
    return this.render(value, depth);
  }

  private column(node: AstNode): string {
    const names = node.column_names;
    if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string'))
      invalid('unsupported column reference');
    if (names.length > 1)
      invalid(
        `"${names.join('.')}": qualified names and struct fields are not allowed; use the plain column name`,
      );
    return quoteIdentifier(resolveColumn(this.scope.columns, String(names[0])));
  }

  private constant(node: AstNode): string {
    const value = node.value;
    if (!isNode(value) || !isNode(value.type)) invalid('unsupported constant');
    checkKeys(value, ['type', 'is_null', 'value'], 'constant');
    checkKeys(value.type, ['id', 'type_info'], 'constant type');
    const id = String(value.type.id);
    const v = value.value;
    if (value.is_null === true) return 'NULL';
    if (id !== 'DECIMAL' && value.type.type_info !== null) invalid(`unsupported constant of type ${id}`);
    if (id === 'VARCHAR' && typeof v === 'string') {
      const bad = findForbiddenCharacter(v);
      if (bad) invalid(`a string literal contains character ${bad} of the literal; ${FORBIDDEN_HINT}`);
      return quoteString(v);
    }
    if (id === 'BOOLEAN' && typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
    // JSON numbers beyond 2^53 have already lost digits in JSON.parse, so they are refused, not rounded.
    if (INTEGER_TYPES.has(id) && typeof v === 'number') {
      if (!Number.isSafeInteger(v)) invalid(tooLarge());
      return v < 0 ? `(${v})` : String(v);
    }
    if (id === 'DECIMAL') return decimal(value.type.type_info, v);
    if ((id === 'DOUBLE' || id === 'FLOAT') && typeof v === 'number' && Number.isFinite(v)) {
      return `CAST(${quoteString(String(v))} AS ${id})`;
    }
    if (id === 'HUGEINT' || id === 'UHUGEINT') invalid(tooLarge());
    return invalid(`unsupported constant of type ${id}`);
  }

  private ordered(node: unknown): [string, readonly string[]] | undefined {
    if (!isNode(node) || node.class !== 'COLUMN_REF' || !Array.isArray(node.column_names)) return undefined;
    if (node.column_names.length !== 1) return undefined;
    const name = resolveColumn(this.scope.columns, String(node.column_names[0]));
    const values = this.scope.ordered.get(name);
    return values ? [name, values] : undefined;
  }

  private comparison(node: AstNode, depth: number): string {
    const op = COMPARISONS.get(String(node.type));
    if (!op || !isNode(node.left) || !isNode(node.right))
      invalid(`unsupported comparison (${String(node.type)})`);
    const left = this.ordered(node.left);
    const right = this.ordered(node.right);
    if ((left || right) && RANGE_COMPARISONS.has(op)) {
      const [column, values] = (left ?? right)!;
      const rank = rankOf(column, values, left ? node.right : node.left, op);
      return left
        ? `(${rankExpression(column, values)} ${op} ${rank})`
        : `(${rank} ${op} ${rankExpression(column, values)})`;
    }
    if (left) checkOrderedValue(left, node.right);
    if (right) checkOrderedValue(right, node.left);
    return `(${this.render(node.left, depth)} ${op} ${this.render(node.right, depth)})`;
  }

  private between(node: AstNode, depth: number): string {
    if (
      node.type !== 'COMPARE_BETWEEN' ||
      !isNode(node.input) ||
      !isNode(node.lower) ||
      !isNode(node.upper)
    ) {
      invalid('unsupported syntax (BETWEEN)');
    }
    if (this.ordered(node.lower) || this.ordered(node.upper)) {
      invalid("an ordered column cannot be a BETWEEN bound; write e.g. score BETWEEN 'low' AND 'medium'");
    }
    const ordered = this.ordered(node.input);
    if (ordered) {
      const [column, values] = ordered;
      const low = rankOf(column, values, node.lower, 'BETWEEN');
      const high = rankOf(column, values, node.upper, 'BETWEEN');
      return `(${rankExpression(column, values)} BETWEEN ${low} AND ${high})`;
    }
    const [input, lower, upper] = [node.input, node.lower, node.upper].map((n) => this.render(n, depth));
    return `(${input} BETWEEN ${lower} AND ${upper})`;
  }

  private operator(node: AstNode, depth: number): string {
    const children = nodes(node.children);
    const type = String(node.type);
    const unary = UNARY.get(type);
    if (unary && children.length === 1) {
      return type === 'OPERATOR_NOT'
        ? `(NOT ${this.condition(children[0]!, depth)})`
        : `(${this.render(children[0]!, depth)} ${unary})`;
    }
    if ((type === 'COMPARE_IN' || type === 'COMPARE_NOT_IN') && children.length >= 2) {
      const [subject, ...list] = children as [AstNode, ...AstNode[]];
      if (list.length > this.scope.maxInList) {
        throw new RenderError(
          'expression_too_long',
          `an IN list has ${list.length} values; at most ${this.scope.maxInList} are allowed`,
        );
      }
      const ordered = this.ordered(subject);
      if (ordered) for (const item of list) checkOrderedValue(ordered, item);
      const keyword = type === 'COMPARE_IN' ? 'IN' : 'NOT IN';
      return `(${this.render(subject, depth)} ${keyword} (${list.map((c) => this.render(c, depth)).join(', ')}))`;
    }
    if (type === 'OPERATOR_COALESCE' && children.length >= 1) {
      return `coalesce(${children.map((c) => this.render(c, depth)).join(', ')})`;
    }
    return invalid(REJECTED.get(type) ?? `unsupported operator (${type})`);
  }

  private func(node: AstNode, depth: number): string {
    const name = asciiLower(String(node.function_name));
    const orderBys = node.order_bys;
    if (CONSTRUCTORS.has(name))
      invalid('list, struct and row constructors ([…], {…}, (a, b)) are not allowed');
    if (!FUNCTIONS.has(name) && !OPERATORS.has(name)) invalid(functionMessage(name));
    // The parser itself writes main.date_part for EXTRACT (and similar); main is DuckDB's builtin schema.
    if ((node.schema !== '' && node.schema !== 'main') || node.catalog !== '') {
      invalid(
        `function ${name} must be called by its plain name, e.g. ${name}(country), not as a method or qualified name`,
      );
    }
    if (
      node.filter !== null ||
      node.distinct !== false ||
      node.export_state !== false ||
      typeof node.is_operator !== 'boolean' ||
      !isNode(orderBys) ||
      orderBys.type !== 'ORDER_MODIFIER' ||
      !Array.isArray(orderBys.orders) ||
      orderBys.orders.length > 0
    ) {
      invalid(`function ${name}: DISTINCT, FILTER, ORDER BY and EXPORT_STATE are not allowed`);
    }
    checkKeys(orderBys, ['type', 'orders'], 'ORDER BY');
    const children = nodes(node.children);
    checkFunctionArguments(name, children);
    const args = children.map((c) => this.render(c, depth));
    const arity = OPERATORS.get(name);
    if (!arity) return `${name}(${args.join(', ')})`;
    if (!arity.includes(args.length)) invalid(`operator ${name} needs ${arity.join(' or ')} operands`);
    return args.length === 1 ? `(${name} ${args[0]})` : `(${args[0]} ${name} ${args[1]})`;
  }
}

function functionMessage(name: string): string {
  if (AGGREGATES.test(name))
    return `function ${name} is not allowed: aggregate functions cannot be used in a row filter`;
  if (UNSTABLE.test(name)) return `function ${name} is not allowed: its result changes between runs`;
  if (SYSTEM.test(name))
    return `function ${name} is not allowed: it reads files, settings or the environment`;
  const allowed = [...FUNCTIONS]
    .filter((f) => !f.includes('like_escape'))
    .sort()
    .join(', ');
  return `function ${name} is not allowed; allowed functions: ${allowed}`;
}

/** Refuses arguments that would let one row's result grow without bound (nested replace/lpad). */
function checkFunctionArguments(name: string, children: AstNode[]): void {
  if (name === 'lpad' || name === 'rpad') {
    const length = children[1];
    const value = length?.class === 'CONSTANT' && isNode(length.value) ? length.value.value : undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value > MAX_PAD) {
      invalid(`${name}: the length must be a whole number constant of at most ${MAX_PAD}`);
    }
  }
  if (name === 'replace') {
    const from = children[1] && stringConstant(children[1]);
    const to = children[2] && stringConstant(children[2]);
    if (from === undefined || to === undefined || from.length === 0 || to.length > from.length) {
      invalid(
        'replace: the search and replacement must be string constants, and the replacement may not be longer than the search text',
      );
    }
  }
}

function castType(type: unknown): string {
  if (!isNode(type)) invalid('unsupported CAST');
  checkKeys(type, ['id', 'type_info'], 'CAST type');
  const id = String(type.id);
  if (id === 'DECIMAL' && isNode(type.type_info)) {
    const { width, scale } = decimalInfo(type.type_info);
    return `DECIMAL(${width}, ${scale})`;
  }
  if (!CAST_TYPES.has(id) || type.type_info !== null) {
    const shown = id === 'UNBOUND' && isNode(type.type_info) ? String(type.type_info.name) : id;
    invalid(`CAST to ${shown} is not allowed; allowed types: ${[...CAST_TYPES].join(', ')}, DECIMAL(p,s)`);
  }
  return id;
}

function decimalInfo(info: AstNode): { width: number; scale: number } {
  const { width, scale } = info;
  if (typeof width !== 'number' || typeof scale !== 'number') invalid('unsupported DECIMAL type');
  const shape = { type: 'DECIMAL_TYPE_INFO', alias: '', extension_info: null, width, scale };
  const inRange =
    Number.isInteger(width) && Number.isInteger(scale) && 0 <= scale && scale <= width && width <= 38;
  if (!inRange || !hasShape(info, shape)) invalid('unsupported DECIMAL type');
  return { width, scale };
}

function decimal(info: unknown, value: unknown): string {
  if (!isNode(info)) invalid('unsupported DECIMAL constant');
  const { width, scale } = decimalInfo(info);
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) invalid(tooLarge());
  const digits = String(Math.abs(value)).padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return `CAST('${value < 0 ? '-' : ''}${text}' AS DECIMAL(${width}, ${scale}))`;
}

function tooLarge(): string {
  return `a number has too many digits; use at most 15 significant digits (integers up to ${Number.MAX_SAFE_INTEGER})`;
}

function orderedValues(column: string, values: readonly string[]): string {
  return `"${column}" is ordered and takes only these values: ${values.map(quoteString).join(', ')}`;
}

/** The rank of the string constant an ordered column is range-compared with. */
function rankOf(column: string, values: readonly string[], other: unknown, op: string): number {
  const value = isNode(other) ? stringConstant(other) : undefined;
  if (value === undefined) {
    invalid(
      `${orderedValues(column, values)}; with ${op} compare it only with one of them, e.g. "${column}" >= ${quoteString(values[values.length - 1] ?? '')}`,
    );
  }
  const rank = values.indexOf(value);
  if (rank < 0) invalid(`${quoteString(value)} is not a valid value: ${orderedValues(column, values)}`);
  return rank;
}

function checkOrderedValue([column, values]: [string, readonly string[]], other: unknown): void {
  const value = isNode(other) ? stringConstant(other) : undefined;
  if (value !== undefined && !values.includes(value)) {
    invalid(`${quoteString(value)} is not a valid value: ${orderedValues(column, values)}`);
  }
}

function rankExpression(column: string, values: readonly string[]): string {
  const whens = values.map((v, i) => `WHEN ${quoteString(v)} THEN ${i}`).join(' ');
  return `(CASE ${quoteIdentifier(column)} ${whens} END)`;
}
