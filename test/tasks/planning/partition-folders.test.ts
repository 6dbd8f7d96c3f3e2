import { describe, expect, it } from 'vitest';
import { sameHiveKeys } from '../../../src/tasks/planning/partition-folders.ts';

describe('sameHiveKeys (whether a generic tree is read with Hive columns)', () => {
  it.each([
    [['country=fr', 'country=de'], true],
    [['year=2024/month=01', 'year=2024/month=02', 'year=2025/month=01'], true],
  ])('is true when every partition folder has the keys %j share', (partitions, expected) => {
    expect(sameHiveKeys(partitions)).toBe(expected);
  });

  it.each([
    [['year=2024/month=01', 'year=2024']],
    [['year=2024', 'country=fr']],
    [['year=2024', '.']],
    [['.']],
    [['a', 'b']],
    [['a/b']],
    [[]],
  ])('is false for %j (keys that differ, files at the top, or no keys at all)', (partitions) => {
    expect(sameHiveKeys(partitions)).toBe(false);
  });
});
