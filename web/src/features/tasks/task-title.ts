/** What the request of a task holds that its title and summary use; every part may be missing. */
interface RequestParts {
  days?: unknown;
  topic_id_prefixes?: unknown;
  input_path?: unknown;
  output?: unknown;
}

/** A task (list entry or detail) as the title reads it: the detail has its `request`, a list entry not. */
export interface Titled {
  type: string;
  name?: unknown;
  request?: unknown;
  /** The saved audience whose run the task is. */
  audience?: { name: string } | null;
  created_at?: string;
}

const PREFIXES_SHOWN = 3;

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The kind of task in words: "Intent audience", "People export", "Parquet task". */
export function taskKind(task: Titled): string {
  const request = (task.request ?? {}) as RequestParts;
  if (request.output === 'people') return 'People export';
  return task.type === 'intent_hive' ? 'Intent audience' : 'Parquet task';
}

/** "2024-05-01" or "2024-05-01 – 2024-05-07 (5 days)": the request's days need not be consecutive. */
export function daysSummary(value: unknown): string | undefined {
  const days = [...strings(value)].sort();
  if (days.length === 0) return undefined;
  if (days.length === 1) return days[0];
  return `${days[0]} – ${days.at(-1)} (${days.length} days)`;
}

/** "tech_1, fin_2, auto_3 +4 more". */
export function prefixesSummary(value: unknown): string | undefined {
  const prefixes = strings(value);
  if (prefixes.length === 0) return undefined;
  const shown = prefixes.slice(0, PREFIXES_SHOWN).join(', ');
  return prefixes.length > PREFIXES_SHOWN ? `${shown} +${prefixes.length - PREFIXES_SHOWN} more` : shown;
}

/** The task's own name, when it was given one. */
export function taskName(task: Titled): string | undefined {
  return typeof task.name === 'string' && task.name.trim() ? task.name.trim() : undefined;
}

/**
 * What a person calls the task: its name; else, for a saved audience's run, the audience's name and
 * the day of the run ("Weekly leads · run on 2024-05-08"); else its kind and what it asked for, e.g.
 * "Intent audience · 2024-05-01 – 2024-05-07 (7 days) · tech_1, fin_2".
 */
export function taskTitle(task: Titled): string {
  const name = taskName(task);
  if (name) return name;
  if (task.audience) {
    const day = task.created_at?.slice(0, 10);
    return day ? `${task.audience.name} · run on ${day}` : task.audience.name;
  }
  const request = (task.request ?? {}) as RequestParts;
  const input = typeof request.input_path === 'string' ? request.input_path : undefined;
  const parts = [
    taskKind(task),
    daysSummary(request.days),
    prefixesSummary(request.topic_id_prefixes) ?? (task.type === 'intent_hive' ? undefined : input),
  ];
  return parts.filter(Boolean).join(' · ');
}
