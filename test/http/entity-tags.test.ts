import { describe, expect, it } from 'vitest';
import { etagMatches } from '../../src/http/entity-tags.ts';

const etag = 'W/"counted.3.3.0.lw5k2n"';

describe('If-None-Match against an entity tag', () => {
  it.each([
    ['the same weak tag', 'W/"counted.3.3.0.lw5k2n"'],
    ['its strong form (weak comparison)', '"counted.3.3.0.lw5k2n"'],
    ['a list holding it', 'W/"other", W/"counted.3.3.0.lw5k2n"'],
    ['a list without spaces', '"a","counted.3.3.0.lw5k2n","b"'],
    ['*', '*'],
  ])('matches %s', (_, header) => {
    expect(etagMatches(header, etag)).toBe(true);
  });

  it.each([
    ['another version', 'W/"in_progress.3.1.0.lw5k2n"'],
    ['a list without it', 'W/"a", W/"b"'],
    ['a prefix of it', 'W/"counted.3.3"'],
    ['the opaque value without quotes', 'counted.3.3.0.lw5k2n'],
    ['an empty header', ''],
  ])('does not match %s', (_, header) => {
    expect(etagMatches(header, etag)).toBe(false);
  });

  it('matches a strong tag by a weak one of the same value', () => {
    expect(etagMatches('W/"v1"', '"v1"')).toBe(true);
  });
});
