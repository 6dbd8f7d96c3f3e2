#!/usr/bin/env node
// Runs the compiled command line, dist/cli.js, which `npm install` and `npm run build` write. In a
// development checkout where dist/ is missing or a file of src/ is newer than the build, it runs the
// sources through tsx instead: slower to start (TypeScript is compiled first), never stale. An
// installed package has no src/ and always runs dist/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const compiled = path.join(root, 'dist/cli.js');
const sources = path.join(root, 'src');

/** dist/cli.js carries the time its build started (harness/build-dist.ts): no source may be newer. */
function builtFromSources() {
  const built = fs.statSync(compiled, { throwIfNoEntry: false })?.mtimeMs;
  if (built === undefined) return false;
  if (!fs.existsSync(sources)) return true;
  // A file removed meanwhile counts as a change.
  const changed = (name) =>
    (fs.statSync(path.join(sources, name), { throwIfNoEntry: false })?.mtimeMs ?? Infinity) > built;
  return !fs.readdirSync(sources, { recursive: true }).some(changed);
}

if (builtFromSources()) {
  await import(pathToFileURL(compiled).href);
} else {
  if (process.stderr.isTTY) {
    process.stderr.write('audiences: src/ is newer than dist/: running the sources (npm run build:dist)\n');
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(path.join(sources, 'cli.ts')).href);
}
