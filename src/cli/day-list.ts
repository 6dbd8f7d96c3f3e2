import { UsageError } from './usage-error.ts';

/** The API takes at most this many days in one task. */
const MAX_DAYS = 3660;
const DAY_MS = 86_400_000;

/** A `YYYY-MM-DD` or `YYYYMMDD` day as a UTC timestamp, or undefined when it is no calendar day. */
function parseDay(text: string): number | undefined {
  const match = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text);
  if (!match || (text.includes('-') && text.length !== 10)) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const time = Date.UTC(year, month - 1, day);
  const date = new Date(time);
  // Date.UTC rolls 2024-02-30 over to March: a day that does not round-trip does not exist.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return undefined;
  }
  return time;
}

function formatDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

function dayOf(text: string, item: string): number {
  const time = parseDay(text);
  if (time === undefined) {
    const where = text === item ? '' : ` in "${item}"`;
    throw new UsageError(
      `--days: "${text}"${where} is not a date; use YYYY-MM-DD or YYYYMMDD (e.g. 2024-05-01 or 20240501)`,
    );
  }
  return time;
}

/**
 * The days of a `--days` value, as `YYYY-MM-DD`, in the order given and without repeats: a comma
 * list of days (`YYYY-MM-DD` or `YYYYMMDD`) and inclusive ranges `A..B`, e.g.
 * `2024-05-01..2024-05-07,20240510`. Throws a {@link UsageError} naming the part to change.
 */
export function parseDays(value: string): string[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError('--days: give at least one day, e.g. 2024-05-01..2024-05-07');
  const days = new Set<string>();
  for (const item of items) {
    const bounds = item.split('..');
    if (bounds.length > 2) {
      throw new UsageError(`--days: "${item}" has more than one ".."; write a range as FIRST..LAST`);
    }
    if (bounds.length === 1) {
      days.add(formatDay(dayOf(item, item)));
      continue;
    }
    const [first, last] = [dayOf(bounds[0]!.trim(), item), dayOf(bounds[1]!.trim(), item)];
    if (first > last) {
      throw new UsageError(
        `--days: the range "${item}" ends before it starts; write the earlier day first (${formatDay(last)}..${formatDay(first)})`,
      );
    }
    if ((last - first) / DAY_MS + days.size >= MAX_DAYS) {
      throw new UsageError(`--days: "${item}" makes more than ${MAX_DAYS} days; split the task`);
    }
    for (let time = first; time <= last; time += DAY_MS) days.add(formatDay(time));
  }
  if (days.size > MAX_DAYS) throw new UsageError(`--days: more than ${MAX_DAYS} days; split the task`);
  return [...days];
}

/** A comma list flag (`--prefixes a,b`): its trimmed, non-empty items, without repeats. */
export function parseList(flag: string, value: string): string[] {
  const items = [
    ...new Set(
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  ];
  if (items.length === 0) throw new UsageError(`${flag}: give at least one value, separated by commas`);
  return items;
}
