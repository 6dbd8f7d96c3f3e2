import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { generateDemoData } from '../src/demo/demo-data.ts';

/** The intent tree every integration test reads: generated once per run (and reused while unchanged). */
export const TEST_TREE = { rows: 300_000, days: 3, prefixes: 4, seed: 7, startDay: '2024-05-01' };

declare module 'vitest' {
  export interface ProvidedContext {
    intentTree: string;
  }
}

export default async function setup(project: TestProject) {
  // Keyed by the options and the generator's source, so a changed generator builds a fresh tree.
  const generator = fs.readFileSync(path.resolve(import.meta.dirname, '../src/demo/demo-data.ts'));
  const version = createHash('sha256').update(generator).digest('hex').slice(0, 12);
  const dir = path.join(os.tmpdir(), `audiences-test-tree-${Object.values(TEST_TREE).join('-')}-${version}`);
  const marker = path.join(dir, '.complete');
  if (!fs.existsSync(marker)) {
    fs.rmSync(dir, { recursive: true, force: true });
    await generateDemoData({ out: dir, ...TEST_TREE });
    fs.writeFileSync(marker, new Date().toISOString());
  }
  project.provide('intentTree', dir);
}
