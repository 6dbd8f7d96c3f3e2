import { TASK_NAME_MAX } from '../../contract/task-body-schemas.ts';
import { invalidField } from '../../errors.ts';

/** Control characters (C0, DEL, C1) and the Unicode line and paragraph separators. */
const UNPRINTABLE = /[\p{Cc}\p{Zl}\p{Zp}]/u;

/**
 * A task's `name` as stored: trimmed, one line of printable text; null when the body has none.
 * Anything else is a 400 that says what to change. (The schema bounds its length.)
 */
export function taskNameOf(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const name = raw.trim();
  if (name === '') {
    throw invalidField(
      'name',
      `is blank; give the task a name of 1 to ${TASK_NAME_MAX} characters, or leave name out`,
    );
  }
  const at = name.search(UNPRINTABLE);
  if (at >= 0) {
    const code = name.codePointAt(at)!.toString(16).toUpperCase().padStart(4, '0');
    const position = [...name.slice(0, at)].length + 1;
    throw invalidField(
      'name',
      `holds a control character or line break (U+${code}, character ${position}); use one line of plain text`,
    );
  }
  return name;
}
