/**
 * Checks a where_expr parse tree (the JSON that DuckDB's `json_serialize_sql` produces) against the
 * allowlist in `sql-allowlist.ts` and renders the SQL that will actually run from that tree. Nothing
 * of the customer's text reaches the output except through `quoteIdentifier` / `quoteString` /
 * numbers we format ourselves, so comments and quote tricks in the input cannot survive.
 */
import {
  AGGREGATES,
  COMMON_KEYS,
  COMPARISONS,
  CONJUNCTIONS,
  CONSTRUCTORS,
  FUNCTIONS,
  INTEGER_TYPES,
  KEYS,
  MAX_PAD,
  MAYBE_BOOLEAN,
  OPERATORS,
  RANGE_COMPARISONS,
  REJECTED,
  SYSTEM,
  UNARY,
  UNSTABLE,
} from './sql-allowlist.ts';
import { type AstNode, checkKeys, invalid, isNode, nodes, RenderError, stringConstant } from './sql-ast.ts';
import { asciiLower, resolveColumn } from './sql-columns.ts';
import { castType, decimal, tooLarge } from './sql-literals.ts';
import { checkOrderedValue, rankExpression, rankOf } from './sql-ordered.ts';
import { quoteIdentifier, quoteString } from './sql-quote.ts';
import { FORBIDDEN_HINT, findForbiddenCharacter } from './sql-scan.ts';

/** What the renderer needs to know about the data and the limits. */
export interface RenderScope {
  columns: readonly { name: string; type: string }[];
  /** Canonical column name → its values from lowest to highest. */
  ordered: ReadonlyMap<string, readonly string[]>;
  maxDepth: number;
  maxInList: number;
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
