import { describe, expect, it } from 'vitest';
import { hashPasses, passConditionSql, passesFor, withPassSql } from '../../src/engine/hash-passes.ts';

describe('hash passes', () => {
  it('takes one pass per bound of input, at least one and at most the most allowed', () => {
    expect(passesFor(10, undefined, 16)).toBe(1);
    expect(passesFor(100, 100, 16)).toBe(1);
    expect(passesFor(101, 100, 16)).toBe(2);
    expect(passesFor(1_000, 100, 16)).toBe(10);
    expect(passesFor(1e12, 100, 16)).toBe(16);
    expect(hashPasses(3)).toEqual([
      { pass: 0, of: 3 },
      { pass: 1, of: 3 },
      { pass: 2, of: 3 },
    ]);
  });

  it('keeps every row in a single pass, and adds its condition to a filter otherwise', () => {
    expect(passConditionSql('"person_id"', { pass: 0, of: 1 })).toBeNull();
    expect(withPassSql('x > 1', '"person_id"', { pass: 0, of: 1 })).toBe('x > 1');
    expect(withPassSql(null, '"person_id"', { pass: 2, of: 5 })).toBe('hash("person_id") % 5 = 2');
    expect(withPassSql('x > 1', '"person_id"', { pass: 2, of: 5 })).toBe(
      '(x > 1) AND hash("person_id") % 5 = 2',
    );
  });
});
