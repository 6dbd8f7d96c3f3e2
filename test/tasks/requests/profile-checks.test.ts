import { describe, expect, it } from 'vitest';
import type { IntentTaskBody } from '../../../src/contract/task-body-schemas.ts';
import { AppError } from '../../../src/errors.ts';
import { checkIntentBody, layoutOf, profileIdentifier } from '../../../src/tasks/requests/request-checks.ts';

/**
 * The checks of a body naming an activation profile that need no input: what it takes, what it
 * fixes, and each contradiction refused naming its field. (Not a unit test: the checks' module
 * loads the SQL parser, which loads DuckDB.)
 */
describe('the checks of a body with a profile', () => {
  const body = (extra: Partial<IntentTaskBody>): IntentTaskBody => ({
    days: ['2024-05-01'],
    topic_id_prefixes: ['4eyes_101'],
    scores: ['high'],
    output: 'people',
    profile: 'liveramp',
    ...extra,
  });
  const refusal = (extra: Partial<IntentTaskBody>) => {
    try {
      checkIntentBody(body(extra), 100);
    } catch (error) {
      if (error instanceof AppError) return error.errors[0];
      throw error;
    }
    return undefined;
  };

  it('takes a profile without unique_by: its people are hem_sha256', () => {
    expect(refusal({})).toBeUndefined();
    expect(refusal({ unique_by: 'hem_sha256' })).toBeUndefined();
    expect(profileIdentifier(body({}), 'intent')).toBe('hem_sha256');
  });

  it('fixes the layout: the platform format and codec, its own file bounds', () => {
    expect(layoutOf(body({}))).toEqual({
      format: 'csv',
      compression: 'gzip',
      singleFile: false,
      maxFileBytes: null,
    });
    expect(layoutOf(body({ profile: 'meta_custom_audience' }))).toMatchObject({ compression: 'none' });
  });

  it.each([
    [{ output: 'rows' as const }, 'profile', 'add output: "people"'],
    [{ format: 'parquet' as const }, 'format', 'liveramp files are CSV; drop format'],
    [{ compression: 'none' as const }, 'compression', 'compression gzip; drop compression'],
    [{ select: 'person_id' }, 'select', 'drop select'],
    [{ max_file_bytes: 5_000_000 }, 'max_file_bytes', 'drop max_file_bytes'],
    [{ single_file: true }, 'single_file', 'drop single_file'],
    [{ unique_by: 'person_id' }, 'unique_by', 'set it to "hem_sha256"'],
  ])('refuses %j on %s', (extra, field, message) => {
    const error = refusal(extra);
    expect(error?.field).toBe(field);
    expect(error?.message).toContain(message);
  });

  it('takes the generic identifier from identifier, else unique_by, else hem_sha256', () => {
    const generic = { output: 'people' as const, profile: 'uid2' as const };
    expect(
      profileIdentifier({ ...generic, identifier: 'email_sha', unique_by: 'email_sha' }, 'generic'),
    ).toBe('email_sha');
    expect(profileIdentifier({ ...generic, unique_by: 'crm_hash' }, 'generic')).toBe('crm_hash');
    expect(profileIdentifier(generic, 'generic')).toBe('hem_sha256');
    expect(profileIdentifier({ output: 'people' }, 'generic')).toBeNull();
  });
});
