import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { AudiencesApi } from './api.ts';
import type { Dataset } from './dataset.ts';
import type { BenchOptions } from './options.ts';
import { RssSampler, readMemory } from './server-process.ts';
import { type StartedService, startService } from './service.ts';
import { parseSize } from './stats.ts';
import { allPartitionsWritten } from './workload.ts';

export interface MemoryResult {
  /** Hash of src/ when this server started. */
  srcHash: string;
  memoryLimit: string;
  limitBytes: number;
  /** Kernel's peak RSS (VmHWM) of the server process over its whole life. */
  peakHwm: number;
  /** Highest RSS seen by sampling every 20 ms during the export. */
  peakSampled: number;
  idleRss: number;
  samples: number;
  exportMs: number;
  rows: number;
  files: number;
  bytes: number;
  jobs: number;
  raw: { ms: number; rows: number; peakRssBytes: number } | { error: string };
}

/** The server of the memory test: DUCKDB_MEMORY_LIMIT set low, otherwise as the main one. */
export function startMemoryService(options: BenchOptions, dataset: Dataset): Promise<StartedService> {
  return startService(options, dataset, 'memory', { DUCKDB_MEMORY_LIMIT: options.lowMemoryLimit });
}

/**
 * 7: peak RSS of a fresh server process (DUCKDB_MEMORY_LIMIT set low) during an un-filtered export
 * of every row, read from /proc/{pid}/status.
 */
export async function measureMemory(
  options: BenchOptions,
  dataset: Dataset,
  prestarted?: StartedService,
): Promise<MemoryResult> {
  const memoryLimit = options.lowMemoryLimit;
  options.log(
    `memory: fresh server with DUCKDB_MEMORY_LIMIT=${memoryLimit}, exporting all ${dataset.rows} rows`,
  );
  const { server, dataDir, srcHash } = prestarted ?? (await startMemoryService(options, dataset));
  const api = new AudiencesApi(server.url);
  let result: Omit<MemoryResult, 'raw'>;
  let sampler: RssSampler | undefined;
  try {
    await api.signUp('memory');
    const idleRss = readMemory(server.pid)?.rss ?? Number.NaN;
    sampler = new RssSampler(server.pid, 20);
    const run = await api.run(allPartitionsWritten(dataset), 'completed');
    const peaks = sampler.stop();
    sampler = undefined;
    result = {
      srcHash,
      memoryLimit,
      limitBytes: parseSize(memoryLimit),
      peakHwm: peaks.peakHwm,
      peakSampled: peaks.peakSampled,
      idleRss,
      samples: peaks.samples,
      exportMs: run.totalMs,
      rows: run.detail.files.reduce((sum, file) => sum + file.rows, 0),
      files: run.detail.files.length,
      bytes: run.detail.files.reduce((sum, file) => sum + file.size_bytes, 0),
      jobs: run.detail.total_jobs,
    };
  } finally {
    // A failed export must not leave the sampler's timer running: the run would never exit.
    sampler?.stop();
    api.close();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  options.log(
    `memory: peak RSS ${(result.peakHwm / 1e6).toFixed(0)} MB; raw DuckDB under the same limit next`,
  );
  const raw = await rawMemory(options, dataset, memoryLimit);
  return { ...result, raw };
}

async function rawMemory(
  options: BenchOptions,
  dataset: Dataset,
  memoryLimit: string,
): Promise<MemoryResult['raw']> {
  const target = path.join(options.scratchDir, 'raw-memory-export');
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/raw-memory-child.ts',
        dataset.dir,
        target,
        memoryLimit,
        String(options.threads),
      ],
      { cwd: options.root, maxBuffer: 1 << 20 },
    );
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as MemoryResult['raw'];
  } catch (error) {
    return { error: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
  }
}
