import { useEffect, useId, useRef, useState } from 'react';
import { useLocation } from 'wouter';
import type { AudienceBody } from '../../api.ts';
import { FieldError, ProblemMessage } from '../../components/problem-view.tsx';
import { TextField } from '../../components/text-field.tsx';
import { daysInWords } from './audience-words.ts';
import { audiencePath } from './paths.ts';
import { newScheduleChoice, ScheduleFields, scheduleBody } from './schedule-fields.tsx';
import { useCreateAudience } from './use-saved-audiences.ts';

type WindowEnd = 'latest' | 'yesterday' | 'today';

/** The fields this form shows the API's messages under; anything else is said below them all. */
const FIELDS = ['name', 'window', 'definition.days', 'schedule', 'timezone', 'delivery'];

const DAY_MS = 86_400_000;

/** Calendar days from the first to the last picked day: a rolling window that long reads the same span. */
function calendarDays(days: readonly string[]): number {
  if (days.length === 0) return 7;
  return Math.round((Date.parse(days.at(-1)!) - Date.parse(days[0]!)) / DAY_MS) + 1;
}

export interface SaveAudienceProps {
  /** The builder's segment as an intent task body without days and perform_unload. */
  definition: Record<string, unknown>;
  /** The days picked in the builder, kept when the window stays fixed. */
  days: string[];
  /** Whether the segment exports one row per person (output people, unique_by): delta needs it. */
  people: boolean;
  /** The name typed in the builder, if any: the audience's name to start from. */
  name?: string;
  onClose: () => void;
}

/**
 * "Save as audience": a modal form over the builder. It saves the builder's segment with a window
 * (rolling, or the picked days), a schedule and a delivery, and opens the new audience's page.
 */
export function SaveAudienceDialog({
  definition,
  days,
  people,
  name: named = '',
  onClose,
}: SaveAudienceProps) {
  const id = useId();
  const [, navigate] = useLocation();
  const dialog = useRef<HTMLDialogElement>(null);
  const [name, setName] = useState(named);
  const [rolling, setRolling] = useState(true);
  const [lastDays, setLastDays] = useState(() => String(calendarDays(days)));
  const [until, setUntil] = useState<WindowEnd>('latest');
  const [schedule, setSchedule] = useState(newScheduleChoice);
  const [delta, setDelta] = useState(false);
  const create = useCreateAudience();

  // Opened as a modal once mounted: the page behind is inert, Escape closes it (the close event).
  useEffect(() => {
    if (dialog.current && !dialog.current.open) dialog.current.showModal();
  }, []);

  const body = (): AudienceBody => ({
    name,
    kind: 'intent',
    definition: rolling ? definition : { ...definition, days },
    window: rolling ? { last_days: Number(lastDays), until } : null,
    ...scheduleBody(schedule),
    delivery: { mode: people && delta ? 'delta' : 'full' },
  });

  return (
    <dialog ref={dialog} className="card dialog" aria-labelledby={`${id}-title`} onClose={onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate(body(), { onSuccess: (created) => navigate(audiencePath(created.audience_id)) });
        }}
      >
        <h2 id={`${id}-title`}>Save as audience</h2>
        <p className="muted">Saves this segment to run again: when you ask, or on a schedule.</p>
        <TextField
          id={`${id}-name`}
          label="Name"
          field="name"
          error={create.error}
          value={name}
          autoFocus
          onChange={(e) => setName(e.target.value)}
        />

        <fieldset className="field">
          <legend>Window</legend>
          <div className="row tight">
            <label className="inline">
              <input type="radio" name={`${id}-window`} checked={rolling} onChange={() => setRolling(true)} />{' '}
              The last
            </label>
            <input
              type="number"
              className="tiny"
              aria-label="Number of days"
              value={lastDays}
              onChange={(e) => {
                setLastDays(e.target.value);
                setRolling(true);
              }}
            />
            <span>days until</span>
            <select
              aria-label="Window ends"
              value={until}
              onChange={(e) => {
                setUntil(e.target.value as WindowEnd);
                setRolling(true);
              }}
            >
              <option value="latest">the newest day with data</option>
              <option value="yesterday">yesterday</option>
              <option value="today">today</option>
            </select>
          </div>
          <label className="inline">
            <input type="radio" name={`${id}-window`} checked={!rolling} onChange={() => setRolling(false)} />{' '}
            Keep the picked days: {daysInWords(days)}
          </label>
          <FieldError id={`${id}-window-error`} error={create.error} field="window" />
          <FieldError id={`${id}-days-error`} error={create.error} field="definition.days" />
        </fieldset>

        <ScheduleFields value={schedule} onChange={setSchedule} error={create.error} />

        <fieldset className="field">
          <legend>Delivery</legend>
          <label className="inline">
            <input
              type="radio"
              name={`${id}-delivery`}
              checked={!delta || !people}
              onChange={() => setDelta(false)}
            />{' '}
            Full: each run exports the whole audience
          </label>
          <label className="inline">
            <input
              type="radio"
              name={`${id}-delivery`}
              checked={delta && people}
              disabled={!people}
              aria-describedby={`${id}-delta-help`}
              onChange={() => setDelta(true)}
            />{' '}
            Delta: each run exports who joined and who left since the last
          </label>
          {people ? null : (
            <p id={`${id}-delta-help`} className="muted">
              Delta needs Export: people (one row per person).
            </p>
          )}
          <FieldError id={`${id}-delivery-error`} error={create.error} field="delivery" />
        </fieldset>

        <ProblemMessage error={create.error} skipFields={FIELDS} />
        <div className="row actions">
          <button type="submit" disabled={create.isPending}>
            Save audience
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
