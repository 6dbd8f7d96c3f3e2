import { invalidField } from '../errors.ts';
import type { TaskCursor } from '../store/store.ts';

/** The opaque `next_cursor` of a task list page: where the next page starts. */
export function encodeCursor(cursor: TaskCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

/** Reads back a cursor of `encodeCursor`; anything else is the client's 400 naming `cursor`. */
export function decodeCursor(cursor: string): TaskCursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && typeof id === 'string') return { createdAt, id };
  } catch {
    // fall through to the 400 below
  }
  throw invalidField('cursor', 'is not a cursor this API handed out; use next_cursor from the previous page');
}
