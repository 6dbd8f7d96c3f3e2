import { describe, expect, it } from 'vitest';
import {
  dueSlot,
  isTimeZone,
  MAX_MISSED_COUNTED,
  parseSchedule,
  type ScheduleBody,
  type ScheduleRule,
  scheduleInWords,
  slotAfter,
  zonedDate,
} from '../../src/audiences/audience-schedule.ts';
import { AppError } from '../../src/errors.ts';

// Every expected instant below is worked out by hand: Europe/Berlin is UTC+1 (CET) until
// 2026-03-29 01:00Z and UTC+2 (CEST) after; America/New_York is UTC-4 (EDT) until 2026-11-01 06:00Z
// and UTC-5 (EST) after. 2026-03-01 is a Sunday, so 2026-03-27 is a Friday and 2026-03-30 a Monday.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = new Date('2026-06-01T00:00:00Z');

const date = (iso: string) => new Date(iso);
const every24h: ScheduleRule = { kind: 'every', every: '24h', everyMs: DAY };
const anchor = date('2026-03-01T06:00:00Z');
const cron = (expression: string, timezone: string): ScheduleRule => ({
  kind: 'cron',
  cron: expression,
  timezone,
});
const iso = (at: Date) => at.toISOString();

/** The first slots after `after`, each found from the one before. */
function slotsAfter(rule: ScheduleRule, after: Date, count: number): string[] {
  const slots: string[] = [];
  for (let at = after; slots.length < count; ) {
    at = slotAfter(rule, at, anchor);
    slots.push(iso(at));
  }
  return slots;
}

/** The 400 `parseSchedule` throws for a body, as status, field and message. */
function refusal(body: unknown, minIntervalMs = 15 * MINUTE) {
  try {
    parseSchedule(body as ScheduleBody, minIntervalMs, 'Europe/Berlin', NOW);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { status: error.status, ...error.errors[0] };
  }
  throw new Error(`${JSON.stringify(body)} was accepted`);
}

describe('slotAfter with every', () => {
  it('counts whole intervals from the anchor', () => {
    expect(iso(slotAfter(every24h, date('2026-03-03T12:00:00Z'), anchor))).toBe('2026-03-04T06:00:00.000Z');
  });

  it('answers the next slot when asked exactly at one', () => {
    expect(iso(slotAfter(every24h, date('2026-03-03T06:00:00Z'), anchor))).toBe('2026-03-04T06:00:00.000Z');
    expect(iso(slotAfter(every24h, anchor, anchor))).toBe('2026-03-02T06:00:00.000Z');
  });

  it('answers the anchor itself before it: no slot comes earlier', () => {
    expect(iso(slotAfter(every24h, date('2026-02-20T00:00:00Z'), anchor))).toBe('2026-03-01T06:00:00.000Z');
    expect(iso(slotAfter(every24h, date('2026-03-01T05:59:59.999Z'), anchor))).toBe(
      '2026-03-01T06:00:00.000Z',
    );
  });

  it('keeps exact 24 h steps across a DST change (every knows no time zone)', () => {
    expect(slotsAfter(every24h, date('2026-03-28T07:00:00Z'), 2)).toEqual([
      '2026-03-29T06:00:00.000Z',
      '2026-03-30T06:00:00.000Z',
    ]);
  });
});

describe('slotAfter with cron', () => {
  const weekdays = cron('0 6 * * 1-5', 'Europe/Berlin');

  it('runs at 06:00 Berlin time: 05:00Z in winter, 04:00Z after the change, weekends skipped', () => {
    expect(slotsAfter(weekdays, date('2026-03-25T00:00:00Z'), 5)).toEqual([
      '2026-03-25T05:00:00.000Z', // Wednesday, CET
      '2026-03-26T05:00:00.000Z',
      '2026-03-27T05:00:00.000Z', // Friday
      '2026-03-30T04:00:00.000Z', // Monday, CEST
      '2026-03-31T04:00:00.000Z',
    ]);
  });

  it('answers the next slot when asked exactly at one', () => {
    expect(iso(slotAfter(weekdays, date('2026-03-25T05:00:00Z'), anchor))).toBe('2026-03-26T05:00:00.000Z');
    expect(iso(slotAfter(weekdays, date('2026-03-25T04:59:59.999Z'), anchor))).toBe(
      '2026-03-25T05:00:00.000Z',
    );
  });

  it('runs a time lost to spring-forward an hour later, once (02:30 Berlin on 2026-03-29 is 03:30 CEST)', () => {
    expect(slotsAfter(cron('30 2 * * *', 'Europe/Berlin'), date('2026-03-28T12:00:00Z'), 2)).toEqual([
      '2026-03-29T01:30:00.000Z', // 03:30 CEST: 02:30 does not exist that night
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
    ]);
  });

  it('finds that shifted slot only from before the gap (as documented on slotAfter)', () => {
    // 01:10Z is 03:10 CEST: croner looks for 02:30 from there and finds it the next night.
    expect(iso(slotAfter(cron('30 2 * * *', 'Europe/Berlin'), date('2026-03-29T01:10:00Z'), anchor))).toBe(
      '2026-03-30T00:30:00.000Z',
    );
  });

  it('runs a time that happens twice on fall-back once, at its first occurrence (EDT)', () => {
    expect(slotsAfter(cron('30 1 * * *', 'America/New_York'), date('2026-10-30T12:00:00Z'), 3)).toEqual([
      '2026-10-31T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T05:30:00.000Z', // 01:30 EDT; 06:30Z (01:30 EST) is not a slot
      '2026-11-02T06:30:00.000Z', // 01:30 EST
    ]);
  });

  it('never answers a slot before `after` inside the repeated hour (croner alone does)', () => {
    // 06:00Z is 01:00 EST, the second pass: croner 10 answers 05:30Z (01:30 EDT), an hour earlier.
    expect(iso(slotAfter(cron('30 1 * * *', 'America/New_York'), date('2026-11-01T06:00:00Z'), anchor))).toBe(
      '2026-11-02T06:30:00.000Z',
    );
    // 06:10Z is 01:10 EST: croner answers 05:15Z; the first slot after the repeated hour is 02:00 EST.
    expect(
      iso(slotAfter(cron('*/15 * * * *', 'America/New_York'), date('2026-11-01T06:10:00Z'), anchor)),
    ).toBe('2026-11-01T07:00:00.000Z');
  });

  it('skips the second pass of the repeated hour for a quarter-hourly cron', () => {
    expect(slotsAfter(cron('*/15 * * * *', 'America/New_York'), date('2026-11-01T05:30:00Z'), 3)).toEqual([
      '2026-11-01T05:45:00.000Z', // 01:45 EDT
      '2026-11-01T07:00:00.000Z', // 02:00 EST: 06:00Z-06:45Z (01:00-01:45 EST) are not slots
      '2026-11-01T07:15:00.000Z',
    ]);
  });

  it('reads a sixth field as seconds', () => {
    expect(slotsAfter(cron('*/10 * * * * *', 'UTC'), date('2026-03-01T00:00:05.500Z'), 2)).toEqual([
      '2026-03-01T00:00:10.000Z',
      '2026-03-01T00:00:20.000Z',
    ]);
  });
});

describe('dueSlot', () => {
  it('is null while the next slot is still ahead', () => {
    expect(
      dueSlot(every24h, date('2026-03-05T06:00:00Z'), date('2026-03-05T05:59:59.999Z'), anchor),
    ).toBeNull();
  });

  it('runs the one due slot with nothing missed', () => {
    const due = dueSlot(every24h, date('2026-03-05T06:00:00Z'), date('2026-03-05T06:00:30Z'), anchor);
    expect(due && { slot: iso(due.slot), missed: due.missed, next: iso(due.next) }).toEqual({
      slot: '2026-03-05T06:00:00.000Z',
      missed: 0,
      next: '2026-03-06T06:00:00.000Z',
    });
  });

  it('catches up once for the latest slot after a downtime of three days', () => {
    // Due: 03-02, 03-03 and 03-04 at 06:00Z; 03-05 06:00Z is still an hour ahead.
    const due = dueSlot(every24h, date('2026-03-02T06:00:00Z'), date('2026-03-05T05:00:00Z'), anchor);
    expect(due && { slot: iso(due.slot), missed: due.missed, next: iso(due.next) }).toEqual({
      slot: '2026-03-04T06:00:00.000Z',
      missed: 2,
      next: '2026-03-05T06:00:00.000Z',
    });
  });

  it('counts a slot exactly at now as due', () => {
    const due = dueSlot(every24h, date('2026-03-02T06:00:00Z'), date('2026-03-05T06:00:00Z'), anchor);
    expect(due && { slot: iso(due.slot), missed: due.missed, next: iso(due.next) }).toEqual({
      slot: '2026-03-05T06:00:00.000Z',
      missed: 3,
      next: '2026-03-06T06:00:00.000Z',
    });
  });

  it('catches a cron up over a weekend and the DST change', () => {
    // Due: Thu 03-26 05:00Z, Fri 03-27 05:00Z, Mon 03-30 04:00Z, Tue 03-31 04:00Z.
    const rule = cron('0 6 * * 1-5', 'Europe/Berlin');
    const due = dueSlot(rule, date('2026-03-26T05:00:00Z'), date('2026-03-31T12:00:00Z'), anchor);
    expect(due && { slot: iso(due.slot), missed: due.missed, next: iso(due.next) }).toEqual({
      slot: '2026-03-31T04:00:00.000Z',
      missed: 3,
      next: '2026-04-01T04:00:00.000Z',
    });
  });

  it(`stops counting missed slots at ${MAX_MISSED_COUNTED} and still runs the latest (every)`, () => {
    // 86,400 one-second slots are due after nextRunAt.
    const rule: ScheduleRule = { kind: 'every', every: '1s', everyMs: 1000 };
    const start = date('2026-03-01T00:00:00Z');
    const due = dueSlot(rule, start, date('2026-03-02T00:00:00.500Z'), start);
    expect(due && { slot: iso(due.slot), missed: due.missed, next: iso(due.next) }).toEqual({
      slot: '2026-03-02T00:00:00.000Z',
      missed: 1000,
      next: '2026-03-02T00:00:01.000Z',
    });
  });

  it(`stops counting missed slots at ${MAX_MISSED_COUNTED} and still runs the latest (cron)`, () => {
    const due = dueSlot(
      cron('* * * * * *', 'Europe/Berlin'),
      date('2026-03-01T00:00:00Z'),
      date('2026-03-01T12:00:00.250Z'),
      anchor,
    );
    expect(due && { slot: iso(due.slot), missed: due.missed, next: iso(due.next) }).toEqual({
      slot: '2026-03-01T12:00:00.000Z',
      missed: 1000,
      next: '2026-03-01T12:00:01.000Z',
    });
  });
});

describe('parseSchedule refuses', () => {
  it('an every shorter than the minimum, naming the minimum', () => {
    expect(refusal({ every: '10s' })).toEqual({
      status: 400,
      field: 'schedule.every',
      message: '"10s" is too short; use at least 15m (SCHEDULE_MIN_INTERVAL)',
    });
  });

  it('an every that is not a duration, or has no unit', () => {
    expect(refusal({ every: 'abc' })).toEqual({
      status: 400,
      field: 'schedule.every',
      message: '"abc" is not a duration; use one such as 15m, 1h, 24h or 7d',
    });
    expect(refusal({ every: '900000' }).field).toBe('schedule.every');
    expect(refusal({ every: '-1h' }).field).toBe('schedule.every');
    expect(refusal({ every: 24 }).field).toBe('schedule.every');
  });

  it('a cron running more often than the minimum, naming the gap found', () => {
    expect(refusal({ cron: '* * * * *' })).toEqual({
      status: 400,
      field: 'schedule.cron',
      message:
        '"* * * * *" runs 1m apart (2026-01-01T00:01:00.000Z and 2026-01-01T00:02:00.000Z); ' +
        'runs must be at least 15m apart (SCHEDULE_MIN_INTERVAL)',
    });
  });

  it('a cron with uneven gaps when one is below the minimum', () => {
    expect(refusal({ cron: '0,10 6 * * *' }).message).toBe(
      '"0,10 6 * * *" runs 10m apart (2026-01-01T05:00:00.000Z and 2026-01-01T05:10:00.000Z); ' +
        'runs must be at least 15m apart (SCHEDULE_MIN_INTERVAL)',
    );
  });

  it('a daily cron under a 24 h minimum: the spring-forward night brings two runs 23 h apart', () => {
    expect(refusal({ cron: '0 6 * * *' }, DAY).message).toBe(
      '"0 6 * * *" runs 23h apart (2026-03-28T05:00:00.000Z and 2026-03-29T04:00:00.000Z); ' +
        'runs must be at least 1d apart (SCHEDULE_MIN_INTERVAL)',
    );
  });

  it('a cron croner cannot read, with croner’s reason', () => {
    expect(refusal({ cron: '61 * * * *' })).toEqual({
      status: 400,
      field: 'schedule.cron',
      message:
        '"61 * * * *" is not a cron expression (CronPattern: Invalid value for minute: 61); ' +
        'use 5 fields, minute hour day-of-month month day-of-week, such as "0 6 * * 1-5"',
    });
    expect(refusal({ cron: '0 6 * *' }).field).toBe('schedule.cron');
    expect(refusal({ cron: '0 0 6 * * * 2026' }).field).toBe('schedule.cron'); // no year field
  });

  it('a date, which croner would take for a one-off run', () => {
    expect(refusal({ cron: '2026-01-23T00:00:00' }).message).toBe(
      '"2026-01-23T00:00:00" is not a cron expression; ' +
        'use 5 fields, minute hour day-of-month month day-of-week, such as "0 6 * * 1-5"',
    );
  });

  it('a cron that matches no date', () => {
    expect(refusal({ cron: '0 0 31 2 *' }).message).toBe(
      '"0 0 31 2 *" matches no date; use 5 fields, minute hour day-of-month month day-of-week, such as "0 6 * * 1-5"',
    );
  });

  it('a time zone that does not exist', () => {
    expect(refusal({ cron: '0 6 * * *', timezone: 'Mars/Olympus' })).toEqual({
      status: 400,
      field: 'schedule.timezone',
      message: '"Mars/Olympus" is not a time zone; use an IANA name such as Europe/Berlin',
    });
  });

  it('both every and cron, or neither', () => {
    expect(refusal({ every: '24h', cron: '0 6 * * *' })).toEqual({
      status: 400,
      field: 'schedule',
      message: 'send every or cron, not both',
    });
    expect(refusal({})).toEqual({
      status: 400,
      field: 'schedule',
      message: 'send every (such as "24h") or cron (such as "0 6 * * 1-5")',
    });
  });

  it('a key it does not know', () => {
    expect(refusal({ every: '24h', at: '06:00' })).toEqual({
      status: 400,
      field: 'schedule',
      message: 'unknown key "at"; use every, or cron with an optional timezone',
    });
  });

  it('a time zone with every', () => {
    expect(refusal({ every: '24h', timezone: 'Europe/Berlin' })).toEqual({
      status: 400,
      field: 'schedule.timezone',
      message: 'a time zone applies to cron only; remove it, or use cron',
    });
  });
});

describe('parseSchedule accepts', () => {
  it('no schedule', () => {
    expect(parseSchedule(null, 15 * MINUTE, 'Europe/Berlin', NOW)).toBeNull();
  });

  it('an every at the minimum', () => {
    expect(parseSchedule({ every: '1s' }, 1000, 'Europe/Berlin', NOW)).toEqual({
      kind: 'every',
      every: '1s',
      everyMs: 1000,
    });
    expect(parseSchedule({ every: ' 24h ' }, 15 * MINUTE, 'Europe/Berlin', NOW)).toEqual({
      kind: 'every',
      every: '24h',
      everyMs: 86_400_000,
    });
  });

  it('a cron in the audience’s time zone unless it names one', () => {
    expect(parseSchedule({ cron: '0 6 * * 1-5' }, 15 * MINUTE, 'Europe/Berlin', NOW)).toEqual({
      kind: 'cron',
      cron: '0 6 * * 1-5',
      timezone: 'Europe/Berlin',
    });
    const inNewYork = { cron: '0 6 * * 1-5', timezone: 'America/New_York' };
    expect(parseSchedule(inNewYork, 15 * MINUTE, 'Europe/Berlin', NOW)).toEqual({
      kind: 'cron',
      cron: '0 6 * * 1-5',
      timezone: 'America/New_York',
    });
  });

  it('a 6-field cron only when its seconds keep to the minimum', () => {
    expect(parseSchedule({ cron: '* * * * * *' }, 1000, 'UTC', NOW)).toEqual({
      kind: 'cron',
      cron: '* * * * * *',
      timezone: 'UTC',
    });
    expect(refusal({ cron: '* * * * * *' }, 2000).message).toBe(
      '"* * * * * *" runs 1s apart (2026-01-01T00:00:01.000Z and 2026-01-01T00:00:02.000Z); ' +
        'runs must be at least 2s apart (SCHEDULE_MIN_INTERVAL)',
    );
  });
});

describe('isTimeZone', () => {
  it('knows IANA names and refuses the rest', () => {
    expect(['Europe/Berlin', 'America/New_York', 'UTC'].map(isTimeZone)).toEqual([true, true, true]);
    expect(['Mars/Olympus', '', '+01:00'].map(isTimeZone)).toEqual([false, false, false]);
  });
});

describe('scheduleInWords', () => {
  it('says every as sent', () => {
    expect(scheduleInWords(every24h)).toBe('every 24h');
  });

  it('puts the common cron shapes in words, with the time zone', () => {
    expect(scheduleInWords(cron('0 6 * * *', 'Europe/Berlin'))).toBe('daily at 06:00 (Europe/Berlin)');
    expect(scheduleInWords(cron('0 6 * * 1-5', 'Europe/Berlin'))).toBe('at 06:00 on Mon–Fri (Europe/Berlin)');
    expect(scheduleInWords(cron('30 7 * * 1,3,5', 'UTC'))).toBe('at 07:30 on Mon, Wed, Fri (UTC)');
    expect(scheduleInWords(cron('15 * * * *', 'UTC'))).toBe('hourly at :15 (UTC)');
  });

  it('shows any other expression as it is', () => {
    expect(scheduleInWords(cron('*/15 * * * *', 'UTC'))).toBe('cron */15 * * * * (UTC)');
    expect(scheduleInWords(cron('0 6 1 * *', 'Europe/Berlin'))).toBe('cron 0 6 1 * * (Europe/Berlin)');
    expect(scheduleInWords(cron('0 6 * * MON-FRI', 'UTC'))).toBe('cron 0 6 * * MON-FRI (UTC)');
    expect(scheduleInWords(cron('0 0 6 * * *', 'UTC'))).toBe('cron 0 0 6 * * * (UTC)');
  });
});

describe('zonedDate', () => {
  it('answers the calendar date where the time zone is', () => {
    expect(zonedDate(date('2026-03-01T23:30:00Z'), 'Europe/Berlin')).toBe('2026-03-02');
    expect(zonedDate(date('2026-03-01T23:30:00Z'), 'America/New_York')).toBe('2026-03-01');
    expect(zonedDate(date('2026-03-02T04:59:59Z'), 'America/New_York')).toBe('2026-03-01');
    expect(zonedDate(date('2026-03-01T10:00:00Z'), 'Pacific/Kiritimati')).toBe('2026-03-02');
  });
});

describe('croner without timers', () => {
  it('leaves no timer behind after reading cron rules', () => {
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    parseSchedule({ cron: '0 6 * * 1-5' }, 15 * MINUTE, 'Europe/Berlin', NOW);
    slotAfter(cron('0 6 * * 1-5', 'Europe/Berlin'), NOW, anchor);
    dueSlot(cron('0 6 * * 1-5', 'Europe/Berlin'), date('2026-05-01T04:00:00Z'), NOW, anchor);
    expect(timers()).toBe(before);
  });
});
