/**
 * `npm run build:dist` (part of `npm run build`, which `npm install` runs as `prepare`): compiles
 * src/ to dist/ for plain Node, one JavaScript file per source file, and writes the declarations of
 * `audiences/client` (tsconfig.build.json).
 *
 * One file per source file rather than one bundle: the command line's lazy imports (the server,
 * DuckDB, the store's drivers) stay lazy without code splitting, and paths taken from
 * `import.meta.url` (the console in dist/web, the password strength worker) mean in dist/ what they
 * mean in src/. esbuild bundles only to rewrite each relative `./x.ts` import to `./x.js`; every
 * import stays external.
 *
 * Every file is written under a temporary name and renamed, so a process starting meanwhile (a test,
 * a bench, a second build) reads an old file or a new one, never half of one. dist/cli.js then gets
 * the time the build started: bin/audiences.js runs the sources instead when one is newer.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');

/** Keeps every relative import as an import of the compiled file beside it. */
const keepModules: esbuild.Plugin = {
  name: 'keep-modules',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, ({ path: specifier, kind }) =>
      kind === 'entry-point' ? undefined : { path: specifier.replace(/\.ts$/, '.js'), external: true },
    );
  },
};

/** `from './x.ts'` and `import('./x.ts')` in a declaration file, which tsc leaves as written. */
const TS_SPECIFIER = /((?:from|import)\s*\(?\s*)(['"])(\.\.?\/[^'"]+)\.ts\2/g;

function replaceFile(target: string, contents: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temporary = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, contents);
  fs.renameSync(temporary, target);
}

async function buildJavaScript(): Promise<number> {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/**/*.ts', 'src/**/*.js'],
    outbase: 'src',
    outdir: 'dist',
    bundle: true,
    packages: 'external',
    plugins: [keepModules],
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'warning',
  });
  for (const file of result.outputFiles) replaceFile(file.path, file.contents);
  return result.outputFiles.length;
}

/** The client's declarations: tsc writes them into a folder of its own, then they replace dist/client's. */
async function buildDeclarations(): Promise<number> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-declarations-'));
  try {
    const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
    await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', out], {
      cwd: root,
    }).catch((error: { stdout?: string; message: string }) => {
      throw new Error(`tsc -p tsconfig.build.json failed:\n${error.stdout || error.message}`);
    });
    const files = fs
      .readdirSync(out, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.d.ts'));
    for (const file of files) {
      const text = fs.readFileSync(path.join(out, file), 'utf8');
      replaceFile(path.join(dist, file), text.replace(TS_SPECIFIER, '$1$2$3.js$2'));
    }
    return files.length;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

// `--js-only`: what the tests' command line needs (harness/checks.ts), without the slower declarations.
const jsOnly = process.argv.includes('--js-only');
const started = new Date();
const [modules, declarations] = await Promise.all([buildJavaScript(), jsOnly ? 0 : buildDeclarations()]);
fs.utimesSync(path.join(dist, 'cli.js'), started, started);
const typed = jsOnly ? 'no declarations (--js-only)' : `${declarations} client declaration files`;
console.log(`dist/: ${modules} modules, ${typed} (${Date.now() - started.getTime()} ms)`);
