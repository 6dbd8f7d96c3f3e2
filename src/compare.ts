/**
 * Orders strings by UTF-16 code unit, as `<` does. Unlike `localeCompare` the order does not depend
 * on the machine's locale, so listings, exported file lists and object keys sort the same everywhere.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
