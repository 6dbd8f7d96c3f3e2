/** Constants and CAST types from the parse tree, written back as SQL text we format ourselves. */
import { CAST_TYPES } from './sql-allowlist.ts';
import { type AstNode, checkKeys, hasShape, invalid, isNode } from './sql-ast.ts';

/** The SQL name of an allowed CAST type, e.g. `VARCHAR` or `DECIMAL(10, 2)`. */
export function castType(type: unknown): string {
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

/** A DECIMAL constant as an exact CAST from its digits (the tree stores it as an integer and a scale). */
export function decimal(info: unknown, value: unknown): string {
  if (!isNode(info)) invalid('unsupported DECIMAL constant');
  const { width, scale } = decimalInfo(info);
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) invalid(tooLarge());
  const digits = String(Math.abs(value)).padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return `CAST('${value < 0 ? '-' : ''}${text}' AS DECIMAL(${width}, ${scale}))`;
}

/** The message for a number that JSON (and so this check) cannot hold exactly. */
export function tooLarge(): string {
  return `a number has too many digits; use at most 15 significant digits (integers up to ${Number.MAX_SAFE_INTEGER})`;
}
