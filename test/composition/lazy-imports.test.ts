import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * Imports `module` in a process of its own and answers the packages (under node_modules) whose
 * modules were resolved: a resolve hook records each URL, then hands the list over when asked
 * (after the import, so none is missing).
 */
async function packagesLoadedBy(module: string): Promise<string[]> {
  const hooks = `
    let port; const seen = new Set();
    export async function initialize(data) { port = data.port; port.on('message', () => port.postMessage([...seen])); }
    export async function resolve(specifier, context, next) { const r = await next(specifier, context); seen.add(r.url); return r; }`;
  const script = `
    import { register } from 'node:module';
    import { pathToFileURL } from 'node:url';
    import { MessageChannel } from 'node:worker_threads';
    const { port1, port2 } = new MessageChannel();
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}), { data: { port: port2 }, transferList: [port2] });
    await import(pathToFileURL(${JSON.stringify(path.join(root, module))}).href);
    const urls = await new Promise((resolve) => { port1.once('message', resolve); port1.postMessage('list'); });
    port1.close();
    console.log(JSON.stringify(urls));`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: root, maxBuffer: 16 * 2 ** 20 },
  );
  const packages = new Set<string>();
  for (const url of JSON.parse(stdout) as string[]) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
    if (name) packages.add(name);
  }
  return [...packages].sort();
}

describe('what importing the server loads', () => {
  it('leaves BullMQ, ioredis and the AWS SDK to the starts that use them (REDIS_URL, a bucket)', async () => {
    const packages = await packagesLoadedBy('src/server.ts');
    // The import did happen: the API's and the store's packages are there.
    expect(packages).toEqual(expect.arrayContaining(['fastify', 'kysely']));
    expect(packages.filter((name) => /^(bullmq|ioredis|@aws-sdk\/|@smithy\/)/.test(name))).toEqual([]);
  });
});
