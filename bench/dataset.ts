import fs from 'node:fs';
import path from 'node:path';
import { generateDemoData } from '../src/demo/demo-data.ts';
import type { BenchOptions } from './options.ts';

export interface Dataset {
  /** Root of the intent tree. */
  dir: string;
  rows: number;
  files: number;
  bytes: number;
  days: string[];
  prefixes: string[];
  /** Generation time, when this run generated it. */
  generatedMs: number | undefined;
}

interface Marker {
  rows: number;
  files: number;
  bytes: number;
  days: string[];
  prefixes: string[];
  elapsedMs: number;
}

/** The intent tree of this run's size, generated once with the project's own generator and cached. */
export async function ensureDataset(
  options: Pick<BenchOptions, 'tree' | 'workDir' | 'threads' | 'log'>,
): Promise<Dataset> {
  const { rows, days, prefixes, seed } = options.tree;
  const dir = path.join(options.workDir, `tree-${rows}-${days}d-${prefixes}p-seed${seed}`);
  restoreHeldDays(options.workDir);
  const markerFile = path.join(dir, '.complete.json');
  if (fs.existsSync(markerFile)) {
    const marker = JSON.parse(fs.readFileSync(markerFile, 'utf8')) as Marker;
    options.log(`intent tree cached: ${dir} (${marker.rows} rows, ${marker.files} files)`);
    return { dir, ...marker, generatedMs: undefined };
  }
  options.log(`generating the intent tree (${rows} rows, ${days} days, ${prefixes} prefixes) into ${dir}`);
  fs.rmSync(dir, { recursive: true, force: true });
  const result = await generateDemoData({ out: dir, rows, days, prefixes, seed, threads: options.threads });
  const marker: Marker = {
    rows: result.rows,
    files: result.files,
    bytes: result.bytes,
    days: result.days,
    prefixes: result.prefixes,
    elapsedMs: result.elapsedMs,
  };
  fs.writeFileSync(markerFile, JSON.stringify(marker, null, 2));
  options.log(`intent tree ready in ${(result.elapsedMs / 1000).toFixed(1)} s`);
  return { dir, ...marker, generatedMs: result.elapsedMs };
}

/** Where `holdOutDay` keeps a tree's day folders: a sibling of the tree (outside it, same filesystem). */
const HELD = '.held';

/**
 * Moves one day's folder out of the tree (the service then lists one day less) and answers how to
 * put it back. A run that dies meanwhile leaves it outside; the next `ensureDataset` puts it back.
 */
export function holdOutDay(dataset: Dataset, day: string): () => void {
  const held = path.join(`${dataset.dir}${HELD}`, `day=${day}`);
  fs.mkdirSync(path.dirname(held), { recursive: true });
  fs.renameSync(path.join(dataset.dir, `day=${day}`), held);
  return () => restoreHeldDays(path.dirname(dataset.dir));
}

/** Puts every day folder held out of a tree in `workDir` back into its tree. */
export function restoreHeldDays(workDir: string): void {
  if (!fs.existsSync(workDir)) return;
  for (const entry of fs.readdirSync(workDir)) {
    if (!entry.endsWith(HELD)) continue;
    const holding = path.join(workDir, entry);
    const tree = holding.slice(0, -HELD.length);
    if (!fs.existsSync(tree)) {
      // The tree is gone (it is generated again): nothing to put back.
      fs.rmSync(holding, { recursive: true, force: true });
      continue;
    }
    for (const day of fs.readdirSync(holding)) {
      const target = path.join(tree, day);
      if (fs.existsSync(target)) {
        throw new Error(
          `${path.join(holding, day)} was held out of the tree, but ${target} exists; remove one`,
        );
      }
      fs.renameSync(path.join(holding, day), target);
    }
    fs.rmdirSync(holding);
  }
}
