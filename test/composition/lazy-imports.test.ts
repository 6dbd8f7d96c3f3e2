import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
let scratch: string;

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-lazy-imports-'));
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/**
 * Runs `node --import tsx ARGS...` and answers the packages (under node_modules) whose modules the
 * process resolved: a resolve hook writes down each URL as it is resolved.
 */
async function packagesLoadedBy(args: string[]): Promise<string[]> {
  const seen = fs.mkdtempSync(path.join(scratch, 'run-'));
  const file = path.join(seen, 'urls.txt');
  const hooks = `
    import fs from 'node:fs';
    export async function resolve(specifier, context, next) {
      const r = await next(specifier, context);
      fs.appendFileSync(${JSON.stringify(file)}, r.url + '\\n');
      return r;
    }`;
  const recorder = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
  await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--import', `data:text/javascript,${encodeURIComponent(recorder)}`, ...args],
    { cwd: root, env: { PATH: process.env.PATH } },
  );
  const packages = new Set<string>();
  for (const url of fs.readFileSync(file, 'utf8').trim().split('\n')) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
    if (name) packages.add(name);
  }
  return [...packages].sort();
}

/** The packages of the server and its drivers, which only the commands that run the server load. */
const SERVER_PACKAGES =
  /^(fastify|@fastify\/|kysely|better-sqlite3|pg|@duckdb\/|bullmq|ioredis|@aws-sdk\/|@smithy\/)/;

describe('what importing the server loads', () => {
  it('leaves BullMQ, ioredis and the AWS SDK to the starts that use them (REDIS_URL, a bucket)', async () => {
    const server = pathToFileURL(path.join(root, 'src/server.ts')).href;
    const packages = await packagesLoadedBy([
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(server)})`,
    ]);
    // The import did happen: the API's and the store's packages are there.
    expect(packages).toEqual(expect.arrayContaining(['fastify', 'kysely']));
    expect(packages.filter((name) => /^(bullmq|ioredis|@aws-sdk\/|@smithy\/)/.test(name))).toEqual([]);
  });
});

describe('what the command line loads', () => {
  it('audiences --help loads commander, and none of the server, its database drivers or DuckDB', async () => {
    const packages = await packagesLoadedBy([path.join(root, 'bin/audiences.js'), '--help']);
    expect(packages).toContain('commander');
    expect(packages.filter((name) => SERVER_PACKAGES.test(name))).toEqual([]);
  });
});
