import fs from 'node:fs';
import path from 'node:path';
import type { AudiencesApi, IntentTaskBody } from './api.ts';
import type { Dataset } from './dataset.ts';
import type { BenchOptions } from './options.ts';
import { allPartitionsWritten } from './workload.ts';

/** The bound: a cancelled task stops within 2 s, even in the middle of a query. */
export const CANCEL_TARGET_MS = 2_000;

/** Section 13: cancels of an export of the whole tree while its queries run. */
export interface CancelResult {
  request: IntentTaskBody;
  /** Per cancel, from sending the call: its 202 answer, a status read showing `cancelled`, every stopped job's slot free. */
  answerMs: number[];
  statusMs: number[];
  freeMs: number[];
  /** Export jobs writing when each cancel was sent (each one interrupted). */
  jobsWriting: number[];
  /** Files of the cancelled tasks left in the output folder afterwards (0 expected). */
  filesLeft: number;
  /** Exports that ended before one of their jobs was seen writing (too small to cancel mid-query). */
  missed: number;
}

/**
 * An export of every partition (no filter), cancelled as soon as one of its jobs' `COPY` has started
 * writing into its scratch folder (`{DATA_DIR}/exports/.staging/{job}/out`): times from the call to
 * its answer, to a status read showing `cancelled`, and to every writing job's scratch folder being
 * removed (the job ended and its worker slot is free).
 */
export async function measureCancel(
  options: BenchOptions,
  dataset: Dataset,
  api: AudiencesApi,
  dataDir: string,
): Promise<CancelResult> {
  const request = allPartitionsWritten(dataset);
  const staging = path.join(dataDir, 'exports', '.staging');
  const result: CancelResult = {
    request,
    answerMs: [],
    statusMs: [],
    freeMs: [],
    jobsWriting: [],
    filesLeft: 0,
    missed: 0,
  };
  options.log(`cancel: ${options.pairs} exports cancelled mid-query`);
  for (let run = 0; run < options.pairs; run++) {
    const { taskId } = await api.create(request);
    // None when the export ended before a job was seen writing (a tiny tree).
    const writing = await until(async () => {
      const found = writingJobs(staging);
      if (found.length > 0) return found;
      return (await api.status(taskId)).detail?.status === 'completed' ? [] : undefined;
    }, 120_000);
    if (writing.length === 0) {
      result.missed += 1;
      continue;
    }
    const sent = performance.now();
    const answer = await api.http.request('POST', `/api/v1/tasks/${taskId}/cancel`, { headers: api.headers });
    if (answer.status === 409) {
      // The export ended first (a tiny tree): nothing to measure.
      result.missed += 1;
      continue;
    }
    if (answer.status !== 202) throw new Error(`cancel: ${answer.status} ${answer.text.slice(0, 500)}`);
    result.answerMs.push(performance.now() - sent);
    await until(
      async () => ((await api.status(taskId)).detail?.status === 'cancelled' ? true : undefined),
      10_000,
    );
    result.statusMs.push(performance.now() - sent);
    await until(() => (writing.every((dir) => !fs.existsSync(dir)) ? true : undefined), 60_000);
    result.freeMs.push(performance.now() - sent);
    result.jobsWriting.push(writing.length);
    result.filesLeft += filesUnder(path.join(dataDir, 'exports'), taskId);
  }
  return result;
}

/** Scratch folders of export jobs whose `COPY` is writing. */
function writingJobs(staging: string): string[] {
  if (!fs.existsSync(staging)) return [];
  return fs
    .readdirSync(staging)
    .map((job) => path.join(staging, job))
    .filter((dir) => fs.existsSync(path.join(dir, 'out')));
}

/** Files of a task under any organisation's folder. */
function filesUnder(outputDir: string, taskId: string): number {
  let files = 0;
  for (const organization of fs.readdirSync(outputDir)) {
    const dir = path.join(outputDir, organization, taskId);
    if (!fs.existsSync(dir)) continue;
    files += fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
  }
  return files;
}

/** Polls `check` every 5 ms until it gives a value. */
async function until<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`cancel bench: nothing after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
