import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StagingCache } from '../../src/storage/staging-cache.ts';
import { StorageError } from '../../src/storage/storage-error.ts';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-cache-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const onDisk = () =>
  fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((sum, e) => sum + fs.statSync(path.join(e.parentPath, e.name)).size, 0);

const writer = (bytes: number) => async (target: string) =>
  fs.promises.writeFile(target, Buffer.alloc(bytes, 7));

describe('StagingCache', () => {
  it('keeps what it holds on disk equal to its count and under its cap, with fills racing each other', async () => {
    const cache = new StagingCache(root, 10_000);
    for (let round = 0; round < 5; round++) {
      await Promise.all(
        Array.from({ length: 8 }, async (_, i) => {
          const file = path.join(root, `r${round}`, `f${i}`);
          await cache.acquire(file, 'etag', 1000, writer(1000));
          cache.release(file);
        }),
      );
      expect(cache.bytes).toBeLessThanOrEqual(10_000);
      expect(onDisk()).toBe(cache.bytes);
    }
  });

  it('reuses a copy while the ETag is unchanged and fetches again when it changed', async () => {
    const cache = new StagingCache(root, 10_000);
    const file = path.join(root, 'a');
    let fills = 0;
    const fill = async (target: string) => {
      fills += 1;
      await fs.promises.writeFile(target, 'x'.repeat(10));
    };
    await cache.acquire(file, 'v1', 10, fill);
    cache.release(file);
    await cache.acquire(file, 'v1', 10, fill);
    cache.release(file);
    expect(fills).toBe(1);
    await cache.acquire(file, 'v2', 10, fill);
    cache.release(file);
    expect(fills).toBe(2);
  });

  it('never evicts a copy a job holds, and says so when nothing else can go', async () => {
    const cache = new StagingCache(root, 2500);
    const held = path.join(root, 'held');
    await cache.acquire(held, 'e', 2000, writer(2000));
    await expect(cache.acquire(path.join(root, 'other'), 'e', 1000, writer(1000))).rejects.toMatchObject({
      code: 'staging_full',
    });
    expect(fs.existsSync(held)).toBe(true);
    cache.release(held);
    await cache.acquire(path.join(root, 'other'), 'e', 1000, writer(1000));
    expect(fs.existsSync(held)).toBe(false);
    expect(cache.bytes).toBe(1000);
  });

  it('refuses an object larger than the whole cache', async () => {
    const cache = new StagingCache(root, 100);
    const error = await cache.acquire(path.join(root, 'big'), 'e', 101, writer(101)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe('staging_too_small');
    expect(cache.bytes).toBe(0);
  });
});
