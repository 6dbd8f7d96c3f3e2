import fs from 'node:fs';
import path from 'node:path';
import type { AudiencesApi } from './api.ts';
import type { CpuMonitor } from './cpu-monitor.ts';
import type { Dataset } from './dataset.ts';
import { type LoadResult, loadTest } from './load-test.ts';
import type { BenchOptions } from './options.ts';
import { ChildServer } from './server-process.ts';
import { partitionCount, partitionsTask, shapeOf } from './workload.ts';

export interface ThroughputResult {
  partitions: number;
  shape: string;
  /** Partitions that exist in the tree (the others count 0). */
  nonEmpty: number;
  filesInTask: number;
  bodyBytes: number;
  connections: number;
  durationSec: number;
  api: LoadResult[];
  bare: LoadResult[];
  /** API rounds whose requests accept gzip, as curl --compressed, browsers and HTTP libraries send. */
  apiGzip: LoadResult[];
  apiGzipForeign: number[];
  /** Cores other processes used during each round (same order as api / bare). */
  apiForeign: number[];
  bareForeign: number[];
  /** Sequential reads of the same status on an idle server. */
  idleReadMs: number[];
  taskFilter: string;
}

/** Filter of the completed task read under load: a small export, so the task completes quickly. */
const THROUGHPUT_FILTER = 'intent_score >= 95';

/**
 * 5: GET /api/v1/status/{id} of a completed 1,000-partition task under autocannon, against a bare
 * Fastify app (its own child process) answering the same JSON. Rounds alternate A B B A.
 */
export async function measureThroughput(
  options: BenchOptions,
  dataset: Dataset,
  api: AudiencesApi,
  cpu: CpuMonitor,
): Promise<ThroughputResult> {
  const body = partitionsTask(dataset, 1_000, { where_expr: THROUGHPUT_FILTER });
  options.log('throughput: preparing a completed 1,000-partition task');
  const run = await api.run(body, 'completed');
  const statusPath = `/api/v1/status/${run.taskId}`;
  const sample = await api.http.request('GET', statusPath, { headers: api.headers });
  const idleReadMs: number[] = [];
  for (let i = 0; i < 20; i++)
    idleReadMs.push((await api.http.request('GET', statusPath, { headers: api.headers })).ms);

  const bodyFile = path.join(options.scratchDir, 'bare-status.json');
  fs.writeFileSync(bodyFile, sample.text);
  const bare = await ChildServer.start({
    name: 'bare fastify',
    cwd: options.root,
    args: ['--import', 'tsx', 'bench/bare-server.ts'],
    env: { BARE_BODY_FILE: bodyFile },
    logFile: path.join(options.logDir, 'bare-server.log'),
    readyPath: '/healthz',
  });
  const { connections, durationSec } = options.autocannon;
  const results = { api: [] as LoadResult[], bare: [] as LoadResult[], apiGzip: [] as LoadResult[] };
  const foreign = { api: [] as number[], bare: [] as number[], apiGzip: [] as number[] };
  try {
    const targets = {
      api: () => loadTest(api.url + statusPath, api.headers, connections, durationSec),
      bare: () => loadTest(bare.url + statusPath, {}, connections, durationSec),
      apiGzip: () =>
        loadTest(
          api.url + statusPath,
          { ...api.headers, 'accept-encoding': 'gzip' },
          connections,
          durationSec,
        ),
    };
    // Warm-up (JIT, connection set-up), not recorded.
    await loadTest(api.url + statusPath, api.headers, connections, 1);
    await loadTest(bare.url + statusPath, {}, connections, 1);
    const order: Array<'api' | 'bare' | 'apiGzip'> = options.tiny
      ? ['api', 'bare', 'apiGzip']
      : ['api', 'bare', 'bare', 'api', 'apiGzip', 'apiGzip'];
    for (const side of order) {
      const mark = cpu.mark();
      const result = await targets[side]();
      results[side].push(result);
      foreign[side].push(cpu.since(mark).foreignCores);
      options.log(
        `  ${side}: ${result.requestsPerSec.toFixed(0)} req/s, p99 ${result.p99Ms} ms, non-2xx ${result.non2xx}, errors ${result.errors}`,
      );
    }
  } finally {
    await bare.stop();
  }
  return {
    partitions: partitionCount(body),
    shape: shapeOf(body),
    nonEmpty: Object.values(run.detail.counts).filter((n) => n > 0).length,
    filesInTask: run.detail.files.length,
    bodyBytes: Buffer.byteLength(sample.text),
    connections,
    durationSec,
    ...results,
    apiForeign: foreign.api,
    bareForeign: foreign.bare,
    apiGzipForeign: foreign.apiGzip,
    idleReadMs,
    taskFilter: THROUGHPUT_FILTER,
  };
}
