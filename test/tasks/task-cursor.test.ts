import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { decodeCursor, encodeCursor } from '../../src/tasks/task-cursor.ts';

const position = { createdAt: '2024-05-01T10:00:00.000Z', id: '0b7f6c1e-2f43-4d7e-9a51-3c8e2f1d9b20' };

/** The 400 a client gets for a cursor: validation_failed, naming the field. */
function refusal(cursor: string): AppError {
  try {
    decodeCursor(cursor);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(cursor)} was accepted`);
}

describe('task list cursors', () => {
  it('give back the position they were made from', () => {
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
    const odd = { createdAt: '2024-05-01T10:00:00.000+02:00', id: 'a/b "c" ünï' };
    expect(decodeCursor(encodeCursor(odd))).toEqual(odd);
  });

  it('are URL-safe text', () => {
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(encodeURIComponent(cursor)).toBe(cursor);
  });

  it('still read a cursor handed out before (base64url of [createdAt, id])', () => {
    const earlier = Buffer.from(`["${position.createdAt}","${position.id}"]`).toString('base64url');
    expect(decodeCursor(earlier)).toEqual(position);
  });

  it.each([
    ['truncated', encodeCursor(position).slice(0, -4)],
    ['garbage', 'not-a-cursor'],
    ['empty', ''],
    ['an object', Buffer.from('{"createdAt":"2024-05-01","id":"x"}').toString('base64url')],
    ['numbers', Buffer.from('[1,2]').toString('base64url')],
    ['one element', Buffer.from('["2024-05-01T10:00:00.000Z"]').toString('base64url')],
    ['null', Buffer.from('null').toString('base64url')],
    ['a bare string', Buffer.from('"x"').toString('base64url')],
  ])('refuse a %s cursor with a 400 naming cursor', (_, cursor) => {
    const error = refusal(cursor);
    expect(error.status).toBe(400);
    expect(error.code).toBe('validation_failed');
    expect(error.errors.map((e) => e.field)).toEqual(['cursor']);
    expect(error.message).toMatch(/^cursor: .*next_cursor/);
  });
});
