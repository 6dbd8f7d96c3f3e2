import { useId, useState } from 'react';
import type { AudienceDetail } from '../../api.ts';
import { ProblemMessage } from '../../components/problem-view.tsx';
import { formatTime } from '../../format.ts';
import { ScheduleFields, scheduleBody, scheduleChoiceOf } from './schedule-fields.tsx';
import { useUpdateAudience } from './use-saved-audiences.ts';

function nextRunInWords(audience: AudienceDetail): string {
  if (!audience.schedule) return 'when you press Run now';
  if (audience.paused) return 'none while paused';
  return formatTime(audience.next_run_at);
}

/** The audience's schedule as it stands, controls to change it, and Pause or Resume. */
export function ScheduleEditor({ audience }: { audience: AudienceDetail }) {
  const id = useId();
  const save = useUpdateAudience(audience.audience_id);
  const pause = useUpdateAudience(audience.audience_id);
  const [choice, setChoice] = useState(() => scheduleChoiceOf(audience));
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Schedule</h2>
      <dl className="figures">
        <dt>Runs</dt>
        <dd data-testid="schedule-words">
          {audience.schedule_in_words}
          {audience.paused ? ' (paused)' : ''}
        </dd>
        <dt>Next run</dt>
        <dd>{nextRunInWords(audience)}</dd>
        <dt>Time zone</dt>
        <dd>{audience.timezone}</dd>
      </dl>
      {audience.schedule ? (
        <div className="row actions">
          <button
            type="button"
            className="secondary"
            disabled={pause.isPending}
            onClick={() => pause.mutate({ paused: !audience.paused })}
          >
            {audience.paused ? 'Resume' : 'Pause'}
          </button>
          <ProblemMessage error={pause.error} />
        </div>
      ) : null}
      <form
        className="actions"
        aria-label="Change the schedule"
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate(scheduleBody(choice));
        }}
      >
        <ScheduleFields
          value={choice}
          onChange={(changed) => {
            setChoice(changed);
            save.reset();
          }}
          error={save.error}
          legend="Change the schedule"
        />
        <ProblemMessage error={save.error} skipFields={['schedule', 'timezone']} />
        <div className="row">
          <button type="submit" disabled={save.isPending}>
            Save schedule
          </button>
          {save.isSuccess ? (
            <span className="muted" role="status">
              Saved: {save.data.schedule_in_words}.
            </span>
          ) : null}
        </div>
      </form>
    </section>
  );
}
