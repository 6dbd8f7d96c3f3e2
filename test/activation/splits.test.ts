import { describe, expect, it } from 'vitest';
import { percentOf, splitPlanOf, splitsView } from '../../src/activation/splits.ts';
import type { SplitBody } from '../../src/contract/task-body-schemas.ts';
import { AppError } from '../../src/errors.ts';

/**
 * The checks of a request's `splits` (no input needed): the bucket ranges they become, the salt
 * picked when none is given, and each kind of mistake refused naming its field and what to change.
 */
const AB_HOLDOUT: SplitBody[] = [
  { name: 'A', percent: 45 },
  { name: 'B', percent: 45 },
  { name: 'holdout', percent: 10, deliver: false },
];

/** The first field error of a refused body; undefined when it is taken. */
function refusal(body: Parameters<typeof splitPlanOf>[0]) {
  try {
    splitPlanOf(body);
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, status: error.status, ...error.errors[0]! };
    throw error;
  }
  return undefined;
}

describe('splits', () => {
  it('lays the parts out as consecutive bucket ranges, in the order given', () => {
    const plan = splitPlanOf({ output: 'people', splits: AB_HOLDOUT, split_salt: 'pepper' });
    expect(plan).toEqual({
      salt: 'pepper',
      splits: [
        { name: 'A', deliver: true, from: 0, to: 4500 },
        { name: 'B', deliver: true, from: 4500, to: 9000 },
        { name: 'holdout', deliver: false, from: 9000, to: 10_000 },
      ],
    });
    expect(splitsView(plan)).toEqual({
      splits: [
        { name: 'A', percent: 45, deliver: true },
        { name: 'B', percent: 45, deliver: true },
        { name: 'holdout', percent: 10, deliver: false },
      ],
      split_salt: 'pepper',
    });
    expect(splitsView(null)).toEqual({ splits: null, split_salt: null });
  });

  it('takes two decimals: one bucket is 0.01 %', () => {
    const plan = splitPlanOf({
      output: 'people',
      splits: [
        { name: 'a', percent: 33.33 },
        { name: 'b', percent: 33.33 },
        { name: 'c', percent: 33.34 },
      ],
    })!;
    expect(plan.splits.map((split) => [split.from, split.to])).toEqual([
      [0, 3333],
      [3333, 6666],
      [6666, 10_000],
    ]);
    expect(plan.splits.map(percentOf)).toEqual([33.33, 33.33, 33.34]);
    expect(
      splitPlanOf({
        output: 'people',
        splits: [
          { name: 'x', percent: 0.01 },
          { name: 'y', percent: 99.99 },
        ],
      }),
    ).toBeTruthy();
  });

  it('picks a random salt when none is given, a new one each time', () => {
    const first = splitPlanOf({ output: 'people', splits: AB_HOLDOUT })!;
    const second = splitPlanOf({ output: 'people', splits: AB_HOLDOUT })!;
    expect(first.salt).toMatch(/^[0-9a-f]{32}$/);
    expect(second.salt).not.toBe(first.salt);
    expect(splitPlanOf({ output: 'people' })).toBeNull();
  });

  it.each([
    [{ output: 'rows' as const, splits: AB_HOLDOUT }, 'splits', 'add output: "people"'],
    [{ splits: AB_HOLDOUT }, 'splits', 'add output: "people"'],
    [{ output: 'people' as const, split_salt: 'x' }, 'split_salt', 'add splits, or drop split_salt'],
    [{ output: 'people' as const, splits: [{ name: 'A', percent: 100 }] }, 'splits', 'give 2 to 10'],
    [
      {
        output: 'people' as const,
        splits: Array.from({ length: 11 }, (_, i) => ({ name: `s${i}`, percent: 1 })),
      },
      'splits',
      'give 2 to 10',
    ],
    [
      {
        output: 'people' as const,
        splits: [
          { name: 'A', percent: 50 },
          { name: 'A', percent: 50 },
        ],
      },
      'splits[1].name',
      'name each part once',
    ],
    [
      {
        output: 'people' as const,
        splits: [
          { name: 'A/..', percent: 50 },
          { name: 'B', percent: 50 },
        ],
      },
      'splits[0].name',
      'use 1-32 letters, digits, "_" or "-"',
    ],
    [
      {
        output: 'people' as const,
        splits: [
          { name: '', percent: 50 },
          { name: 'B', percent: 50 },
        ],
      },
      'splits[0].name',
      'is not a folder name',
    ],
    [
      {
        output: 'people' as const,
        splits: [
          { name: 'x'.repeat(33), percent: 50 },
          { name: 'B', percent: 50 },
        ],
      },
      'splits[0].name',
      'is not a folder name',
    ],
    [
      {
        output: 'people' as const,
        splits: [
          { name: 'A', percent: 33.333 },
          { name: 'B', percent: 66.667 },
        ],
      },
      'splits[0].percent',
      'more than two decimals',
    ],
    [
      {
        output: 'people' as const,
        splits: [
          { name: 'A', percent: 0 },
          { name: 'B', percent: 100 },
        ],
      },
      'splits[0].percent',
      'above 0',
    ],
    [
      {
        output: 'people' as const,
        splits: [
          { name: 'A', percent: -10 },
          { name: 'B', percent: 110 },
        ],
      },
      'splits[0].percent',
      'above 0',
    ],
    [
      {
        output: 'people' as const,
        splits: [
          { name: 'A', percent: 45 },
          { name: 'B', percent: 45 },
        ],
      },
      'splits',
      'add up to 90; make them add up to exactly 100',
    ],
    [
      {
        output: 'people' as const,
        splits: [
          { name: 'A', percent: 60 },
          { name: 'B', percent: 50 },
        ],
      },
      'splits',
      'add up to 110',
    ],
    [
      {
        output: 'people' as const,
        splits: [
          { name: 'A', percent: 50, deliver: false },
          { name: 'B', percent: 50, deliver: false },
        ],
      },
      'splits',
      'deliver at least one',
    ],
  ])('refuses %j naming %s', (body, field, message) => {
    const error = refusal(body);
    expect(error).toMatchObject({ code: 'validation_failed', status: 400, field });
    expect(error?.message).toContain(message);
  });
});
