import {
  DuckDBTimestampValue,
  DuckDBTypeId,
  type DuckDBValueConverter,
  type Json,
  JsonDuckDBValueConverter,
} from '@duckdb/node-api';

const INTEGERS = new Set<DuckDBTypeId>([
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
]);
const TIMESTAMPS = new Set<DuckDBTypeId>([
  DuckDBTypeId.TIMESTAMP,
  DuckDBTypeId.TIMESTAMP_S,
  DuckDBTypeId.TIMESTAMP_MS,
  DuckDBTypeId.TIMESTAMP_NS,
]);

/**
 * DuckDB values as JSON a client reads without surprises: a 64-bit or larger integer is a number
 * when it is a safe integer (else its decimal string), a timestamp is ISO 8601 in UTC (`…T…Z`, with
 * DuckDB's precision), a DATE `YYYY-MM-DD`, lists and structs arrays and objects (converted the same
 * way), NULL null. Every other type is DuckDB's own JSON form.
 */
export const jsonValue: DuckDBValueConverter<Json> = (value, type, converter) => {
  if (value === null || value === undefined) return null;
  if (INTEGERS.has(type.typeId) && typeof value === 'bigint') {
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  }
  if (TIMESTAMPS.has(type.typeId)) return isoTimestamp(String(value));
  if (type.typeId === DuckDBTypeId.TIMESTAMP_TZ && typeof value === 'object' && 'micros' in value) {
    // The value is UTC microseconds; its own string would be in this machine's time zone.
    return isoTimestamp(new DuckDBTimestampValue(value.micros as bigint).toString());
  }
  return JsonDuckDBValueConverter(value, type, converter);
};

/** `2024-05-01 12:00:00.5` → `2024-05-01T12:00:00.5Z`; `infinity` and `-infinity` stay as they are. */
function isoTimestamp(text: string): string {
  return /^-?\d{4,}-\d\d-\d\d \d/.test(text) ? `${text.replace(' ', 'T')}Z` : text;
}
