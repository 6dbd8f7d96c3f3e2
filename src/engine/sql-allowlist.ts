/**
 * The allowlist for customer expressions (`where_expr`, `select`), in one place for security review:
 * every parse-tree node type, operator, function and CAST type that may reach the SQL we run, the
 * constructs refused by name, and the exact shape of the statement the text is parsed in. Anything
 * not listed here is refused. `sql-render.ts` applies the expression tables to DuckDB's parse tree;
 * `sql-guard.ts` checks the statement around the text.
 *
 * Keys come from parsed customer text (function names such as `constructor` or `__proto__`), so the
 * tables are Maps and Sets, never plain objects whose inherited properties a key could reach.
 */

/** Parse-tree node classes an expression may contain → the fields each may have (beyond COMMON_KEYS). */
export const KEYS = table<readonly string[]>({
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
export const COMMON_KEYS = ['class', 'type', 'alias', 'query_location'];

export const COMPARISONS = table({
  COMPARE_EQUAL: '=',
  COMPARE_NOTEQUAL: '<>',
  COMPARE_LESSTHAN: '<',
  COMPARE_GREATERTHAN: '>',
  COMPARE_LESSTHANOREQUALTO: '<=',
  COMPARE_GREATERTHANOREQUALTO: '>=',
  COMPARE_DISTINCT_FROM: 'IS DISTINCT FROM',
  COMPARE_NOT_DISTINCT_FROM: 'IS NOT DISTINCT FROM',
});
/** Comparisons that compare ordered columns by rank rather than as text. */
export const RANGE_COMPARISONS = new Set(['<', '>', '<=', '>=']);
export const CONJUNCTIONS = table({ CONJUNCTION_AND: 'AND', CONJUNCTION_OR: 'OR' });
export const UNARY = table({
  OPERATOR_NOT: 'NOT',
  OPERATOR_IS_NULL: 'IS NULL',
  OPERATOR_IS_NOT_NULL: 'IS NOT NULL',
});
// Also allowed as OPERATOR nodes, with their own checks in the renderer: COMPARE_IN, COMPARE_NOT_IN
// (at most maxInList values) and OPERATOR_COALESCE.

/** Operators (DuckDB serialises them as functions) → how many operands they take. */
export const OPERATORS: ReadonlyMap<string, readonly number[]> = new Map([
  ...words('* / % // || ~~ !~~ ~~* !~~* ~~~ ^@').map((op): [string, number[]] => [op, [2]]),
  ['+', [1, 2]],
  ['-', [1, 2]],
]);

/**
 * Pure scalar functions: deterministic, no access to files, settings, sequences or other rows.
 * Some are only reachable through syntax: EXTRACT → date_part, POSITION → position,
 * LIKE … ESCAPE → like_escape, INTERVAL n DAY → to_days(trunc(n)).
 */
export const FUNCTIONS = new Set(
  words(`lower upper lcase ucase length strlen trim ltrim rtrim substr substring left right concat starts_with
    ends_with prefix suffix contains replace split_part lpad rpad position strpos instr regexp_matches
    regexp_full_match like_escape not_like_escape ilike_escape not_ilike_escape nullif abs round floor ceil ceiling
    sign trunc greatest least date_trunc date_part datepart year quarter month week day dayofmonth dayofweek
    dayofyear isodow hour minute second strftime epoch make_date to_timestamp to_years to_months to_weeks to_days
    to_hours to_minutes to_seconds md5 sha256 hash`),
);

/** lpad/rpad build strings of the requested length for every row; cap it so a filter cannot exhaust memory. */
export const MAX_PAD = 1000;

/** Functions and operators that may return a boolean, so they can stand alone as a condition. */
export const MAYBE_BOOLEAN = new Set(
  words(`~~ !~~ ~~* !~~* ~~~ ^@ starts_with ends_with prefix suffix contains regexp_matches regexp_full_match
    like_escape not_like_escape ilike_escape not_ilike_escape nullif greatest least`),
);

export const CAST_TYPES = new Set(
  words(
    'BOOLEAN TINYINT SMALLINT INTEGER BIGINT HUGEINT UTINYINT USMALLINT UINTEGER UBIGINT FLOAT DOUBLE VARCHAR DATE TIMESTAMP TIME INTERVAL',
  ),
);

/** Constant types written as plain integers (within ±2^53); VARCHAR, BOOLEAN, DECIMAL, DOUBLE and FLOAT have their own rules. */
export const INTEGER_TYPES = new Set(
  words('TINYINT SMALLINT INTEGER BIGINT HUGEINT UTINYINT USMALLINT UINTEGER UBIGINT'),
);

// Refused by name, so the message says why rather than "not allowed".

/** Node classes and operator types refused with a message of their own. */
export const REJECTED = table({
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

export const CONSTRUCTORS = new Set([
  'list_value',
  'struct_pack',
  'row',
  'map',
  'array_value',
  'union_value',
]);
export const AGGREGATES =
  /^(count|count_star|sum|avg|mean|min|max|any_value|first|last|arg_?(min|max)|string_agg|group_concat|list|array_agg|median|mode|quantile\w*|stddev\w*|var\w*|bool_(and|or)|bit_(and|or|xor)|product|histogram|approx_\w+|entropy|kurtosis|skewness|corr|covar\w*|regr_\w+|fsum|sumkahan|favg)$/;
export const UNSTABLE =
  /^(random|setseed|uuid|gen_random_uuid|uuidv[47]|nextval|currval|now|today|current_(date|time|timestamp|localtimestamp)|get_current_\w+|transaction_timestamp|localtime\w*)$/;
export const SYSTEM =
  /^(read_\w+|\w+_scan|glob|parquet_\w+|sniff_csv|query|query_table|sql_auto_complete|getenv|getvariable|current_\w+|set_config|version|duckdb_\w+|pragma_\w+|which_secret|json_execute_serialized_sql)$/;

// The statement around the customer's text. `where_expr` is parsed as `SELECT * FROM t WHERE <text>`
// and `select` as `SELECT <text>\nFROM t`; the parsed statement must have exactly this shape, so the
// text cannot have added a clause, a table or a second statement.

/** Fields the SELECT node may have; each is then checked to be empty or ours. */
export const SELECT_KEYS = [
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

/** The select list of a where_expr statement: our own bare `*`. */
export const BARE_STAR = {
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

/** The FROM clause of both statements: our own table `t`. */
export const OUR_TABLE = {
  type: 'BASE_TABLE',
  alias: '',
  sample: null,
  schema_name: '',
  table_name: 't',
  column_name_alias: [],
  catalog_name: '',
  at_clause: null,
};

/** Modifiers (all refused) → the message saying so. */
export const MODIFIERS = table({
  ORDER_MODIFIER: 'ORDER BY is not allowed',
  LIMIT_MODIFIER: 'LIMIT and OFFSET are not allowed',
  LIMIT_PERCENT_MODIFIER: 'LIMIT and OFFSET are not allowed',
  DISTINCT_MODIFIER: 'DISTINCT is not allowed',
});

/** Select-list items other than plain column names (all refused) → how the message names them. */
export const SELECT_ITEMS = table({
  CONSTANT: 'a constant value',
  SUBQUERY: 'a subquery',
  POSITIONAL_REFERENCE: 'a positional reference (#1)',
  WINDOW: 'a window function',
});

function table<T>(entries: Record<string, T>): ReadonlyMap<string, T> {
  return new Map(Object.entries(entries));
}

function words(text: string): string[] {
  return text.trim().split(/\s+/);
}
