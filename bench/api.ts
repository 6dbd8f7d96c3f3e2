import { HttpClient } from './http-client.ts';
import { median, sleep } from './stats.ts';

export interface IntentTaskBody {
  days: string[];
  topic_id_prefixes: string[];
  scores: string[];
  perform_unload?: boolean;
  where_expr?: string;
  select?: string;
}

export interface TaskDetail {
  task_id: string;
  status: string;
  total_jobs: number;
  completed_jobs: number;
  failed_jobs: number;
  total_count: number | null;
  counts: Record<string, number>;
  files: Array<{ partition: string; uri: string; rows: number; size_bytes: number }>;
  error: { code: string; message: string } | null;
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
  polls: number;
  /** Median duration of one status read while polling. */
  pollMedianMs: number;
  /** Harness time (ms from create) at which each new `completed_jobs` value was first seen. */
  progress: Array<{ atMs: number; status: string; completed: number; total: number }>;
  detail: TaskDetail;
}

const PASSWORD = 'violet-Tangerine-Harbor-42';

/** An API client of one freshly registered organisation. */
export class AudiencesApi {
  readonly http: HttpClient;
  apiKey = '';

  constructor(
    readonly url: string,
    private readonly pollMs: number,
  ) {
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

  async status(taskId: string): Promise<{ detail: TaskDetail; ms: number }> {
    const reply = await this.http.json<TaskDetail>('GET', `/api/v1/status/${taskId}`, {
      headers: this.headers,
      expect: 200,
    });
    return { detail: reply.body, ms: reply.ms };
  }

  /** Creates a task and polls its status (one read in flight, one every `pollMs`) until `target`. */
  async run(
    body: IntentTaskBody,
    target: string,
    pollMs = this.pollMs,
    timeoutMs = 30 * 60_000,
  ): Promise<TaskRun> {
    const started = performance.now();
    const { taskId, ms: createMs } = await this.create(body);
    const progress: TaskRun['progress'] = [];
    const pollTimes: number[] = [];
    let lastKey = '';
    for (;;) {
      const sent = performance.now();
      const { detail, ms } = await this.status(taskId);
      const now = performance.now();
      pollTimes.push(ms);
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
          polls: pollTimes.length,
          pollMedianMs: median(pollTimes),
          progress,
          detail,
        };
      }
      if (detail.status === 'failed') {
        throw new Error(`task ${taskId} failed: ${JSON.stringify(detail.error)}`);
      }
      if (now - started > timeoutMs)
        throw new Error(`task ${taskId} still ${detail.status} after ${timeoutMs} ms`);
      const wait = pollMs - (now - sent);
      if (wait >= 1) await sleep(wait);
    }
  }

  close(): void {
    this.http.close();
  }
}
