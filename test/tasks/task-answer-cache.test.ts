import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AnswerCache } from '../../src/tasks/task-answer-cache.ts';

const KB = 1000;

/** An answer of `bytes` bytes that gzip cannot shrink, so its gzip form weighs about as much again. */
function incompressible(bytes: number): Buffer {
  return randomBytes(bytes);
}

describe('the status answer cache', () => {
  it('keeps the most recent answers within its byte bound', () => {
    const cache = new AnswerCache({ maxBytes: 10 * KB, maxEntries: 100 });
    for (let i = 0; i < 10; i++) {
      cache.add(`task-${i}`, Buffer.alloc(3 * KB, 'x'));
      expect(cache.cachedBytes).toBeLessThanOrEqual(10 * KB);
    }
    // Three answers of 3 KB fit in 10 KB; the older seven went.
    expect(cache.cachedBytes).toBe(9 * KB);
    for (let i = 0; i < 7; i++) expect(cache.get(`task-${i}`)).toBeUndefined();
    for (let i = 7; i < 10; i++) expect(cache.get(`task-${i}`)?.json.length).toBe(3 * KB);
  });

  it('counts the gzip form once it is made, evicting to stay within the bound', () => {
    const cache = new AnswerCache({ maxBytes: 10 * KB });
    cache.add('a', incompressible(3 * KB));
    const b = cache.add('b', incompressible(3 * KB));
    const c = cache.add('c', incompressible(3 * KB));
    expect(cache.cachedBytes).toBe(9 * KB);

    const zipped = c.gzip();
    expect(gunzipSync(zipped).equals(c.json)).toBe(true);
    expect(zipped.length).toBeGreaterThan(KB);
    // c now holds 3 KB + its gzip form: the least recently used answer (a) made room.
    expect(cache.cachedBytes).toBe(3 * KB + 3 * KB + zipped.length);
    expect(cache.cachedBytes).toBeLessThanOrEqual(10 * KB);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe(b);
    expect(cache.get('c')).toBe(c);
    // Made once: a second call neither compresses nor counts again.
    expect(c.gzip()).toBe(zipped);
    expect(cache.cachedBytes).toBe(3 * KB + 3 * KB + zipped.length);
  });

  it('serves an answer larger than the bound without keeping it or evicting others', () => {
    const cache = new AnswerCache({ maxBytes: 10 * KB });
    const small = cache.add('small', Buffer.alloc(2 * KB, 'x'));
    const json = Buffer.alloc(20 * KB, 'y');
    const big = cache.add('big', json);
    expect(big.json).toBe(json);
    expect(cache.get('big')).toBeUndefined();
    expect(cache.get('small')).toBe(small);
    expect(cache.cachedBytes).toBe(2 * KB);
    // Its gzip form is still made for the client, and still not kept.
    expect(gunzipSync(big.gzip()).equals(json)).toBe(true);
    expect(cache.cachedBytes).toBe(2 * KB);
  });

  it('holds at most maxEntries answers however small', () => {
    const cache = new AnswerCache({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c', 'd', 'e']) cache.add(key, Buffer.from(`{"task":"${key}"}`));
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeUndefined();
    expect(['c', 'd', 'e'].map((key) => cache.get(key)?.json.toString())).toEqual([
      '{"task":"c"}',
      '{"task":"d"}',
      '{"task":"e"}',
    ]);
    expect(cache.cachedBytes).toBe(3 * '{"task":"c"}'.length);
  });

  it('does not count a replaced answer when its gzip form is made later', () => {
    const cache = new AnswerCache({ maxBytes: 100 * KB });
    const first = cache.add('same', incompressible(3 * KB));
    cache.add('same', Buffer.alloc(2 * KB, 'x'));
    first.gzip();
    expect(cache.cachedBytes).toBe(2 * KB);
    expect(cache.get('same')?.json.length).toBe(2 * KB);
  });
});
