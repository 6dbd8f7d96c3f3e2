import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestServer, type TestServer } from '../support/api.ts';
import { intentPrefixes } from '../support/duck.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.close());

describe("the package entry 'audiences/client'", () => {
  it('builds with npm run build:client and imports in plain node (no tsx), where it talks to the API', async () => {
    await run('npm', ['run', 'build:client'], { cwd: root });
    const account = await signUp(t.url, 'Plain node');
    const script = `
      const { AudiencesClient, AudiencesError } = await import('audiences/client');
      const client = new AudiencesClient({ baseUrl: process.env.URL, apiKey: process.env.KEY });
      const catalog = await client.catalog();
      const missing = await client.getTask('00000000-0000-0000-0000-000000000000').catch((e) => e);
      console.log(JSON.stringify({
        type: typeof AudiencesClient,
        prefixes: catalog.prefixes.length,
        error: missing instanceof AudiencesError ? missing.code : String(missing),
      }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      // Plain node: none of the test runner's loaders or options.
      env: { PATH: process.env.PATH, URL: t.url, KEY: account.apiKey },
    });
    expect(JSON.parse(stdout)).toEqual({
      type: 'function',
      prefixes: (await intentPrefixes(t.intentTree)).length,
      error: 'task_not_found',
    });
  });
});
