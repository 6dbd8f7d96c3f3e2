/**
 * `audiences/client`: a typed client of the Audiences API for Node 20+ and browsers.
 *
 * @example
 * const client = new AudiencesClient({ baseUrl: 'http://127.0.0.1:8080', apiKey: process.env.KEY });
 * const { task_id } = await client.createIntentTask({ days: ['2024-05-01'], topic_id_prefixes: ['4eyes_101'], scores: ['high'] });
 * const task = await client.waitFor(task_id, { onProgress: (p) => console.log(p.status, p.completed_jobs, p.total_jobs) });
 * await client.download(task, './segment');
 *
 * @example
 * const audience = await client.createAudience({ name: 'High intent', kind: 'intent', window: { last_days: 7 },
 *   definition: { topic_id_prefixes: ['4eyes_101'], scores: ['high'], unique_by: 'person_id', output: 'people' },
 *   schedule: { every: '24h' }, delivery: { mode: 'delta' } });
 * const { run_id } = await client.runAudience(audience.audience_id);
 * const run = await client.waitForRun(audience.audience_id, run_id); // run.added, run.removed, run.kept
 */
export { AudiencesClient, type AudiencesClientOptions, type TaskPoll } from './audiences-client.ts';
export {
  AudiencesError,
  type AudiencesErrorInit,
  RunEndedError,
  TaskEndedError,
} from './audiences-error.ts';
export type {
  CallOptions,
  IdempotentCallOptions,
  PageOptions,
  TaskPageOptions,
  WaitOptions,
  WaitProgress,
} from './client-calls.ts';
export type * from './client-types.ts';
export type { RetryOptions } from './retry-policy.ts';
export type { components, paths } from './schema.ts';
export type { DownloadedFile, DownloadOptions, DownloadProgress } from './task-download.ts';
