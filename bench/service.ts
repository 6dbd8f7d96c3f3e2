import fs from 'node:fs';
import path from 'node:path';
import type { Dataset } from './dataset.ts';
import { srcHash } from './machine.ts';
import type { BenchOptions } from './options.ts';
import { ChildServer } from './server-process.ts';

/** Most the service accepts (src/config.ts caps RATE_LIMIT_PER_MINUTE at 10,000,000). */
export const RATE_LIMIT = '10000000';

/** The environment the service under test runs with (besides PORT and HOST). */
export function serviceEnv(
  options: BenchOptions,
  dataset: Dataset,
  dataDir: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    DEMO_DATA: '0',
    INTENT_INPUT_PATH: dataset.dir,
    LOCAL_INPUT_ROOTS: dataset.dir,
    RATE_LIMIT_PER_MINUTE: RATE_LIMIT,
    MAX_ACTIVE_TASKS: '100000',
    LOG_LEVEL: 'warn',
    DUCKDB_THREADS: String(options.threads),
    ...(options.memoryLimit ? { DUCKDB_MEMORY_LIMIT: options.memoryLimit } : {}),
    ...extra,
  };
}

export interface StartedService {
  server: ChildServer;
  dataDir: string;
  env: Record<string, string>;
  /** Hash of src/ when the server started (others may edit it while the benchmark runs). */
  srcHash: string;
}

/** `node bin/audiences.js start` as a child process over a fresh DATA_DIR. */
export async function startService(
  options: BenchOptions,
  dataset: Dataset,
  run: string,
  extra: Record<string, string> = {},
): Promise<StartedService> {
  const dataDir = path.join(options.scratchDir, `data-${run}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const env = serviceEnv(options, dataset, dataDir, extra);
  const hash = srcHash(options.root);
  const server = await ChildServer.start({
    name: `audiences (${run})`,
    cwd: options.root,
    args: ['bin/audiences.js', 'start'],
    env,
    logFile: path.join(options.logDir, `server-${run}.log`),
    readyPath: '/readyz',
  });
  return { server, dataDir, env, srcHash: hash };
}

/**
 * Deletes a task's export folder ({OUTPUT_PATH}/{organization}/{task}) to keep the disk bounded.
 * `outputDir` is the service's OUTPUT_PATH (embedded: DATA_DIR/exports).
 */
export function removeTaskExports(outputDir: string, taskId: string): void {
  if (!fs.existsSync(outputDir)) return;
  for (const organization of fs.readdirSync(outputDir)) {
    fs.rmSync(path.join(outputDir, organization, taskId), { recursive: true, force: true });
  }
}
