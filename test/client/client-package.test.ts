import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestServer, type TestServer } from '../support/api.ts';
import { expectedIntentCounts, intentPrefixes } from '../support/duck.ts';

/**
 * The package as another project gets it: packed (`npm pack`), installed into a project of its own,
 * its client compiled there by TypeScript with no special flag and run by plain Node; and its command
 * line, which runs compiled JavaScript.
 */

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
/** Plain node: none of the test runner's loaders or options, none of the caller's variables. */
const plainEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

let t: TestServer;
let scratch: string;
/** A project of its own, with the package installed from its tarball. */
let project: string;
/** What the tarball holds. */
let packed: string[];

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-package-'));
  project = path.join(scratch, 'project');
  const install = async () => {
    // What `npm install` builds (`prepare`), but the console: the JavaScript and the client's declarations.
    await run('npm', ['run', 'build:dist'], { cwd: root });
    packed = await installPacked(project);
  };
  [t] = await Promise.all([startTestServer(), install()]);
});
afterAll(async () => {
  await t?.close();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

/**
 * Packs the package and unpacks it into `dir/node_modules/audiences`, as `npm install` of the
 * tarball would; its dependencies are this repository's (npm would install the same ones), and
 * `@types/node` is the project's own, as in any TypeScript project for Node. Answers the packed paths.
 */
async function installPacked(dir: string): Promise<string[]> {
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], {
    cwd: root,
    maxBuffer: 64 * 2 ** 20,
  });
  const [tarball] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const installed = path.join(dir, 'node_modules/audiences');
  fs.mkdirSync(installed, { recursive: true });
  await run('tar', ['-xzf', path.join(scratch, tarball!.filename), '-C', installed, '--strip-components=1']);
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(installed, 'node_modules'));
  fs.mkdirSync(path.join(dir, 'node_modules/@types'));
  fs.symlinkSync(path.join(root, 'node_modules/@types/node'), path.join(dir, 'node_modules/@types/node'));
  return tarball!.files.map((file) => file.path);
}

const USE_TS = `import { AudiencesClient, AudiencesError, type IntentTaskBody, type TaskDetail } from 'audiences/client';

const client = new AudiencesClient({ baseUrl: process.env.URL!, apiKey: process.env.KEY });
const body: IntentTaskBody = {
  days: ['2024-05-01'],
  topic_id_prefixes: [process.env.PREFIX!],
  scores: ['high'],
  perform_unload: false,
};
const { task_id } = await client.createIntentTask(body);
const task: TaskDetail = await client.waitFor(task_id, { until: 'counted' });
const total: number | null = task.total_count;
const missing = await client.getTask('00000000-0000-4000-8000-000000000000').catch((error: unknown) => error);
console.log(JSON.stringify({
  status: task.status,
  counts: task.counts,
  total,
  error: missing instanceof AudiencesError ? missing.code : String(missing),
}));

/** Never called: tsc fails unless each line below is an error, so the types are the API's, not any. */
export function misuses(other: AudiencesClient): void {
  // @ts-expect-error a task id is a string
  void other.getTask(42);
  // @ts-expect-error "done" is not a task status
  void other.waitFor('id', { until: 'done' });
  // @ts-expect-error days are required
  void other.createIntentTask({ topic_id_prefixes: ['x'], scores: ['high'] });
}
`;

describe('the packed package', () => {
  it('holds the compiled code and the declarations, and no sources', () => {
    expect(packed).toEqual(
      expect.arrayContaining([
        'package.json',
        'bin/audiences.js',
        'dist/cli.js',
        'dist/server.js',
        'dist/client/index.js',
        'dist/client/index.d.ts',
        'dist/client/schema.d.ts',
      ]),
    );
    expect(
      packed.filter((file) => /^(src|test|harness|bench|web)\//.test(file) || file.endsWith('.tmp')),
    ).toEqual([]);
  });

  it("'audiences/client' compiles with the project's tsc (nodenext, strict, no special flag) and runs in plain node", async () => {
    // The declarations import each other as .js files, which the project's tsc finds as .d.ts.
    const declarations = fs.readFileSync(
      path.join(project, 'node_modules/audiences/dist/client/index.d.ts'),
      'utf8',
    );
    expect(declarations).toContain("from './audiences-client.js'");
    expect(declarations).not.toMatch(/\.ts['"]/);

    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
    fs.writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', strict: true }, files: ['use.ts'] }),
    );
    fs.writeFileSync(path.join(project, 'use.ts'), USE_TS);
    // No skipLibCheck: tsc checks every declaration file the project sees, Node's own too (slow).
    const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
    const compiled = await run(process.execPath, [tsc, '-p', '.'], { cwd: project }).catch(
      (error: { stdout: string }) => ({ stdout: error.stdout, failed: true }),
    );
    expect(compiled).toEqual({ stdout: '', stderr: '' });

    const account = await signUp(t.url, 'Packed client');
    const [prefix] = await intentPrefixes(t.intentTree);
    const { stdout } = await run(process.execPath, ['use.js'], {
      cwd: project,
      env: { ...plainEnv, URL: t.url, KEY: account.apiKey, PREFIX: prefix! },
    });
    const counts = await expectedIntentCounts(
      t.intentTree,
      `day = DATE '2024-05-01' AND prefix = '${prefix}' AND score = 'high'`,
    );
    expect(JSON.parse(stdout)).toEqual({
      status: 'counted',
      counts,
      total: Object.values(counts).reduce((sum, n) => sum + n, 0),
      error: 'task_not_found',
    });
  }, 180_000);
});

describe("the installed package's bin/audiences.js", () => {
  it('runs the compiled command line (dist/cli.js, no tsx, no TypeScript source) and exits 0 on --help', async () => {
    const installed = path.join(project, 'node_modules/audiences');
    // A resolve hook writes down every module the process loads.
    const loaded = path.join(scratch, 'loaded.txt');
    const hooks = `
      import fs from 'node:fs';
      export async function resolve(specifier, context, next) {
        const resolved = await next(specifier, context);
        fs.appendFileSync(${JSON.stringify(loaded)}, resolved.url + '\\n');
        return resolved;
      }`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        `data:text/javascript,${encodeURIComponent(register)}`,
        path.join(installed, 'bin/audiences.js'),
        '--help',
      ],
      { cwd: project, env: plainEnv },
    );
    expect(stdout).toContain('Usage: audiences');
    const urls = fs.readFileSync(loaded, 'utf8').trim().split('\n');
    expect(urls).toContain(pathToFileURL(path.join(installed, 'dist/cli.js')).href);
    expect(urls.filter((url) => /\.ts$|\/node_modules\/(tsx|esbuild)\//.test(url))).toEqual([]);
    // The server and its packages are left to the commands that run it.
    expect(
      urls.filter((url) =>
        /\/dist\/server\.js$|\/node_modules\/(fastify|@duckdb|better-sqlite3|kysely)\//.test(url),
      ),
    ).toEqual([]);
  });
});
