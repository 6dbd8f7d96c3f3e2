import type { AudienceBody, AudienceRunStarted, IntentDefinition } from '../src/contract/audience-schemas.ts';
import type { TaskDetail as ServedTaskDetail } from '../src/contract/task-schemas.ts';
import { HttpClient } from './http-client.ts';
import { sleep } from './stats.ts';

/** A saved intent audience as the bench saves one (`POST /api/v1/audiences`). */
export type SavedAudienceBody = Omit<AudienceBody, 'definition'> & { definition: IntentDefinition };
export type { AudienceRunStarted };

export interface IntentTaskBody {
  days: string[];
  topic_id_prefixes: string[];
  scores: string[];
  perform_unload?: boolean;
  where_expr?: string;
  select?: string;
  unique_by?: string;
  compression?: string;
  format?: 'parquet' | 'csv' | 'jsonl';
  output?: 'rows' | 'people';
  profile?: string;
}

export interface TaskDetail {
  task_id: string;
  status: string;
  total_jobs: number;
  completed_jobs: number;
  failed_jobs: number;
  total_count: number | null;
  counts: Record<string, number>;
  unique_count?: number | null;
  unique_counts?: Record<string, number> | null;
  files: Array<{ partition: string; uri: string; rows: number; size_bytes: number }>;
  error: { code: string; message: string } | null;
  /** A saved audience's delta run, once counted; null for other tasks. */
  delta?: ServedTaskDetail['delta'];
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

/** One task driven from create to a target status, timed from the harness. */
export interface TaskRun {
  taskId: string;
  /** POST create → 202 received. */
  createMs: number;
  /** POST create sent → the first status read showing the target status received. */
  totalMs: number;
  /** Server's own clock: `updated_at` − `created_at` of the final read. */
  serverMs: number;
  /** Status reads made while waiting (long polls, or polls). */
  reads: number;
  /** Harness time (ms from create) at which each new `completed_jobs` value was first seen. */
  progress: Array<{ atMs: number; status: string; completed: number; total: number }>;
  detail: TaskDetail;
  /**
   * Where the server's jobs spent the run's time, from its `/metrics` before and after the run:
   * `phase.step` → milliseconds summed over the task's jobs (`audiences_job_step_seconds`).
   */
  steps?: Record<string, number>;
}

/** `phase.step` → seconds summed so far, and how many jobs recorded a `total`. */
export interface JobSteps {
  seconds: Record<string, number>;
  jobs: number;
}

const PASSWORD = 'violet-Tangerine-Harbor-42';

/** An API client of one freshly registered organisation. */
export class AudiencesApi {
  readonly http: HttpClient;
  apiKey = '';

  constructor(readonly url: string) {
    this.http = new HttpClient(url);
  }

  /** Registers a user (and organisation), logs in and creates an API client, as a user would. */
  async signUp(label: string): Promise<void> {
    const email = `bench-${label}-${Date.now()}@example.com`;
    await this.http.json('POST', '/auth/v1/register', {
      body: { email, password: PASSWORD, first_name: 'Bench', last_name: 'Mark', organization_name: 'Bench' },
      expect: 201,
    });
    const login = await this.http.json<{ token: string }>('POST', '/auth/v1/login', {
      body: { email, password: PASSWORD },
      expect: 200,
    });
    const client = await this.http.json<{ api_key: string }>('POST', '/client/v1', {
      body: { name: 'bench' },
      headers: { authorization: `Bearer ${login.body.token}` },
      expect: 201,
    });
    this.apiKey = client.body.api_key;
  }

  get headers(): Record<string, string> {
    return { 'x-api-key': this.apiKey };
  }

  async create(body: IntentTaskBody): Promise<{ taskId: string; ms: number }> {
    const reply = await this.http.json<{ task_id: string }>('POST', '/api/v1/intent_hive_tasks', {
      body,
      headers: this.headers,
      expect: 202,
    });
    return { taskId: reply.body.task_id, ms: reply.ms };
  }

  /** Exports a counted task's segment (`POST /api/v1/tasks/{id}/unload`). */
  async unload(taskId: string): Promise<{ ms: number }> {
    const reply = await this.http.json('POST', `/api/v1/tasks/${taskId}/unload`, {
      headers: this.headers,
      expect: 202,
    });
    return { ms: reply.ms };
  }

  /** Saves an audience (`POST /api/v1/audiences`) and answers its id. */
  async saveAudience(body: SavedAudienceBody): Promise<string> {
    const reply = await this.http.json<{ audience_id: string }>('POST', '/api/v1/audiences', {
      body,
      headers: this.headers,
      expect: 201,
    });
    return reply.body.audience_id;
  }

  /**
   * Runs a saved audience now (`POST /api/v1/audiences/{id}/runs`) and follows its task to
   * `completed` (see `follow`), timed from sending the POST.
   */
  async runAudience(
    audienceId: string,
    pollMs?: number,
  ): Promise<{ started: AudienceRunStarted; run: TaskRun }> {
    const sent = performance.now();
    const reply = await this.http.json<AudienceRunStarted>('POST', `/api/v1/audiences/${audienceId}/runs`, {
      headers: this.headers,
      expect: 202,
    });
    const run = await this.follow(reply.body.task_id, 'completed', {
      started: sent,
      createMs: reply.ms,
      pollMs,
    });
    return { started: reply.body, run };
  }

  /** Makes the audience's next delta run a baseline (`POST /api/v1/audiences/{id}/resync`). */
  async resyncAudience(audienceId: string): Promise<void> {
    await this.http.json('POST', `/api/v1/audiences/${audienceId}/resync`, {
      headers: this.headers,
      expect: 200,
    });
  }

  /** Deletes an audience, its runs' records and their member snapshots (its tasks stay). */
  async deleteAudience(audienceId: string): Promise<void> {
    const reply = await this.http.request('DELETE', `/api/v1/audiences/${audienceId}`, {
      headers: this.headers,
    });
    if (reply.status !== 204) throw new Error(`DELETE audience ${audienceId}: ${reply.status} ${reply.text}`);
  }

  /** One status read; with `etag`, a long poll that waits up to `waitSec` for the task to change. */
  async status(
    taskId: string,
    etag?: string,
    waitSec = 60,
  ): Promise<{ detail: TaskDetail | undefined; etag: string | undefined; ms: number }> {
    const reply = await this.http.request(
      'GET',
      `/api/v1/status/${taskId}${etag ? `?wait=${waitSec}` : ''}`,
      { headers: etag ? { ...this.headers, 'if-none-match': etag } : this.headers },
    );
    const tag = reply.headers.etag;
    if (reply.status === 304) return { detail: undefined, etag: tag ?? etag, ms: reply.ms };
    if (reply.status !== 200)
      throw new Error(`GET status ${taskId}: ${reply.status} ${reply.text.slice(0, 500)}`);
    return { detail: JSON.parse(reply.text) as TaskDetail, etag: tag, ms: reply.ms };
  }

  /** The server's `audiences_job_step_seconds` sums so far (its `/metrics`, which needs no key). */
  async jobSteps(): Promise<JobSteps> {
    const response = await fetch(`${this.url}/metrics`);
    if (!response.ok) throw new Error(`GET /metrics: ${response.status}`);
    const seconds: Record<string, number> = {};
    let jobs = 0;
    const sample = /^audiences_job_step_seconds_(sum|count)\{phase="([^"]+)",step="([^"]+)"\} (\S+)$/;
    for (const line of (await response.text()).split('\n')) {
      const match = sample.exec(line);
      if (!match) continue;
      const [, kind, phase, step, value] = match;
      if (kind === 'sum') seconds[`${phase}.${step}`] = Number(value);
      else if (step === 'total') jobs += Number(value);
    }
    return { seconds, jobs };
  }

  /**
   * Runs `run` and reads where its jobs' time went: the step sums before it and after it, once
   * the server recorded `jobs` more finished jobs (a reader can hear of the task's end a moment
   * before its last job's figures are recorded).
   */
  async withSteps(run: () => Promise<TaskRun>, earlierJobs = 0): Promise<TaskRun> {
    const before = await this.jobSteps();
    const result = await run();
    // Jobs the task had finished before `run` (a count before its unload) are not waited for.
    const jobs = result.detail.total_jobs - earlierJobs;
    let after = await this.jobSteps();
    for (let i = 0; i < 50 && after.jobs < before.jobs + jobs; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      after = await this.jobSteps();
    }
    const steps: Record<string, number> = {};
    for (const [key, seconds] of Object.entries(after.seconds)) {
      const ms = (seconds - (before.seconds[key] ?? 0)) * 1000;
      if (ms > 0) steps[key] = ms;
    }
    return { ...result, steps };
  }

  /**
   * Creates a task and waits until it reaches `target`. By default with long polling, as the API
   * documents for clients: each read sends the ETag of the last answer and `wait`, so the answer
   * comes the moment the task changes. With `pollMs`, a polling client instead: one read in flight,
   * one every `pollMs`, without ETags.
   */
  async run(
    body: IntentTaskBody,
    target: string,
    pollMs?: number,
    timeoutMs = 30 * 60_000,
  ): Promise<TaskRun> {
    const started = performance.now();
    const { taskId, ms: createMs } = await this.create(body);
    return this.follow(taskId, target, { started, createMs, pollMs, timeoutMs });
  }

  /**
   * Waits until a created task reaches `target` (see `run`); `started` is when its create was sent,
   * on `performance.now()`'s clock.
   */
  async follow(
    taskId: string,
    target: string,
    timing: { started: number; createMs: number; pollMs?: number; timeoutMs?: number },
  ): Promise<TaskRun> {
    const { started, createMs, pollMs } = timing;
    const timeoutMs = timing.timeoutMs ?? 30 * 60_000;
    const progress: TaskRun['progress'] = [];
    let reads = 0;
    let lastKey = '';
    let etag: string | undefined;
    for (;;) {
      const sent = performance.now();
      const read = await this.status(taskId, pollMs === undefined ? etag : undefined);
      const now = performance.now();
      reads += 1;
      etag = read.etag;
      const detail = read.detail;
      if (detail) {
        const key = `${detail.status}/${detail.completed_jobs}/${detail.total_jobs}`;
        if (key !== lastKey) {
          lastKey = key;
          progress.push({
            atMs: now - started,
            status: detail.status,
            completed: detail.completed_jobs,
            total: detail.total_jobs,
          });
        }
        if (detail.status === target) {
          return {
            taskId,
            createMs,
            totalMs: now - started,
            serverMs: Date.parse(detail.updated_at) - Date.parse(detail.created_at),
            reads,
            progress,
            detail,
          };
        }
        if (detail.status === 'failed') {
          throw new Error(`task ${taskId} failed: ${JSON.stringify(detail.error)}`);
        }
      }
      if (now - started > timeoutMs) throw new Error(`task ${taskId} still ${lastKey} after ${timeoutMs} ms`);
      const pause = pollMs === undefined ? 0 : pollMs - (now - sent);
      if (pause >= 1) await sleep(pause);
    }
  }

  close(): void {
    this.http.close();
  }
}
