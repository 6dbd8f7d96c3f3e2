/**
 * Reading DuckDB's serialised parse tree (the JSON of `json_serialize_sql`): node shapes, and the
 * error every check below the guard throws.
 */

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

/** Refuses the expression with a message that says what to change. */
export function invalid(message: string): never {
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

/** An array of nodes, or a refusal. */
export function nodes(value: unknown): AstNode[] {
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
export function stringConstant(node: AstNode): string | undefined {
  if (node.class !== 'CONSTANT' || !isNode(node.value) || !isNode(node.value.type)) return undefined;
  return node.value.type.id === 'VARCHAR' && typeof node.value.value === 'string'
    ? node.value.value
    : undefined;
}
