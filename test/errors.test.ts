import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.ts';

const doc = fs.readFileSync(path.resolve(import.meta.dirname, '../docs/errors.md'), 'utf8');

describe('error codes', () => {
  it.each(Object.entries(ERROR_CODES))(
    '%s is documented in docs/errors.md with its status',
    (code, { status }) => {
      expect(doc).toMatch(new RegExp(`\\| \`${code}\` \\| ${status} \\|`));
    },
  );

  it('documents no code the API does not have', () => {
    const documented = [...doc.matchAll(/^\| `([a-z_]+)` \| \d{3} \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });
});
