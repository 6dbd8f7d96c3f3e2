import { RunEndedError, TaskEndedError } from './audiences-error.ts';
import {
  type ApiCalls,
  type CallOptions,
  type IdempotentCallOptions,
  keyOf,
  type PageOptions,
  pageQuery,
  type WaitOptions,
} from './client-calls.ts';
import type {
  AudienceBody,
  AudienceDetail,
  AudienceEstimateBody,
  AudiencePage,
  AudiencePatch,
  AudienceRun,
  AudienceRunPage,
  AudienceRunStarted,
  AudienceSummary,
  TaskEstimate,
} from './client-types.ts';

/**
 * The saved-audience calls, which {@link AudiencesClient} delegates to (`createAudience`,
 * `runAudience`, `waitForRun`, ...): kept apart so the client's file stays a readable size.
 */
export class SavedAudiences {
  constructor(private readonly calls: ApiCalls) {}

  create(body: AudienceBody, options: IdempotentCallOptions = {}): Promise<AudienceDetail> {
    return this.calls.call(
      'idempotent',
      options,
      (init) => this.calls.api.POST('/api/v1/audiences', { ...init, body }),
      { idempotencyKey: keyOf(options) },
    );
  }

  list(options: PageOptions = {}): Promise<AudiencePage> {
    return this.calls.call('idempotent', options, (init) =>
      this.calls.api.GET('/api/v1/audiences', { ...init, params: { query: pageQuery(options) } }),
    );
  }

  async *all(
    options: CallOptions & { limit?: number } = {},
  ): AsyncGenerator<AudienceSummary, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.list({ ...options, cursor });
      yield* page.audiences;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  get(audienceId: string, options: CallOptions = {}): Promise<AudienceDetail> {
    return this.calls.call('idempotent', options, (init) =>
      this.calls.api.GET('/api/v1/audiences/{audience_id}', { ...init, params: path(audienceId) }),
    );
  }

  /** Retried as idempotent: the same change twice leaves the audience as once (and one version). */
  update(audienceId: string, patch: AudiencePatch, options: CallOptions = {}): Promise<AudienceDetail> {
    return this.calls.call('idempotent', options, (init) =>
      this.calls.api.PATCH('/api/v1/audiences/{audience_id}', {
        ...init,
        params: path(audienceId),
        body: patch,
      }),
    );
  }

  async delete(audienceId: string, options: CallOptions = {}): Promise<void> {
    await this.calls.call('idempotent', options, (init) =>
      this.calls.api.DELETE('/api/v1/audiences/{audience_id}', { ...init, params: path(audienceId) }),
    );
  }

  estimate(body: AudienceEstimateBody, options: CallOptions = {}): Promise<TaskEstimate> {
    return this.calls.call('idempotent', options, (init) =>
      this.calls.api.POST('/api/v1/audiences/estimate', { ...init, body }),
    );
  }

  run(audienceId: string, options: IdempotentCallOptions = {}): Promise<AudienceRunStarted> {
    return this.calls.call(
      'idempotent',
      options,
      (init) =>
        this.calls.api.POST('/api/v1/audiences/{audience_id}/runs', { ...init, params: path(audienceId) }),
      { idempotencyKey: keyOf(options) },
    );
  }

  runs(audienceId: string, options: PageOptions = {}): Promise<AudienceRunPage> {
    return this.calls.call('idempotent', options, (init) =>
      this.calls.api.GET('/api/v1/audiences/{audience_id}/runs', {
        ...init,
        params: { ...path(audienceId), query: pageQuery(options) },
      }),
    );
  }

  async *allRuns(
    audienceId: string,
    options: CallOptions & { limit?: number } = {},
  ): AsyncGenerator<AudienceRun, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.runs(audienceId, { ...options, cursor });
      yield* page.runs;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  /** Resyncing twice is resyncing once: retried as idempotent. */
  resync(audienceId: string, options: CallOptions = {}): Promise<AudienceDetail> {
    return this.calls.call('idempotent', options, (init) =>
      this.calls.api.POST('/api/v1/audiences/{audience_id}/resync', { ...init, params: path(audienceId) }),
    );
  }

  /**
   * Waits for the run's task with the client's long polling, then reads the run back from the
   * audience's runs (the API has no route for one run), where its task's figures are joined in.
   */
  async waitForRun(audienceId: string, runId: string, options: WaitOptions = {}): Promise<AudienceRun> {
    const run = await this.getRun(audienceId, runId, options);
    // A skipped slot never had a task; an expired run's task is gone: nothing to wait for.
    if (run.task_id === null || run.status === 'skipped' || run.status === 'expired') return run;
    try {
      await this.calls.waitFor(run.task_id, options);
    } catch (error) {
      if (!(error instanceof TaskEndedError)) throw error;
      throw new RunEndedError(error.task, await this.getRun(audienceId, runId, options));
    }
    return this.getRun(audienceId, runId, options);
  }

  /** One run (`GET /api/v1/audiences/{id}/runs/{run_id}`). */
  getRun(audienceId: string, runId: string, options: CallOptions = {}): Promise<AudienceRun> {
    return this.calls.call('idempotent', options, (init) =>
      this.calls.api.GET('/api/v1/audiences/{audience_id}/runs/{run_id}', {
        ...init,
        params: { path: { audience_id: audienceId, run_id: runId } },
      }),
    );
  }
}

function path(audienceId: string): { path: { audience_id: string } } {
  return { path: { audience_id: audienceId } };
}
