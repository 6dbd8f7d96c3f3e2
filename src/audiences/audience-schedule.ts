import { Cron } from 'croner';
import ms from 'ms';
import { invalidField } from '../errors.ts';

/** What a client sends as `schedule` (null: manual only). */
export type ScheduleBody = { every: string } | { cron: string; timezone?: string };

/** A checked schedule. */
export type ScheduleRule =
  | { kind: 'every'; every: string; everyMs: number }
  | { kind: 'cron'; cron: string; timezone: string };

/**
 * How many missed slots {@link dueSlot} counts at most. Croner takes about 0.25 ms per slot in a time
 * zone, so the bound keeps a tiny interval over a long downtime to a quarter of a second, not a hang.
 */
export const MAX_MISSED_COUNTED = 1_000;

/**
 * How many slots croner may be stepped through to get past a repeated hour: more than the 7,200
 * one-second slots of the longest repeated period (2 h, Antarctica/Troll). Never reached in practice.
 */
const REPEATED_HOUR_STEPS = 10_000;

/** How many slots of a cron expression the minimum-interval check compares, from each start. */
const GAP_CHECK_SLOTS = 100;

/** A fixed start for the minimum-interval check, so that the answer does not hang on the day asked. */
const GAP_CHECK_REFERENCE = new Date('2026-01-01T00:00:00Z');

const SCHEDULE_KEYS = ['every', 'cron', 'timezone'];

const EVERY_EXAMPLE = 'such as 15m, 1h, 24h or 7d';

const CRON_EXAMPLE = 'use 5 fields, minute hour day-of-month month day-of-week, such as "0 6 * * 1-5"';

/**
 * Checks a schedule as sent. Throws invalidField(...) (400) naming the field and what to change:
 * 'schedule' (neither/both of every and cron, or extra keys), 'schedule.every' (not a duration like
 * 15m, 1h, 24h, 7d; or shorter than the minimum: say "at least <min> (SCHEDULE_MIN_INTERVAL)"),
 * 'schedule.cron' (not a 5-field cron expression; croner's message included; or two of its next slots
 * closer than the minimum: name the gap found), 'schedule.timezone' (not an IANA time zone such as
 * Europe/Berlin). `timezone` defaults to `defaultTimezone` (the audience's own time zone).
 * `every` with a `timezone` is refused (timezone is for cron only).
 *
 * A cron expression may also have 6 fields (seconds first), held to the same minimum. The minimum is
 * checked on real instants in the rule's time zone, over the next 100 slots from 2026-01-01 and from
 * `now`: a daily cron is 23 h apart on a spring-forward night, so a minimum above 23 h refuses it.
 *
 * @param now - where the second window of the minimum check starts; @defaultValue the current time
 */
export function parseSchedule(
  body: ScheduleBody | null,
  minIntervalMs: number,
  defaultTimezone: string,
  now: Date = new Date(),
): ScheduleRule | null {
  if (body === null) return null;
  checkKeys(body);
  if ('every' in body) return parseEvery(body, minIntervalMs);
  return parseCron(body, minIntervalMs, defaultTimezone, now);
}

/** True for an IANA time zone name this runtime knows (Intl). */
export function isTimeZone(name: string): boolean {
  // Newer runtimes also take offsets such as "+01:00", which are not names and know no DST.
  if (typeof name !== 'string' || !/^[A-Za-z]/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * The first slot strictly after `after`. every: anchor + k × everyMs for the smallest whole k ≥ 0
 * that is after `after`; slots before the anchor do not exist, so the anchor itself when
 * after < anchor. cron: croner's next run after `after` in the rule's time zone.
 *
 * Daylight saving time, as croner 10 handles it: a local time that does not exist (02:30 on the
 * spring-forward night in Europe/Berlin) runs later by the gap (03:30 CEST), but only when searched from
 * before the gap; a local time that happens twice (01:30 on the fall-back night in America/New_York)
 * runs once, at its first occurrence (EDT). Slots of the repeated hour's second pass do not exist.
 */
export function slotAfter(rule: ScheduleRule, after: Date, anchor: Date): Date {
  return slotFinder(rule, anchor)(after);
}

/**
 * What a scheduler does at `now` for an audience whose next slot is `nextRunAt`: null when
 * nextRunAt is after now. Otherwise one run for the latest slot ≤ now (slots missed while every
 * process was down give one catch-up run, not one per slot): `slot` (that latest due slot),
 * `missed` (how many earlier due slots ≥ nextRunAt are not run: 0 when only nextRunAt was due),
 * and `next` (the first slot after now).
 *
 * `missed` stops counting at {@link MAX_MISSED_COUNTED}: past that the count is a lower bound, while
 * `slot` is still the latest due slot (found by bisection instead of by stepping).
 */
export function dueSlot(
  rule: ScheduleRule,
  nextRunAt: Date,
  now: Date,
  anchor: Date,
): { slot: Date; missed: number; next: Date } | null {
  if (nextRunAt > now) return null;
  const next = slotFinder(rule, anchor);
  return { ...latestDueSlot(next, nextRunAt, now), next: next(now) };
}

/**
 * The schedule in words for listings: "every 24h"; a cron expression as "daily at 06:00",
 * "at 06:00 on Mon–Fri" or "hourly at :15" when it has one of those shapes, else as
 * "cron <expression>", followed by its time zone: "(Europe/Berlin)". The zone is named even for
 * "hourly": in a zone such as Asia/Kolkata (+05:30) minute :15 local is :45 UTC.
 */
export function scheduleInWords(rule: ScheduleRule): string {
  if (rule.kind === 'every') return `every ${rule.every}`;
  return `${cronInWords(rule.cron) ?? `cron ${rule.cron}`} (${rule.timezone})`;
}

/** The calendar date (YYYY-MM-DD) of `at` in `timezone`. */
export function zonedDate(at: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** Refuses anything but exactly one of `every` and `cron` (with an optional `timezone`). */
function checkKeys(body: ScheduleBody): void {
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw invalidField('schedule', 'must be an object with every (such as "24h") or cron, or null');
  }
  const unknown = Object.keys(body).find((key) => !SCHEDULE_KEYS.includes(key));
  if (unknown !== undefined) {
    throw invalidField('schedule', `unknown key "${unknown}"; use every, or cron with an optional timezone`);
  }
  const hasEvery = 'every' in body;
  const hasCron = 'cron' in body;
  if (hasEvery && hasCron) throw invalidField('schedule', 'send every or cron, not both');
  if (!hasEvery && !hasCron) {
    throw invalidField('schedule', 'send every (such as "24h") or cron (such as "0 6 * * 1-5")');
  }
}

function parseEvery(body: { every: string }, minIntervalMs: number): ScheduleRule {
  if ('timezone' in body) {
    throw invalidField('schedule.timezone', 'a time zone applies to cron only; remove it, or use cron');
  }
  const every = typeof body.every === 'string' ? body.every.trim() : '';
  const everyMs = parseDuration(every);
  if (everyMs === undefined) {
    throw invalidField(
      'schedule.every',
      `${JSON.stringify(body.every)} is not a duration; use one ${EVERY_EXAMPLE}`,
    );
  }
  if (everyMs < minIntervalMs) {
    throw invalidField(
      'schedule.every',
      `"${every}" is too short; use at least ${formatDuration(minIntervalMs)} (SCHEDULE_MIN_INTERVAL)`,
    );
  }
  return { kind: 'every', every, everyMs };
}

/** A positive whole number of milliseconds, or undefined; a unit is required ("10" is not 10 ms). */
function parseDuration(text: string): number | undefined {
  const duration = /^\d.*[a-z]$/i.test(text) ? ms(text as ms.StringValue) : undefined;
  return duration !== undefined && Number.isInteger(duration) && duration > 0 ? duration : undefined;
}

function parseCron(
  body: { cron: string; timezone?: string },
  minIntervalMs: number,
  defaultTimezone: string,
  now: Date,
): ScheduleRule {
  const timezone = body.timezone === undefined ? defaultTimezone : body.timezone;
  if (!isTimeZone(timezone)) {
    throw invalidField(
      'schedule.timezone',
      `${JSON.stringify(timezone)} is not a time zone; use an IANA name such as Europe/Berlin`,
    );
  }
  const rule: ScheduleRule = { kind: 'cron', cron: checkCronText(body.cron), timezone };
  const cron = cronOf(rule);
  const closest = closestSlots(cron, GAP_CHECK_REFERENCE, now);
  if (closest === undefined) {
    throw invalidField('schedule.cron', `"${rule.cron}" matches no date; ${CRON_EXAMPLE}`);
  }
  const gap = gapOf(closest.first, closest.second);
  if (gap < minIntervalMs) {
    throw invalidField(
      'schedule.cron',
      `"${rule.cron}" runs ${formatDuration(gap)} apart (${closest.first.toISOString()} and ` +
        `${closest.second.toISOString()}); runs must be at least ${formatDuration(minIntervalMs)} apart ` +
        '(SCHEDULE_MIN_INTERVAL)',
    );
  }
  return rule;
}

/** The expression, trimmed, once croner reads it as 5 or 6 fields; else the 400 with croner's message. */
function checkCronText(value: unknown): string {
  const text = typeof value === 'string' ? value.trim() : '';
  // Croner takes a pattern with a colon for a one-off ISO date ("2026-01-23T00:00"), not a cron.
  if (text === '' || text.includes(':')) {
    throw invalidField('schedule.cron', `${JSON.stringify(value)} is not a cron expression; ${CRON_EXAMPLE}`);
  }
  try {
    cronOf({ cron: text, timezone: 'UTC' });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalidField('schedule.cron', `"${text}" is not a cron expression (${reason}); ${CRON_EXAMPLE}`);
  }
  return text;
}

/**
 * Croner's reading of the rule. No function is given, so croner starts no timer (and `paused` says
 * so twice): the instance only answers questions and keeps no process alive.
 */
function cronOf(rule: { cron: string; timezone: string }): Cron {
  return new Cron(rule.cron, { paused: true, timezone: rule.timezone, mode: '5-or-6-parts' });
}

/** The function giving the first slot strictly after a date; a cron rule is read by croner once. */
function slotFinder(rule: ScheduleRule, anchor: Date): (after: Date) => Date {
  if (rule.kind === 'every') return (after) => everySlotAfter(rule.everyMs, after, anchor);
  const cron = cronOf(rule);
  return (after) => {
    const slot = cronSlotAfter(cron, after);
    if (slot === undefined) throw new Error(`cron "${rule.cron}" has no slot after ${after.toISOString()}`);
    return slot;
  };
}

function everySlotAfter(everyMs: number, after: Date, anchor: Date): Date {
  if (after < anchor) return anchor;
  const k = Math.floor((after.getTime() - anchor.getTime()) / everyMs) + 1;
  return new Date(anchor.getTime() + k * everyMs);
}

/**
 * Croner's next run strictly after `after`, or undefined when there is none. From inside the second
 * pass of a repeated hour croner answers a slot of the first pass, earlier than `after`; stepping on
 * from that answer reaches the first slot after the repeated hour.
 */
function cronSlotAfter(cron: Cron, after: Date): Date | undefined {
  let slot = cron.nextRun(after);
  for (let step = 0; slot !== null && slot <= after; step++) {
    if (step === REPEATED_HOUR_STEPS) throw new Error(`croner did not get past ${after.toISOString()}`);
    slot = cron.nextRun(slot);
  }
  return slot ?? undefined;
}

/**
 * The latest due slot (nextRunAt itself, or a later slot at or before `now`) and how many due slots
 * before it are skipped, counted up to {@link MAX_MISSED_COUNTED}.
 */
function latestDueSlot(
  next: (after: Date) => Date,
  nextRunAt: Date,
  now: Date,
): { slot: Date; missed: number } {
  let slot = nextRunAt;
  let missed = 0;
  for (let following = next(slot); following <= now; following = next(slot)) {
    if (missed === MAX_MISSED_COUNTED) return { slot: latestSlotUpTo(next, slot, now), missed };
    slot = following;
    missed += 1;
  }
  return { slot, missed };
}

/**
 * The latest slot at or before `now`, given a slot `from` whose next slot is also at or before `now`.
 * Bisects on "the slot after t is at or before now", which holds below that latest slot and fails from it on.
 */
function latestSlotUpTo(next: (after: Date) => Date, from: Date, now: Date): Date {
  let low = from.getTime();
  let high = now.getTime();
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (next(new Date(middle)) <= now) low = middle;
    else high = middle;
  }
  return next(new Date(low));
}

/**
 * The two consecutive slots closest together among the next {@link GAP_CHECK_SLOTS} from each start,
 * or undefined when the expression matches no date at all.
 */
function closestSlots(cron: Cron, ...starts: Date[]): { first: Date; second: Date } | undefined {
  let closest: { first: Date; second: Date } | undefined;
  for (const start of starts) {
    let first = cronSlotAfter(cron, start);
    if (first === undefined) return undefined;
    for (let i = 1; i < GAP_CHECK_SLOTS; i++) {
      const second = cronSlotAfter(cron, first);
      if (second === undefined) break;
      if (closest === undefined || gapOf(first, second) < gapOf(closest.first, closest.second)) {
        closest = { first, second };
      }
      first = second;
    }
  }
  return closest;
}

function gapOf(first: Date, second: Date): number {
  return second.getTime() - first.getTime();
}

/** A duration for a message, exact unlike `ms()` (which shows 75 minutes as "1h"): "1h 15m", "23h", "1s". */
function formatDuration(duration: number): string {
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ];
  const parts: string[] = [];
  let rest = duration;
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.length > 0 ? parts.join(' ') : '0ms';
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const NUMBER = /^\d{1,2}$/;
const WEEKDAYS = /^[0-7](-[0-7])?(,[0-7](-[0-7])?)*$/;

/**
 * Words for the common 5-field shapes (daily, some weekdays, hourly), undefined for anything else.
 * Only plain numbers are read; names, steps and lists of hours or minutes fall back to the expression.
 */
function cronInWords(expression: string): string | undefined {
  const fields = expression.split(/\s+/);
  if (fields.length !== 5) return undefined;
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields as [string, string, string, string, string];
  if (!NUMBER.test(minute) || dayOfMonth !== '*' || month !== '*') return undefined;
  const mm = minute.padStart(2, '0');
  if (hour === '*') return dayOfWeek === '*' ? `hourly at :${mm}` : undefined;
  if (!NUMBER.test(hour)) return undefined;
  const at = `${hour.padStart(2, '0')}:${mm}`;
  if (dayOfWeek === '*') return `daily at ${at}`;
  if (!WEEKDAYS.test(dayOfWeek)) return undefined;
  return `at ${at} on ${weekdaysInWords(dayOfWeek)}`;
}

/** "1-5" as "Mon–Fri", "1,3,5" as "Mon, Wed, Fri" (0 and 7 are both Sunday). */
function weekdaysInWords(field: string): string {
  return field
    .split(',')
    .map((part) =>
      part
        .split('-')
        .map((day) => DAY_NAMES[Number(day)])
        .join('–'),
    )
    .join(', ');
}
