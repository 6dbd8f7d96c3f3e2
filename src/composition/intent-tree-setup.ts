import fs from 'node:fs';
import path from 'node:path';
import type pino from 'pino';
import { generateDemoData } from '../demo/demo-data.ts';

/** Demo tree size on first start: a week, 10 prefixes, 1.5 million rows. */
const DEMO = { rows: 1_500_000, days: 7, prefixes: 10, seed: 42 };

/**
 * Makes sure the local intent tree exists, generating the demo tree into it on first start when
 * `demo` (the one-process start with DEMO_DATA), then logs what the tree holds.
 */
export async function prepareIntentTree(root: string, log: pino.Logger, demo: boolean): Promise<void> {
  const empty = !fs.existsSync(root) || fs.readdirSync(root).length === 0;
  if (empty && demo) {
    log.info({ path: root, ...DEMO }, 'generating the demo intent tree (first start)');
    // Written beside the target and renamed into place, so an interrupted start leaves no half tree.
    const partial = `${root}.partial`;
    fs.rmSync(partial, { recursive: true, force: true });
    const result = await generateDemoData({ out: partial, ...DEMO });
    fs.rmSync(root, { recursive: true, force: true });
    fs.renameSync(partial, root);
    log.info(
      { rows: result.rows, files: result.files, bytes: result.bytes, ms: Math.round(result.elapsedMs) },
      'demo intent tree ready',
    );
  }
  fs.mkdirSync(root, { recursive: true });
  const days = segmentValues(root, 'day');
  const prefixes = new Set(days.flatMap((day) => segmentValues(path.join(root, `day=${day}`), 'prefix')));
  log.info(
    { path: root, days, prefixes: [...prefixes].sort() },
    days.length > 0 ? 'intent data available' : 'the intent tree is empty',
  );
}

function segmentValues(dir: string, key: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name.startsWith(`${key}=`))
      .map((entry) => entry.name.slice(key.length + 1))
      .sort();
  } catch {
    return [];
  }
}
