import type { AudiencesApi } from './api.ts';
import type { Dataset } from './dataset.ts';
import type { BenchOptions } from './options.ts';
import { median } from './stats.ts';
import { partitionsTask, shapeOf } from './workload.ts';

export interface GrowthPoint {
  partitions: number;
  shape: string;
  jobs: number;
  createMs: number[];
  countedMs: number[];
  /** Median of the status reads after each task was counted, one per task. */
  readMs: number[];
  bodyBytes: number;
}

/** 6: create latency, time to `counted` and status-read latency as tasks grow (most partitions empty). */
export async function measureGrowth(
  options: BenchOptions,
  dataset: Dataset,
  api: AudiencesApi,
): Promise<GrowthPoint[]> {
  const points: GrowthPoint[] = [];
  const { sizes, tasksPerSize, readsPerTask } = options.growth;
  // One throw-away task warms the routes up.
  await api.run(partitionsTask(dataset, 1, { perform_unload: false }), 'counted');
  for (const n of sizes) {
    const body = partitionsTask(dataset, n, { perform_unload: false });
    const point: GrowthPoint = {
      partitions: n,
      shape: shapeOf(body),
      jobs: 0,
      createMs: [],
      countedMs: [],
      readMs: [],
      bodyBytes: 0,
    };
    for (let t = 0; t < tasksPerSize; t++) {
      const run = await api.run(body, 'counted');
      point.createMs.push(run.createMs);
      point.countedMs.push(run.totalMs);
      point.jobs = run.detail.total_jobs;
      const reads: number[] = [];
      for (let r = 0; r < readsPerTask; r++) {
        const reply = await api.http.request('GET', `/api/v1/status/${run.taskId}`, { headers: api.headers });
        if (reply.status !== 200) throw new Error(`status read: ${reply.status}`);
        reads.push(reply.ms);
        point.bodyBytes = Buffer.byteLength(reply.text);
      }
      point.readMs.push(median(reads));
    }
    options.log(
      `growth ${n}: create ${median(point.createMs).toFixed(1)} ms, counted ${median(point.countedMs).toFixed(0)} ms, read ${median(point.readMs).toFixed(1)} ms`,
    );
    points.push(point);
  }
  return points;
}

/**
 * Growth exponent between two sizes: 1 is linear, below 1 better than linear. Fixed costs make
 * small steps look sub-linear, so the last step (the largest tasks) is the telling one.
 */
export function exponent(n1: number, t1: number, n2: number, t2: number): number {
  return Math.log(t2 / t1) / Math.log(n2 / n1);
}
