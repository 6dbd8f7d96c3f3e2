import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/**
 * Each layer rule of `.dependency-cruiser.cjs`, seen failing on an import planted in a copy of the
 * rules over a small tree: a rule that matched nothing would let its layer rot unnoticed.
 */
const PLANTED: Array<{ rule: string; from: string; to: string }> = [
  { rule: 'engine-storage-stay-below-the-domain', from: 'engine/sql-guard.ts', to: 'tasks/task-service.ts' },
  { rule: 'engine-storage-stay-below-the-domain', from: 'storage/storage.ts', to: 'store/store.ts' },
  { rule: 'http-talks-to-the-domain-only', from: 'http/app.ts', to: 'store/store.ts' },
  { rule: 'http-talks-to-the-domain-only', from: 'http/routes/task-routes.ts', to: 'engine/sql-guard.ts' },
  { rule: 'tasks-do-not-run-jobs', from: 'tasks/task-service.ts', to: 'jobs/phases/count.ts' },
  { rule: 'tasks-do-not-run-jobs', from: 'tasks/task-lifecycle.ts', to: 'jobs/job-runner.ts' },
  { rule: 'http-does-not-run-jobs', from: 'http/app.ts', to: 'jobs/job-lanes.ts' },
  { rule: 'catalog-stays-below-tasks', from: 'catalog/partition-inputs.ts', to: 'tasks/task-model.ts' },
  { rule: 'store-and-queue-know-no-domain', from: 'store/kysely-store.ts', to: 'tasks/task-model.ts' },
  { rule: 'store-and-queue-know-no-domain', from: 'queue/bullmq-queue.ts', to: 'jobs/job-lanes.ts' },
  { rule: 'the-client-stands-alone', from: 'client/index.ts', to: 'errors.ts' },
  { rule: 'the-domain-does-not-know-http', from: 'accounts/account-service.ts', to: 'http/problem.ts' },
  { rule: 'the-contract-stands-below-everything', from: 'contract/task-schemas.ts', to: 'errors.ts' },
];
/** Imports the rules allow: the planted tree must not fail because of them. */
const ALLOWED: Array<{ from: string; to: string }> = [
  { from: 'tasks/task-planner.ts', to: 'jobs/job-lanes.ts' },
  { from: 'jobs/job-runner.ts', to: 'tasks/task-model.ts' },
  { from: 'http/routes/catalog-routes.ts', to: 'catalog/intent-catalog.ts' },
  { from: 'catalog/intent-catalog.ts', to: 'storage/storage.ts' },
  { from: 'tasks/task-view.ts', to: 'contract/task-schemas.ts' },
  { from: 'http/app.ts', to: 'contract/task-schemas.ts' },
];

let tree: string;

beforeAll(() => {
  tree = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-layers-'));
  fs.copyFileSync(path.join(ROOT, '.dependency-cruiser.cjs'), path.join(tree, '.dependency-cruiser.cjs'));
  fs.writeFileSync(
    path.join(tree, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { module: 'nodenext', allowImportingTsExtensions: true, noEmit: true },
    }),
  );
  const files = new Map<string, string[]>();
  for (const { from, to } of [...PLANTED, ...ALLOWED]) {
    files.set(from, [...(files.get(from) ?? []), to]);
    if (!files.has(to)) files.set(to, []);
  }
  for (const [file, imports] of files) {
    const lines = imports.map((to, i) => {
      const relative = path.relative(path.dirname(path.join('src', file)), path.join('src', to));
      return `import * as m${i} from '${relative.startsWith('.') ? relative : `./${relative}`}';\nvoid m${i};`;
    });
    fs.mkdirSync(path.dirname(path.join(tree, 'src', file)), { recursive: true });
    fs.writeFileSync(path.join(tree, 'src', file), `${lines.join('\n')}\nexport const planted = true;\n`);
  }
});

afterAll(() => {
  fs.rmSync(tree, { recursive: true, force: true });
});

describe('the layer rules', () => {
  it('fail on every planted import, each under its own rule, and on nothing the layers allow', async () => {
    const depcruise = path.join(ROOT, 'node_modules/.bin/depcruise');
    const failed = await run(depcruise, ['src'], { cwd: tree }).then(
      () => undefined,
      (error: { stdout: string }) => error.stdout,
    );
    expect(failed, 'depcruise passed a tree with planted violations').toBeDefined();
    // One line per violation: `error RULE: FROM → TO`.
    const violations = [...failed!.matchAll(/^\s*error ([\w-]+): (\S+) → (\S+)$/gm)].map(
      ([, rule, from, to]) => ({
        rule,
        from,
        to,
      }),
    );
    const expected = PLANTED.map(({ rule, from, to }) => ({ rule, from: `src/${from}`, to: `src/${to}` }));
    expect(violations).toEqual(expect.arrayContaining(expected));
    expect(violations).toHaveLength(expected.length);
  });
});
