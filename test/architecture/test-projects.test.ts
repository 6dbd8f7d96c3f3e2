import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UNIT_TESTS } from '../../vitest.config.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('the unit test project', () => {
  it('names only files that exist: a moved unit test would run as an integration test unnoticed', () => {
    expect(UNIT_TESTS.filter((file) => !fs.existsSync(path.join(ROOT, file)))).toEqual([]);
  });
});
