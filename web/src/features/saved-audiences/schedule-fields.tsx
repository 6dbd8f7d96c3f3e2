import { useId } from 'react';
import type { AudienceBody, AudienceDetail } from '../../api.ts';
import { FieldError, hasFieldError } from '../../components/problem-view.tsx';

/** What the schedule controls hold: every kind's text is kept, so switching back loses nothing. */
export interface ScheduleChoice {
  kind: 'manual' | 'every' | 'cron';
  every: string;
  cron: string;
  /** The audience's IANA time zone: a cron's hours and a window's yesterday and today are in it. */
  timezone: string;
}

/** The browser's time zone, the one a person means by "6 o'clock". */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** A new audience's schedule: manual, with examples filled in for the other kinds. */
export function newScheduleChoice(): ScheduleChoice {
  return { kind: 'manual', every: '24h', cron: '0 6 * * *', timezone: browserTimeZone() };
}

/** The choice that shows an audience's schedule as it is. */
export function scheduleChoiceOf(audience: Pick<AudienceDetail, 'schedule' | 'timezone'>): ScheduleChoice {
  const choice = { ...newScheduleChoice(), timezone: audience.timezone };
  const { schedule } = audience;
  if (!schedule) return choice;
  if ('every' in schedule) return { ...choice, kind: 'every', every: schedule.every };
  return { ...choice, kind: 'cron', cron: schedule.cron, timezone: schedule.timezone ?? audience.timezone };
}

/**
 * The API's schedule and time zone for a choice. A cron takes the audience's time zone rather than
 * one of its own: one zone for the schedule and the window, as the controls show one.
 */
export function scheduleBody(choice: ScheduleChoice): Required<Pick<AudienceBody, 'schedule' | 'timezone'>> {
  const timezone = choice.timezone.trim();
  if (choice.kind === 'every') return { schedule: { every: choice.every.trim() }, timezone };
  if (choice.kind === 'cron') return { schedule: { cron: choice.cron.trim() }, timezone };
  return { schedule: null, timezone };
}

let zones: string[] | undefined;
/** The IANA zones the browser knows, as suggestions: the API decides what it accepts. */
function timeZones(): string[] {
  zones ??= typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return zones;
}

/** Manual, every …, or cron …, with the time zone; the API's messages under them. */
export function ScheduleFields({
  value,
  onChange,
  error,
  legend = 'Schedule',
}: {
  value: ScheduleChoice;
  onChange: (choice: ScheduleChoice) => void;
  error: unknown;
  legend?: string;
}) {
  const id = useId();
  const set = (change: Partial<ScheduleChoice>) => onChange({ ...value, ...change });
  return (
    <fieldset className="field schedule">
      <legend>{legend}</legend>
      <label className="inline">
        <input
          type="radio"
          name={`${id}-kind`}
          checked={value.kind === 'manual'}
          onChange={() => set({ kind: 'manual' })}
        />{' '}
        Manual: runs when you press Run now
      </label>
      <div className="row">
        <label className="inline">
          <input
            type="radio"
            name={`${id}-kind`}
            checked={value.kind === 'every'}
            onChange={() => set({ kind: 'every' })}
          />{' '}
          Every
        </label>
        <input
          className="short"
          aria-label="Interval"
          aria-describedby={`${id}-error`}
          value={value.every}
          aria-invalid={hasFieldError(error, 'schedule.every') || undefined}
          onChange={(e) => set({ kind: 'every', every: e.target.value })}
        />
        <span className="muted">15m, 1h, 24h, 7d</span>
      </div>
      <div className="row">
        <label className="inline">
          <input
            type="radio"
            name={`${id}-kind`}
            checked={value.kind === 'cron'}
            onChange={() => set({ kind: 'cron' })}
          />{' '}
          Cron
        </label>
        <input
          className="short mono"
          aria-label="Cron expression"
          aria-describedby={`${id}-error`}
          value={value.cron}
          aria-invalid={hasFieldError(error, 'schedule.cron') || undefined}
          onChange={(e) => set({ kind: 'cron', cron: e.target.value })}
        />
        <span className="muted">minute hour day month weekday</span>
      </div>
      <FieldError id={`${id}-error`} error={error} field="schedule" />
      <label className="inline" htmlFor={`${id}-zone`}>
        Time zone
      </label>
      <input
        id={`${id}-zone`}
        list={`${id}-zones`}
        aria-describedby={`${id}-zone-error`}
        value={value.timezone}
        aria-invalid={hasFieldError(error, 'timezone') || undefined}
        onChange={(e) => set({ timezone: e.target.value })}
      />
      <datalist id={`${id}-zones`}>
        {timeZones().map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
      <FieldError id={`${id}-zone-error`} error={error} field="timezone" />
    </fieldset>
  );
}
