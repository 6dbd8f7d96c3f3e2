import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SliceSweeper } from '../../src/jobs/slice-sweeper.ts';
import { LocalStorage } from '../../src/storage/local-storage.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store, TaskStatus } from '../../src/store/store.ts';
import { queuedJobs, seedOrganization, taskRecord } from '../support/store-records.ts';

/**
 * The slices a sliced count leaves behind are removed once their task expired or ended, and kept
 * while anything may still read them: a task counting, held for review, exporting, or failed (its
 * retry reads them). Real SQLite store, real files.
 */

const ORG = 'org-1';
const HOUR = 3_600_000;
let root: string;
let store: Store;
let storage: LocalStorage;
let outputPath: string;

beforeEach(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-sweeper-'));
  store = await openStore({ dataDir: path.join(root, 'data') });
  storage = new LocalStorage(path.join(root, 'scratch'));
  outputPath = path.join(root, 'exports');
  await seedOrganization(store, { id: ORG, createdAt: new Date(Date.now() - 48 * HOUR).toISOString() });
});
afterEach(async () => {
  await store.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** A task of ORG in `status`, expiring `expiresInMs` from now, with one bucket file of slices. */
async function slicedTask(id: string, status: TaskStatus, expiresInMs: number): Promise<string> {
  const created = new Date(Date.now() - 2 * HOUR).toISOString();
  await store.insertTask(
    taskRecord({
      id,
      organizationId: ORG,
      status,
      createdAt: created,
      expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
    }),
    queuedJobs([`${id}-j0`]),
  );
  const folder = path.join(outputPath, '.slices', ORG, id, 'bucket=3', 'job=j0');
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'data_0.parquet'), 'PAR1');
  return path.join(outputPath, '.slices', ORG, id);
}

describe('the slices sweeper', () => {
  it('removes the slices of expired, unknown, completed and cancelled tasks, and keeps the rest', async () => {
    const kept = [
      await slicedTask('counting', 'in_progress', HOUR),
      await slicedTask('held', 'counted', HOUR),
      await slicedTask('exporting', 'unloading', HOUR),
      await slicedTask('failed', 'failed', HOUR),
    ];
    const removed = [
      await slicedTask('expired', 'counted', -HOUR),
      await slicedTask('completed', 'completed', HOUR),
      await slicedTask('cancelled', 'cancelled', HOUR),
    ];
    // A folder whose task the store never had (a store restored from an older backup).
    const unknown = path.join(outputPath, '.slices', ORG, 'unknown', 'bucket=0', 'job=j');
    fs.mkdirSync(unknown, { recursive: true });
    fs.writeFileSync(path.join(unknown, 'data_0.parquet'), 'PAR1');

    const sweeper = new SliceSweeper({ store, storage, outputPath });
    expect(await sweeper.sweep()).toBe(4);
    for (const folder of kept) expect(fs.existsSync(folder), folder).toBe(true);
    for (const folder of removed) expect(fs.existsSync(folder), folder).toBe(false);
    expect(fs.existsSync(path.join(outputPath, '.slices', ORG, 'unknown'))).toBe(false);
    // Nothing left to remove: a second pass removes nothing.
    expect(await sweeper.sweep()).toBe(0);
  });

  it('sweeps when the kept tasks expire, by its clock', async () => {
    const held = await slicedTask('held', 'counted', HOUR);
    const later = new SliceSweeper({
      store,
      storage,
      outputPath,
      clock: () => new Date(Date.now() + 2 * HOUR),
    });
    expect(await later.sweep()).toBe(1);
    expect(fs.existsSync(held)).toBe(false);
  });

  it('has nothing to do without a slices folder', async () => {
    expect(await new SliceSweeper({ store, storage, outputPath }).sweep()).toBe(0);
  });
});
