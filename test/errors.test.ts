import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, TASK_ERROR_CODES } from '../src/errors.ts';

const doc = fs.readFileSync(path.resolve(import.meta.dirname, '../docs/errors.md'), 'utf8');
const [apiSection, taskSection] = doc.split(/^## Task errors$/m);

describe('error codes', () => {
  it.each(Object.entries(ERROR_CODES))(
    '%s is documented in docs/errors.md with its status',
    (code, { status }) => {
      expect(apiSection).toMatch(new RegExp(`\\| \`${code}\` \\| ${status} \\|`));
    },
  );

  it('documents no code the API does not have', () => {
    const documented = [...apiSection!.matchAll(/^\| `([a-z_]+)` \| \d{3} \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });
});

describe('task error codes', () => {
  it('has a section of its own in docs/errors.md', () => {
    expect(taskSection).toBeDefined();
  });

  it.each(Object.keys(TASK_ERROR_CODES))('%s is documented under "Task errors"', (code) => {
    expect(taskSection).toMatch(new RegExp(`^\\| \`${code}\` \\| [^|]*\\S[^|]* \\|$`, 'm'));
  });

  it('documents no task code a task cannot fail with', () => {
    const documented = [...(taskSection ?? '').matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(TASK_ERROR_CODES).sort());
  });
});
