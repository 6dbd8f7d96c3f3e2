import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FooterRows } from '../../src/catalog/footer-rows.ts';
import { InputSchemas } from '../../src/catalog/input-schema.ts';
import { IntentCatalog } from '../../src/catalog/intent-catalog.ts';
import { TopicIndex } from '../../src/catalog/topic-index.ts';
import { LocalStorage } from '../../src/storage/local-storage.ts';
import type { Storage } from '../../src/storage/storage.ts';

/**
 * The topic index scans the data once per (days, catalog version): searches filter its cached rows,
 * and a change of the tree builds it again. Scans are seen as stagings of the tree's files.
 */
describe('TopicIndex', () => {
  let dir: string;
  let tree: string;
  let index: TopicIndex;
  let scans = 0;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audiences-topic-index-'));
    tree = path.join(dir, 'intent');
    fs.cpSync(inject('intentTree'), tree, { recursive: true });
    const local = new LocalStorage(path.join(dir, 'scratch'));
    // The real storage, with its full-file stagings counted (the footers are read apart).
    const storage: Storage = Object.assign(Object.create(local) as Storage, {
      stage: (...args: Parameters<Storage['stage']>) => {
        if (!args[1]?.footersOnly) scans += 1;
        return local.stage(...args);
      },
    });
    const schemas = new InputSchemas({ memoryLimit: '256MB', threads: 1 });
    const footers = new FooterRows(storage);
    const catalog = new IntentCatalog({ storage, footers, schemas, intentInputPath: tree, ttlMs: 60_000 });
    index = new TopicIndex({
      catalog,
      storage,
      intentInputPath: tree,
      limits: { memoryLimit: '256MB', threads: 1 },
    });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('scans once per days value and catalog version; searches only filter', async () => {
    const all = await index.search({ days: 7, limit: 1000 });
    expect(scans).toBe(1);
    expect(all.days).toHaveLength(3);
    const word = all.topics[0]!.topic_name.split(' ')[0]!.toLowerCase();
    const found = await index.search({ q: word, days: 7 });
    expect(found.topics.every((t) => `${t.topic_name} ${t.topic_id}`.toLowerCase().includes(word))).toBe(
      true,
    );
    // 30 days of a 3-day tree are its 3 days: the same entry.
    await index.search({ q: 'x', days: 30 });
    expect(scans).toBe(1);

    await index.search({ days: 1 });
    expect(scans).toBe(2);
    await index.search({ q: word, days: 1 });
    expect(scans).toBe(2);

    fs.cpSync(path.join(tree, 'day=2024-05-03'), path.join(tree, 'day=2024-05-04'), { recursive: true });
    const after = await index.search({ days: 1 });
    expect(scans).toBe(3);
    expect(after.days).toEqual(['2024-05-04']);
  });
});
