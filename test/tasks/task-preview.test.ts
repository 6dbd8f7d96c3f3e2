import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { LocalStorage } from '../../src/storage/local-storage.ts';
import { StorageRouter } from '../../src/storage/storage-router.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/store.ts';
import type { StoredRequest } from '../../src/tasks/task-model.ts';
import { TaskPreviews } from '../../src/tasks/task-preview.ts';
import { intentPrefixes } from '../support/duck.ts';
import { intentPlan, taskRecord } from '../support/store-records.ts';

let dir: string;
let store: Store;
let previews: TaskPreviews;
let tree: string;
let prefix: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-previews-'));
  tree = inject('intentTree');
  [prefix] = (await intentPrefixes(tree)) as [string];
  store = await openStore({ dataDir: dir });
  previews = new TaskPreviews({
    store,
    storage: new StorageRouter(new LocalStorage(path.join(dir, 'scratch')), {}),
    limits: { memoryLimit: '256MB', timeoutMs: 30_000, concurrency: 1 },
    clock: () => new Date(),
  });
});
afterAll(async () => {
  await previews?.close();
  await store?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const intentTask = () =>
  taskRecord({
    request: {
      view: {
        days: ['2024-05-01'],
        topic_id_prefixes: [prefix],
        scores: ['high'],
        topic_ids: null,
        input_path: tree,
        limit: null,
        perform_unload: false,
        strict: false,
        select: null,
        where_expr: null,
        unique_by: null,
        breakdown_by: null,
        output: 'rows',
        profile: null,
        min_topics: null,
        min_days: null,
        format: 'parquet',
        compression: null,
        single_file: false,
        max_file_bytes: null,
        splits: null,
        split_salt: null,
      },
      plan: intentPlan(tree),
    } satisfies StoredRequest,
  });

/** The error a promise rejects with. */
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('task previews in one process', () => {
  it('run at most `concurrency` at once: one more is told to come back, and may once a slot is free', async () => {
    const first = previews.preview(intentTask(), 5);
    const second = await rejection(previews.preview(intentTask(), 5));
    expect(second).toBeInstanceOf(AppError);
    expect(second).toMatchObject({ code: 'preview_busy', status: 503, headers: { 'retry-after': '1' } });
    expect((await first).rows).toHaveLength(5);
    expect((await previews.preview(intentTask(), 5)).rows).toHaveLength(5);
  });

  it('answer preview_failed naming the object when a file of the input is not Parquet', async () => {
    const input = path.join(dir, 'broken');
    fs.mkdirSync(path.join(input, 'part=1'), { recursive: true });
    const bad = path.join(input, 'part=1', 'data_0.parquet');
    fs.writeFileSync(bad, 'this is not a parquet file');
    const plan = { ...intentPlan(input), hive: false, nestedPartitions: true };
    delete plan.hiveTypes;
    const task = taskRecord({
      type: 'generic_parquet',
      request: {
        view: {
          input_path: input,
          limit: null,
          perform_unload: false,
          select: null,
          where_expr: null,
          unique_by: null,
          breakdown_by: null,
          output: 'rows',
          profile: null,
          latest_by: null,
          identifier: null,
          format: 'parquet',
          compression: null,
          single_file: false,
          max_file_bytes: null,
          splits: null,
          split_salt: null,
        },
        plan,
      } satisfies StoredRequest,
    });
    const error = await rejection(previews.preview(task, 5));
    expect(error).toMatchObject({ code: 'preview_failed', status: 422 });
    expect((error as AppError).message).toContain(bad);
  });

  it('refuse a failed task with task_state_conflict, naming its status', async () => {
    const failed = {
      ...intentTask(),
      status: 'failed' as const,
      error: { code: 'job_timeout', message: 'x' },
    };
    const error = await rejection(previews.preview(failed, 5));
    expect(error).toMatchObject({ code: 'task_state_conflict', status: 409 });
    expect((error as AppError).message).toContain('is failed (job_timeout)');
  });
});
