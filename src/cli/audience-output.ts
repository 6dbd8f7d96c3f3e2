import type { AudienceDetail, AudienceRun, AudienceSummary } from '../client/index.ts';
import { print, table } from './output.ts';

const NONE = '-';

/** A count, or a dash when the run has none (still running, or not a delta run). */
function figure(value: number | null | undefined): string | number {
  return value ?? NONE;
}

/** A list of days for people: a few as they are, more as `first..last (N days)`. */
function daysInWords(days: string[] | null): string {
  if (!days || days.length === 0) return NONE;
  if (days.length <= 3) return days.join(', ');
  return `${days[0]}..${days.at(-1)} (${days.length} days)`;
}

function scheduleOf(audience: AudienceSummary): string {
  return audience.paused ? `${audience.schedule_in_words} (paused)` : audience.schedule_in_words;
}

/** `completed: 1204 people (+31 -12 =1173)`. */
function runInWords(run: AudienceRun): string {
  const people = run.people === null ? '' : `: ${run.people} people`;
  const delta = run.added === null ? '' : ` (+${run.added} -${run.removed ?? 0} =${run.kept ?? 0})`;
  return `${run.status}${people}${delta}`;
}

/** The audiences as a table: id, name, schedule in words, next run, the last run's status and people. */
export function printAudienceList(audiences: AudienceSummary[]): void {
  const rows = audiences.map((audience) => [
    audience.audience_id,
    audience.name,
    scheduleOf(audience),
    audience.next_run_at ?? NONE,
    audience.last_run?.status ?? NONE,
    figure(audience.last_run?.people),
  ]);
  print(table(['AUDIENCE', 'NAME', 'SCHEDULE', 'NEXT RUN', 'LAST RUN', 'PEOPLE'], rows, [5]));
}

/** An audience in a short block: what it selects, when it runs, where it delivers, how it went. */
export function printAudience(audience: AudienceDetail): void {
  const window = audience.window
    ? `last ${audience.window.last_days} days until ${audience.window.until}`
    : 'fixed days';
  const lines: Array<[string, string]> = [
    ['audience', audience.audience_id],
    ['name', audience.name],
    ['kind', `${audience.kind} (version ${audience.version})`],
    ['definition', JSON.stringify(audience.definition)],
  ];
  if (audience.kind === 'intent') {
    lines.push(['window', window], ['next days', daysInWords(audience.days)]);
  }
  lines.push(
    ['schedule', `${scheduleOf(audience)}, timezone ${audience.timezone}`],
    [
      'delivery',
      audience.delivery.path
        ? `${audience.delivery.mode} to ${audience.delivery.path}`
        : audience.delivery.mode,
    ],
    ['next run', audience.next_run_at ?? NONE],
    ['last run', audience.last_run ? runInWords(audience.last_run) : NONE],
  );
  const sizes = audience.size_history.map((point) => point.people ?? point.total_count ?? NONE);
  if (sizes.length > 1) lines.push(['size', `${sizes.join(', ')} over the last ${sizes.length} runs`]);
  if (audience.description) lines.push(['description', audience.description]);
  print(table([], lines));
}

/** The runs as a table, newest first: when, how, and what each counted. */
export function printRuns(runs: AudienceRun[]): void {
  const rows = runs.map((run) => [
    run.run_id,
    run.trigger,
    run.scheduled_for ?? run.started_at,
    run.status,
    figure(run.people),
    figure(run.added),
    figure(run.removed),
    figure(run.kept),
  ]);
  print(
    table(['RUN', 'TRIGGER', 'STARTED', 'STATUS', 'PEOPLE', 'ADDED', 'REMOVED', 'KEPT'], rows, [4, 5, 6, 7]),
  );
}

/** One run in a short block: its status, days, and its people, added, removed and kept. */
export function printRun(run: AudienceRun): void {
  const lines: Array<[string, string]> = [
    ['run', run.run_id],
    ['status', run.status],
    ['task', run.task_id ?? NONE],
    ['days', daysInWords(run.days)],
    ['rows', String(figure(run.total_count))],
    ['people', String(figure(run.people))],
  ];
  if (run.baseline !== null) {
    lines.push(
      ['added', String(figure(run.added))],
      ['removed', String(figure(run.removed))],
      ['kept', String(figure(run.kept))],
      ['baseline', run.baseline === 'new' ? 'new (everyone added)' : `previous run ${run.previous_run_id}`],
    );
  }
  if (run.reason) lines.push(['reason', run.reason]);
  print(table([], lines));
}
