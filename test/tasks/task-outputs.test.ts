import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStorage } from '../../src/storage/local-storage.ts';
import { removeTaskOutputs } from '../../src/tasks/task-outputs.ts';
import { taskRecord } from '../support/store-records.ts';

/** What a cancelled task leaves: nothing of its export, its held-back parts included. */
let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-task-outputs-'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('removeTaskOutputs', () => {
  it("removes the task's output folder and the parts of a split export it held back", async () => {
    const storage = new LocalStorage(path.join(root, 'scratch'));
    const outputs = path.join(root, 'exports');
    const heldBack = path.join(root, 'snapshots', 'org', 'held-back', 'task-1');
    const task = taskRecord({
      id: 'task-1',
      organizationId: 'org',
      request: { plan: { splits: { salt: 's', splits: [], heldBack } } },
    });
    const delivered = path.join(outputs, 'org', 'task-1', 'split=A', 'data_0.parquet');
    const kept = path.join(heldBack, 'split=holdout', 'data_0.parquet');
    const other = path.join(
      root,
      'snapshots',
      'org',
      'held-back',
      'task-2',
      'split=holdout',
      'data_0.parquet',
    );
    for (const file of [delivered, kept, other]) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, 'x');
    }
    await removeTaskOutputs(storage, outputs, task);
    expect(fs.existsSync(path.join(outputs, 'org', 'task-1'))).toBe(false);
    expect(fs.existsSync(heldBack)).toBe(false);
    expect(fs.existsSync(other)).toBe(true);
  });
});
