import type { GenericTaskBody, IntentTaskBody } from '../contract/task-body-schemas.ts';
import { invalidField } from '../errors.ts';
import type { AudienceKind, AudienceSpec } from './audience-model.ts';
import { zonedDate } from './audience-schedule.ts';

const DAY_MS = 86_400_000;

/**
 * The days a run at `at` reads: the `last_days` calendar days ending at `until`, oldest first.
 * `latest` is the newest day the intent data holds (asked of `latestDay`); `today` and `yesterday`
 * are calendar days in the audience's time zone at `at` (a scheduled run's slot, so a run that
 * starts late still reads the days of its slot). Days without data are read as 0, as in a task.
 */
export async function resolveWindow(
  window: NonNullable<AudienceSpec['window']>,
  timezone: string,
  at: Date,
  latestDay: () => Promise<string | null>,
): Promise<string[]> {
  let until: string;
  if (window.until === 'latest') {
    const latest = await latestDay();
    if (latest === null) {
      throw invalidField(
        'window.until',
        'the intent data holds no day yet, so "latest" names none; use "today" or "yesterday", or fixed days',
      );
    }
    until = latest;
  } else {
    const today = zonedDate(at, timezone);
    until = window.until === 'today' ? today : addDays(today, -1);
  }
  return Array.from({ length: window.last_days }, (_, i) => addDays(until, i - window.last_days + 1));
}

/** A calendar date (YYYY-MM-DD) moved by whole days. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The task body of a run at `at`: the definition with `perform_unload`, and the window's days. */
export async function runTaskBody(
  kind: AudienceKind,
  spec: Pick<AudienceSpec, 'definition' | 'window' | 'timezone'>,
  at: Date,
  latestDay: () => Promise<string | null>,
): Promise<IntentTaskBody | GenericTaskBody> {
  const body = { ...spec.definition, perform_unload: true };
  if (kind === 'intent' && spec.window) {
    return {
      ...body,
      days: await resolveWindow(spec.window, spec.timezone, at, latestDay),
    } as IntentTaskBody;
  }
  return body as unknown as IntentTaskBody | GenericTaskBody;
}
