import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { LocalStorage } from '../../src/storage/local-storage.ts';
import { resolveLocalInput } from '../../src/tasks/requests/input-paths.ts';
import { apiClient, signUp, startTestServer, type TestServer } from '../support/api.ts';
import { duck } from '../support/duck.ts';

let base: string;
let root: string;
let exportsDir: string;
let outside: string;

beforeAll(async () => {
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-paths-')));
  root = path.join(base, 'allowed');
  exportsDir = path.join(root, 'exports');
  outside = path.join(base, 'outside');
  fs.mkdirSync(path.join(root, 'tree'), { recursive: true });
  fs.mkdirSync(exportsDir, { recursive: true });
  fs.mkdirSync(outside, { recursive: true });
  await duck(`COPY (SELECT 1 AS x) TO '${root}/tree/ok.parquet'`);
  await duck(`COPY (SELECT 'secret' AS x) TO '${outside}/secret.parquet'`);
  fs.symlinkSync(outside, path.join(root, 'escape'));
  fs.symlinkSync(path.join(outside, 'secret.parquet'), path.join(root, 'tree', 'linked.parquet'));
});
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

const policy = () => ({ roots: [root], forbidden: [exportsDir] });

async function refusal(raw: string): Promise<AppError> {
  try {
    await resolveLocalInput(raw, policy());
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error(`${raw} was accepted`);
}

describe('input_path resolution', () => {
  it('accepts a folder inside an allowed root, as its real path', async () => {
    expect(await resolveLocalInput(`${root}/tree/`, policy())).toBe(path.join(root, 'tree'));
    expect(await resolveLocalInput(`${root}/tree/../tree`, policy())).toBe(path.join(root, 'tree'));
  });

  it.each([
    ['file:///etc', /URL scheme/],
    ['http://169.254.169.254/latest/meta-data', /URL scheme/],
    ['https://example.com/data', /URL scheme/],
    ['ftp://example.com/data', /URL scheme/],
    ['s3://bucket/prefix', /URL scheme/],
    ['gs://bucket/prefix', /URL scheme/],
    ['S3://bucket', /URL scheme/],
    ['~/data', /home-directory/],
    ['~root', /home-directory/],
    ['\\\\server\\share\\data', /UNC/],
    ['//server/share', /UNC/],
    ['/proc/self/environ', /outside/],
    ['/proc', /outside/],
    ['/etc', /outside/],
    ['/', /outside/],
    ['relative/path', /absolute/],
    ['.', /absolute/],
    ['', /non-empty/],
    ['   ', /non-empty/],
    ['/tmp/x\0y', /NUL/],
  ])('refuses %j', async (raw, message) => {
    const error = await refusal(raw);
    expect(error.code).toBe('input_path_forbidden');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(message);
    expect(error.errors[0]!.field).toBe('input_path');
  });

  it('refuses .. that climbs out of the root', async () => {
    expect((await refusal(`${root}/../outside`)).message).toMatch(/outside/);
    expect((await refusal(`${root}/tree/../../outside`)).message).toMatch(/outside/);
  });

  it('refuses a symlink inside the root that leads out of it', async () => {
    expect((await refusal(`${root}/escape`)).message).toMatch(/outside/);
  });

  it('refuses the export folder and any folder that contains it (other organisations files)', async () => {
    expect((await refusal(exportsDir)).message).toMatch(/exports/);
    expect((await refusal(root)).message).toMatch(/exports/);
  });

  it('does not list a linked file that points out of the tree', async () => {
    const listed = await new LocalStorage(path.join(base, 'scratch')).list(path.join(root, 'tree'), {
      recursive: true,
    });
    expect(listed.map((o) => path.basename(o.uri))).toEqual(['ok.parquet']);
  });
});

describe('input_path over HTTP', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => t?.close());

  it("never reads another organisation's exports", async () => {
    const victim = apiClient(t.url, (await signUp(t.url, 'Victim')).apiKey);
    const created = await victim.post('/api/v1/intent_hive_tasks', {
      days: ['2024-05-01'],
      topic_id_prefixes: ['4eyes_101'],
      scores: ['high'],
    });
    const done = await victim.waitFor(created.body.task_id, ['completed']);
    const stolenFolder = path.dirname(done.files[0].uri);

    const attacker = apiClient(t.url, (await signUp(t.url, 'Attacker')).apiKey);
    for (const input_path of [
      stolenFolder,
      path.join(t.dataDir, 'exports'),
      t.dataDir,
      `${t.dataDir}/./exports/..`,
    ]) {
      const reply = await attacker.post('/api/v1/generic_parquet_tasks', { input_path });
      expect(reply.status, input_path).toBe(400);
      expect(reply.body.code).toBe('input_path_forbidden');
    }
  });
});
