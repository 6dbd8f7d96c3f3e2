import { sleep } from '../stats.ts';
import { type ChaosClient, GaveUp } from './client.ts';
import type { Random } from './random.ts';
import { randomTask, type TaskSpec, type TreeShape } from './workload.ts';

/** How long a probe may take before the fault counts as not recovered. */
export const PROBE_TIMEOUT_MS = 120_000;

/** One probe after a fault: when every API was ready, when its task was counted, what it counted. */
export interface ProbeResult {
  /** Epoch ms when every API answered `GET /readyz` with 200 (undefined: not before the timeout). */
  readyAt: number | undefined;
  /** Epoch ms when the probe task showed a final status (undefined: not before the timeout). */
  doneAt: number | undefined;
  taskId: string | undefined;
  status: string | undefined;
  spec: TaskSpec;
  counts: Record<string, number>;
  problem: string | undefined;
}

/**
 * The question "is the service healthy again?", asked after each fault the same way: every API
 * answers `GET /readyz` with 200, and a small filtered count (one to a few partitions, read whole
 * from the input), created through any API by an organisation of its own (so it queues behind no
 * client's jobs, see README "Fair scheduling"), is counted. That takes an API, the store, the
 * queue, a worker, the input and DuckDB: each fault kind breaks one of them. The counts are
 * checked against the oracle at the end like any task's.
 */
export class Probe {
  readonly tasks = new Set<string>();

  constructor(
    private readonly client: ChaosClient,
    private readonly apiKey: string,
    private readonly apiUrls: readonly string[],
    private readonly tree: TreeShape,
    private readonly rng: Random,
  ) {}

  async run(): Promise<ProbeResult> {
    const deadline = Date.now() + PROBE_TIMEOUT_MS;
    const { spec, body } = randomTask(this.rng, 'filtered_count', this.tree, false);
    const result: ProbeResult = {
      readyAt: undefined,
      doneAt: undefined,
      taskId: undefined,
      status: undefined,
      spec,
      counts: {},
      problem: undefined,
    };
    try {
      result.readyAt = await this.ready(deadline);
      const created = await this.client.call('POST', '/api/v1/intent_hive_tasks', {
        apiKey: this.apiKey,
        body,
      });
      if (created.status !== 202) throw new Error(`create answered ${created.status}`);
      result.taskId = created.body.task_id as string;
      this.tasks.add(result.taskId);
      while (Date.now() < deadline) {
        const reply = await this.client.call('GET', `/api/v1/status/${result.taskId}`, {
          apiKey: this.apiKey,
        });
        result.status = reply.body?.status;
        if (result.status !== 'in_progress') {
          result.doneAt = Date.now();
          result.counts = reply.body.counts ?? {};
          break;
        }
        await sleep(100);
      }
    } catch (error) {
      if (!(error instanceof GaveUp) && !(error instanceof Error)) throw error;
      result.problem = error.message;
    }
    if (result.doneAt === undefined) result.problem ??= `not counted within ${PROBE_TIMEOUT_MS / 1000} s`;
    return result;
  }

  /** Epoch ms when every API answered `/readyz` with 200 in one round. */
  private async ready(deadline: number): Promise<number | undefined> {
    while (Date.now() < deadline) {
      const answers = await Promise.all(
        this.apiUrls.map((url) =>
          fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
            (response) => response.status,
            () => 0,
          ),
        ),
      );
      if (answers.every((status) => status === 200)) return Date.now();
      await sleep(100);
    }
    return undefined;
  }
}
