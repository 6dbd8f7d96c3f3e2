import createClient, { type Client } from 'openapi-fetch';
import { AudiencesError, errorFromAnswer, TaskEndedError } from './audiences-error.ts';
import {
  type Answer,
  type CallInit,
  type CallOptions,
  type IdempotentCallOptions,
  keyOf,
  type PageOptions,
  pageQuery,
  type TaskPageOptions,
  type WaitOptions,
} from './client-calls.ts';
import type {
  ApiKeyBody,
  ApiKeyCreated,
  ApiKeyInfo,
  AudienceBody,
  AudienceDetail,
  AudienceEstimateBody,
  AudiencePage,
  AudiencePatch,
  AudienceRun,
  AudienceRunPage,
  AudienceRunStarted,
  AudienceSummary,
  GenericTaskBody,
  Health,
  IntentCatalog,
  IntentTaskBody,
  LoginAnswer,
  LoginBody,
  Overlap,
  OverlapBody,
  PasswordBody,
  PasswordChanged,
  RegisterAnswer,
  RegisterBody,
  TaskAccepted,
  TaskDetail,
  TaskEstimate,
  TaskFile,
  TaskPage,
  TaskPreview,
  TaskStatus,
  TaskSummary,
  TopicList,
  Webhook,
  WebhookBody,
  WebhookCreated,
  WebhookDeliveryPage,
} from './client-types.ts';
import {
  abortableSleep,
  DEFAULT_RETRY,
  type RetryContext,
  type RetryMode,
  type RetryOptions,
  sendWithRetries,
} from './retry-policy.ts';
import { SavedAudiences } from './saved-audiences.ts';
import type { paths } from './schema.ts';
import { type DownloadedFile, type DownloadOptions, downloadFiles } from './task-download.ts';

/** How to reach and authenticate to the API. */
export interface AudiencesClientOptions {
  /** The API's root, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** An API key (`dlvr_…`), sent as `X-API-Key`: task, catalog and webhook routes. */
  apiKey?: string;
  /** A user's JWT from `login`, sent as `Authorization: Bearer`: API client routes (and task routes). */
  token?: string;
  /** The fetch to use. @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
  retry?: RetryOptions;
  /** Waits between retries (a fake in tests). @defaultValue setTimeout, rejecting when the signal aborts */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source in [0, 1). @defaultValue Math.random */
  random?: () => number;
}

/** One read of a task with `If-None-Match`: the new detail, or `changed: false` (304). */
export type TaskPoll = { changed: true; task: TaskDetail; etag: string } | { changed: false; etag: string };

const ENDED: ReadonlySet<TaskStatus> = new Set(['completed', 'failed', 'cancelled']);

/**
 * A typed client of the Audiences API over its OpenAPI types (openapi-fetch). Every non-2xx answer
 * throws an {@link AudiencesError}. Idempotent calls are retried on network errors, 429 and 5xx;
 * creates, unload, cancel and retry always carry an `Idempotency-Key` so they are idempotent too.
 * Works in Node 20+ and browsers; only {@link AudiencesClient.download} needs Node.
 */
export class AudiencesClient {
  private readonly api: Client<paths>;
  private readonly retrying: RetryContext;
  private readonly saved: SavedAudiences;
  private apiKey: string | undefined;
  private token: string | undefined;

  constructor(options: AudiencesClientOptions) {
    const baseFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.api = createClient<paths>({ baseUrl: options.baseUrl.replace(/\/+$/, '') });
    this.retrying = {
      fetch: baseFetch,
      sleep: options.sleep ?? abortableSleep,
      random: options.random ?? Math.random,
      retry: { ...DEFAULT_RETRY, ...options.retry },
      now: () => Date.now(),
    };
    this.apiKey = options.apiKey;
    this.token = options.token;
    this.saved = new SavedAudiences({
      api: this.api,
      call: this.call.bind(this),
      waitFor: this.waitFor.bind(this),
    });
  }

  // --- accounts ---

  /** Creates a user and its organisation. Not retried: a lost answer may still have registered. */
  async register(body: RegisterBody, options: CallOptions = {}): Promise<RegisterAnswer> {
    return this.call('never', options, (init) => this.api.POST('/auth/v1/register', { ...init, body }));
  }

  /** Exchanges e-mail and password for a JWT, which this client then sends (API client routes need it). */
  async login(body: LoginBody, options: CallOptions = {}): Promise<LoginAnswer> {
    const answer = await this.call('never', options, (init) =>
      this.api.POST('/auth/v1/login', { ...init, body }),
    );
    this.token = answer.token;
    return answer;
  }

  /**
   * Ends this client's login session (`POST /auth/v1/logout`): from the next request on, the token
   * is refused everywhere (401 `session_ended`), and this client no longer sends it. Needs a token.
   */
  async logout(options: CallOptions = {}): Promise<void> {
    try {
      await this.call('idempotent', options, (init) => this.api.POST('/auth/v1/logout', init));
    } catch (error) {
      // A retry after an answer that was lost finds the session ended: what was asked for.
      if (!(error instanceof AudiencesError && error.code === 'session_ended')) throw error;
    }
    this.token = undefined;
  }

  /**
   * Changes the logged-in user's password; every other session of the user ends, this client's
   * token keeps working. A wrong `current_password` is an `AudiencesError` 403
   * `current_password_wrong`; a new password the policy refuses, 400 naming `new_password`. Not
   * retried: a lost answer may still have changed it. Needs a token.
   */
  async changePassword(body: PasswordBody, options: CallOptions = {}): Promise<PasswordChanged> {
    return this.call('never', options, (init) => this.api.POST('/auth/v1/password', { ...init, body }));
  }

  /**
   * Creates an API client; its `api_key` and `api_secret` are shown this once. `scopes` (any of
   * `read`, `write`, `admin`) limit what the key may do; without them it may do all three. Needs a token.
   */
  async createKey(body: ApiKeyBody, options: CallOptions = {}): Promise<ApiKeyCreated> {
    return this.call('refused', options, (init) => this.api.POST('/client/v1', { ...init, body }));
  }

  /** The organisation's API clients, without secrets. Needs a token. */
  async listKeys(options: CallOptions = {}): Promise<ApiKeyInfo[]> {
    const answer = await this.call('idempotent', options, (init) => this.api.GET('/client/v1', init));
    return answer.clients;
  }

  /** Revokes an API client: its key stops working at once. Needs a token. */
  async revokeKey(clientId: string, options: CallOptions = {}): Promise<void> {
    await this.call('idempotent', options, (init) =>
      this.api.DELETE('/client/v1/{client_id}', { ...init, params: { path: { client_id: clientId } } }),
    );
  }

  // --- tasks ---

  /** Creates an intent task (202): `{task_id, status, total_jobs, completed_jobs}`. */
  async createIntentTask(body: IntentTaskBody, options: IdempotentCallOptions = {}): Promise<TaskAccepted> {
    return this.call(
      'idempotent',
      options,
      (init) => this.api.POST('/api/v1/intent_hive_tasks', { ...init, body }),
      {
        idempotencyKey: keyOf(options),
      },
    );
  }

  /** Creates a generic Parquet task (202). */
  async createGenericTask(body: GenericTaskBody, options: IdempotentCallOptions = {}): Promise<TaskAccepted> {
    return this.call(
      'idempotent',
      options,
      (init) => this.api.POST('/api/v1/generic_parquet_tasks', { ...init, body }),
      { idempotencyKey: keyOf(options) },
    );
  }

  /** What an intent task would read (partitions, files, bytes, rows); stores nothing, so it is retried. */
  async estimateIntent(body: IntentTaskBody, options: CallOptions = {}): Promise<TaskEstimate> {
    return this.call('idempotent', options, (init) =>
      this.api.POST('/api/v1/intent_hive_tasks/estimate', { ...init, body }),
    );
  }

  /** What a generic task would read; stores nothing. */
  async estimateGeneric(body: GenericTaskBody, options: CallOptions = {}): Promise<TaskEstimate> {
    return this.call('idempotent', options, (init) =>
      this.api.POST('/api/v1/generic_parquet_tasks/estimate', { ...init, body }),
    );
  }

  /** Days, prefixes, scores, columns and totals of the intent data. */
  async catalog(options: CallOptions = {}): Promise<IntentCatalog> {
    return this.call('idempotent', options, (init) => this.api.GET('/api/v1/catalog/intent', init));
  }

  /**
   * Topics whose name or id holds `q` (any case), with their rows and distinct people over the newest
   * `days` days (default 7), most rows first, at most `limit` (1-1000, default 50).
   */
  async topics(
    options: CallOptions & { q?: string; days?: number; limit?: number } = {},
  ): Promise<TopicList> {
    const query = {
      ...(options.q === undefined ? {} : { q: options.q }),
      ...(options.days === undefined ? {} : { days: String(options.days) }),
      ...(options.limit === undefined ? {} : { limit: String(options.limit) }),
    };
    return this.call('idempotent', options, (init) =>
      this.api.GET('/api/v1/catalog/intent/topics', { ...init, params: { query } }),
    );
  }

  /** The first `limit` rows (1-100, default 20) of a task's segment. */
  async preview(taskId: string, options: CallOptions & { limit?: number } = {}): Promise<TaskPreview> {
    const query = options.limit === undefined ? undefined : { limit: String(options.limit) };
    return this.call('idempotent', options, (init) =>
      this.api.GET('/api/v1/tasks/{task_id}/preview', {
        ...init,
        params: { path: { task_id: taskId }, query },
      }),
    );
  }

  /**
   * How 2 to 10 tasks (or, with `{ audiences: true }`, saved audiences' last completed runs) overlap:
   * exact sizes, pairwise intersections with Jaccard and, for 2-3 sets, every Venn region. Reads
   * only, so it is retried.
   */
  async overlap(
    ids: readonly string[],
    options: CallOptions & { audiences?: boolean } = {},
  ): Promise<Overlap> {
    const body: OverlapBody = options.audiences ? { audience_ids: [...ids] } : { task_ids: [...ids] };
    return this.call('idempotent', options, (init) => this.api.POST('/api/v1/overlap', { ...init, body }));
  }

  /** The task's detail: status, progress, counts, files and links. */
  async getTask(taskId: string, options: CallOptions = {}): Promise<TaskDetail> {
    const poll = await this.pollTask(taskId, options);
    if (!poll.changed) throw new Error('unreachable: a read without If-None-Match answered 304');
    return poll.task;
  }

  /**
   * One conditional read: with `etag` (and `waitSeconds`, the server's long polling), `changed:
   * false` while the task still matches it; the new detail and its ETag otherwise.
   */
  async pollTask(
    taskId: string,
    options: CallOptions & { etag?: string; waitSeconds?: number } = {},
  ): Promise<TaskPoll> {
    const { etag, waitSeconds } = options;
    const query = etag && waitSeconds ? { wait: String(waitSeconds) } : undefined;
    const header = etag ? { 'if-none-match': etag } : undefined;
    const answer = await this.send('idempotent', options, (init) =>
      this.api.GET('/api/v1/status/{task_id}', {
        ...init,
        params: { path: { task_id: taskId }, query, header },
      }),
    );
    const next = answer.response.headers.get('etag') ?? '';
    if (answer.response.status === 304) return { changed: false, etag: next || (etag ?? '') };
    return { changed: true, task: this.unwrap(answer), etag: next };
  }

  /** One page of the organisation's tasks, newest first; with `q`, those whose name contains it. */
  async listTasks(options: TaskPageOptions = {}): Promise<TaskPage> {
    const query = { ...pageQuery(options), ...(options.q === undefined ? {} : { q: options.q }) };
    return this.call('idempotent', options, (init) =>
      this.api.GET('/api/v1/status', { ...init, params: { query } }),
    );
  }

  /** Every task of the organisation (with `q`: every match), newest first, page after page (`limit` per page). */
  async *tasks(
    options: CallOptions & { limit?: number; q?: string } = {},
  ): AsyncGenerator<TaskSummary, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.listTasks({ ...options, cursor });
      yield* page.tasks;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  /** Starts the export of a `counted` task (409 in any other state). */
  async unload(taskId: string, options: IdempotentCallOptions = {}): Promise<TaskAccepted> {
    return this.taskAction('/api/v1/tasks/{task_id}/unload', taskId, options);
  }

  /** Cancels a task that has not ended (409 once it has). */
  async cancel(taskId: string, options: IdempotentCallOptions = {}): Promise<TaskAccepted> {
    return this.taskAction('/api/v1/tasks/{task_id}/cancel', taskId, options);
  }

  /** Runs a `failed` task's failed jobs again (409 in any other state). */
  async retry(taskId: string, options: IdempotentCallOptions = {}): Promise<TaskAccepted> {
    return this.taskAction('/api/v1/tasks/{task_id}/retry', taskId, options);
  }

  /**
   * Waits for the task to reach `until` with the server's long polling (ETag, If-None-Match,
   * `?wait=`), reporting every change. Rejects with {@link TaskEndedError} when the task ends in
   * another status (`failed`, `cancelled`, or `completed` when that is not awaited), and with the
   * signal's reason when it aborts, also in the middle of a long poll.
   */
  async waitFor(taskId: string, options: WaitOptions = {}): Promise<TaskDetail> {
    const until = new Set<TaskStatus>(
      Array.isArray(options.until) ? options.until : [options.until ?? 'completed'],
    );
    const waitSeconds = options.waitSeconds ?? 30;
    let etag: string | undefined;
    for (;;) {
      options.signal?.throwIfAborted();
      const poll = await this.pollTask(taskId, { signal: options.signal, etag, waitSeconds });
      if (!poll.changed) continue;
      // Without an ETag there is nothing to wait on: pace the reads instead.
      if (!poll.etag) await this.retrying.sleep(1000, options.signal);
      etag = poll.etag || undefined;
      const { task } = poll;
      const { status, completed_jobs, total_jobs } = task;
      options.onProgress?.({ status, completed_jobs, total_jobs, task });
      if (until.has(status)) return task;
      if (ENDED.has(status)) throw new TaskEndedError(task);
    }
  }

  /**
   * Downloads every file of a completed task into `dir/<partition>/<file name>` (Node only):
   * streamed to a temporary name, checked against `size_bytes` (and `sha256`), then renamed.
   */
  async download(
    task: TaskDetail | string,
    dir: string,
    options: DownloadOptions = {},
  ): Promise<DownloadedFile[]> {
    const detail = typeof task === 'string' ? await this.getTask(task, options) : task;
    if (detail.status !== 'completed') {
      throw new AudiencesError({
        status: 0,
        code: 'task_not_completed',
        detail: `task ${detail.task_id} is ${detail.status}; only a completed task's export can be downloaded`,
      });
    }
    return downloadFiles(detail.files, dir, options, (file, signal) => this.fetchFile(file, { signal }));
  }

  /**
   * The `manifest.json` of a completed export (task id, request, schema, files with rows and
   * SHA-256), read through the detail's signed `manifest_url`, with no credentials sent to it (the
   * route `GET /api/v1/tasks/{id}/manifest` redirects to the same link; following it would carry
   * the API key to the object store).
   */
  async manifest(taskId: string, options: CallOptions = {}): Promise<Record<string, unknown>> {
    const task = await this.getTask(taskId, options);
    if (!task.manifest_url) {
      throw new AudiencesError({
        status: 409,
        code: 'task_state_conflict',
        detail: `task ${taskId} has no manifest (status ${task.status}): an export writes it when it completes`,
      });
    }
    return (await (await this.fetchFile(task.manifest_url, options)).json()) as Record<string, unknown>;
  }

  /**
   * Opens one exported file through its signed link (the API's download route, or the object
   * store's presigned URL): the response, its body not yet read. No credentials are sent with it.
   */
  async fetchFile(file: TaskFile | string, options: CallOptions = {}): Promise<Response> {
    const url = typeof file === 'string' ? file : file.url;
    const response = await sendWithRetries(
      new Request(url, { signal: options.signal }),
      'idempotent',
      this.retrying,
      options.signal,
    );
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {}
    throw errorFromAnswer(response, body);
  }

  // --- webhooks ---

  /** Subscribes a URL to task events; the signing `secret` is shown this once. */
  async createWebhook(body: WebhookBody, options: CallOptions = {}): Promise<WebhookCreated> {
    return this.call('refused', options, (init) => this.api.POST('/api/v1/webhooks', { ...init, body }));
  }

  /** The organisation's webhooks, oldest first, without secrets. */
  async listWebhooks(options: CallOptions = {}): Promise<Webhook[]> {
    const answer = await this.call('idempotent', options, (init) => this.api.GET('/api/v1/webhooks', init));
    return answer.webhooks;
  }

  async deleteWebhook(webhookId: string, options: CallOptions = {}): Promise<void> {
    await this.call('idempotent', options, (init) =>
      this.api.DELETE('/api/v1/webhooks/{webhook_id}', {
        ...init,
        params: { path: { webhook_id: webhookId } },
      }),
    );
  }

  /** One page of a webhook's delivery attempts, newest first. */
  async webhookDeliveries(webhookId: string, options: PageOptions = {}): Promise<WebhookDeliveryPage> {
    return this.call('idempotent', options, (init) =>
      this.api.GET('/api/v1/webhooks/{webhook_id}/deliveries', {
        ...init,
        params: { path: { webhook_id: webhookId }, query: pageQuery(options) },
      }),
    );
  }

  // --- saved audiences (the calls are in saved-audiences.ts) ---

  /**
   * Saves an audience (201): a task definition with a rolling window, a schedule and a delivery,
   * checked as a task create is (the same 400s). Carries an `Idempotency-Key`, so it is retried.
   */
  createAudience(body: AudienceBody, options: IdempotentCallOptions = {}): Promise<AudienceDetail> {
    return this.saved.create(body, options);
  }

  /** One page of the organisation's audiences, newest first. */
  listAudiences(options: PageOptions = {}): Promise<AudiencePage> {
    return this.saved.list(options);
  }

  /** Every audience of the organisation, newest first, page after page (`limit` per page). */
  audiences(
    options: CallOptions & { limit?: number } = {},
  ): AsyncGenerator<AudienceSummary, void, undefined> {
    return this.saved.all(options);
  }

  /** An audience: definition, schedule, delivery, the days its next run reads, last run, size history. */
  getAudience(audienceId: string, options: CallOptions = {}): Promise<AudienceDetail> {
    return this.saved.get(audienceId, options);
  }

  /** Changes any fields; a changed definition or window makes a new version (and a delta baseline). */
  updateAudience(
    audienceId: string,
    patch: AudiencePatch,
    options: CallOptions = {},
  ): Promise<AudienceDetail> {
    return this.saved.update(audienceId, patch, options);
  }

  /** Stops the audience's schedule without losing it (`paused: true`). */
  pauseAudience(audienceId: string, options: CallOptions = {}): Promise<AudienceDetail> {
    return this.saved.update(audienceId, { paused: true }, options);
  }

  /** Starts the schedule again, its slots counted from now. */
  resumeAudience(audienceId: string, options: CallOptions = {}): Promise<AudienceDetail> {
    return this.saved.update(audienceId, { paused: false }, options);
  }

  /** Deletes an audience; its finished runs keep their files until they expire. */
  deleteAudience(audienceId: string, options: CallOptions = {}): Promise<void> {
    return this.saved.delete(audienceId, options);
  }

  /** What an audience's next run would read, its window resolved now; stores nothing. */
  estimateAudience(body: AudienceEstimateBody, options: CallOptions = {}): Promise<TaskEstimate> {
    return this.saved.estimate(body, options);
  }

  /** Runs an audience now (202): an ordinary task; 409 `audience_run_in_progress` while one is going. */
  runAudience(audienceId: string, options: IdempotentCallOptions = {}): Promise<AudienceRunStarted> {
    return this.saved.run(audienceId, options);
  }

  /** One page of an audience's runs and skipped slots, newest first. */
  listAudienceRuns(audienceId: string, options: PageOptions = {}): Promise<AudienceRunPage> {
    return this.saved.runs(audienceId, options);
  }

  /** Every run of an audience, newest first, page after page. */
  audienceRuns(
    audienceId: string,
    options: CallOptions & { limit?: number } = {},
  ): AsyncGenerator<AudienceRun, void, undefined> {
    return this.saved.allRuns(audienceId, options);
  }

  /** Makes the next delta run a baseline: every member delivered as added. */
  resyncAudience(audienceId: string, options: CallOptions = {}): Promise<AudienceDetail> {
    return this.saved.resync(audienceId, options);
  }

  /** One run of an audience: its status, days, people, and for a delta run added, removed and kept. */
  getAudienceRun(audienceId: string, runId: string, options: CallOptions = {}): Promise<AudienceRun> {
    return this.saved.getRun(audienceId, runId, options);
  }

  /**
   * Waits for a run's task (as {@link AudiencesClient.waitFor}, reporting its progress) and answers
   * the run as the audience's runs show it: status, people, and added, removed, kept for delta.
   * Rejects with {@link RunEndedError} (a {@link TaskEndedError}) when the task ends otherwise. A
   * skipped slot or an expired run is answered at once.
   */
  waitForRun(audienceId: string, runId: string, options: WaitOptions = {}): Promise<AudienceRun> {
    return this.saved.waitForRun(audienceId, runId, options);
  }

  // --- health ---

  /** `/healthz`: the process answers. */
  async health(options: CallOptions = {}): Promise<Health> {
    return this.call('idempotent', options, (init) => this.api.GET('/healthz', init));
  }

  /** `/readyz`: the store and the queue are reachable (an `AudiencesError` 503 `not_ready` otherwise). */
  async ready(options: CallOptions = {}): Promise<Health> {
    return this.call('idempotent', options, (init) => this.api.GET('/readyz', init));
  }

  // --- plumbing ---

  private taskAction(
    route:
      | '/api/v1/tasks/{task_id}/unload'
      | '/api/v1/tasks/{task_id}/cancel'
      | '/api/v1/tasks/{task_id}/retry',
    taskId: string,
    options: IdempotentCallOptions,
  ): Promise<TaskAccepted> {
    return this.call(
      'idempotent',
      options,
      (init) => this.api.POST(route, { ...init, params: { path: { task_id: taskId } } }),
      {
        idempotencyKey: keyOf(options),
      },
    );
  }

  /** Sends a call and returns its data; throws an `AudiencesError` for any non-2xx answer. */
  private async call<T>(
    mode: RetryMode,
    options: CallOptions,
    run: (init: CallInit) => Promise<Answer<T>>,
    extra: { idempotencyKey?: string } = {},
  ): Promise<T> {
    return this.unwrap(await this.send(mode, options, run, extra));
  }

  private send<T>(
    mode: RetryMode,
    options: CallOptions,
    run: (init: CallInit) => Promise<Answer<T>>,
    extra: { idempotencyKey?: string } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = {};
    if (this.apiKey) headers['x-api-key'] = this.apiKey;
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (extra.idempotencyKey) headers['idempotency-key'] = extra.idempotencyKey;
    const { signal } = options;
    return run({
      signal,
      headers,
      fetch: (request) => sendWithRetries(request, mode, this.retrying, signal),
    });
  }

  private unwrap<T>(answer: Answer<T>): T {
    if (!answer.response.ok) throw errorFromAnswer(answer.response, answer.error);
    return answer.data as T;
  }
}
