import { invalidField } from '../../errors.ts';

const DASHED = /^(\d{4})-(\d{2})-(\d{2})$/;
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;

/** Parses `YYYY-MM-DD` or `YYYYMMDD` into `YYYY-MM-DD`, or undefined when it is not a real date. */
export function parseDay(value: string): string | undefined {
  const match = DASHED.exec(value) ?? COMPACT.exec(value);
  if (!match) return undefined;
  const [, year, month, day] = match as unknown as [string, string, string, string];
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  // Date.UTC rolls 2024-02-30 over to March; a real date survives the round trip.
  if (date.getUTCFullYear() !== Number(year) || date.getUTCMonth() !== Number(month) - 1) return undefined;
  if (date.getUTCDate() !== Number(day)) return undefined;
  return `${year}-${month}-${day}`;
}

/** Normalises a `days` array: every entry parsed, duplicates dropped, sorted ascending. */
export function parseDays(values: readonly string[], field = 'days'): string[] {
  const days = new Set<string>();
  values.forEach((value, index) => {
    const day = parseDay(value);
    if (!day) {
      throw invalidField(
        `${field}[${index}]`,
        `${JSON.stringify(value).slice(0, 40)} is not a date; use YYYY-MM-DD or YYYYMMDD`,
      );
    }
    days.add(day);
  });
  return [...days].sort();
}
