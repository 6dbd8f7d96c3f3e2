/**
 * Splits and holdouts of a people export: the request's `splits` checked (each mistake a 400 naming
 * its field and what to change) and turned into bucket ranges, and the salt picked when the request
 * gives none. How a person is assigned is `engine/split-queries.ts`; docs/activation.md ("Splits
 * and holdouts") keeps the formula.
 */
import { randomBytes } from 'node:crypto';
import { MAX_SPLITS, SPLIT_NAME_PATTERN, type SplitBody } from '../contract/task-body-schemas.ts';
import { SPLIT_BUCKETS, type SplitRange, type Splits } from '../engine/split-buckets.ts';
import { invalidField } from '../errors.ts';

/** A people export split at random: the salt and the parts, each a range of buckets. */
export interface SplitPlan extends Splits {
  /**
   * Where the parts not delivered (holdouts) are written: a folder of the service's own area
   * (`SNAPSHOT_PATH`), one `split=NAME` folder each; set when the task is made (it names the task).
   */
  heldBack?: string;
}

/** The fields of a body that say how its people are split. */
export interface SplitFields {
  output?: 'rows' | 'people';
  splits?: SplitBody[];
  split_salt?: string;
}

const NAME = new RegExp(SPLIT_NAME_PATTERN);

/** A salt for a request that gives none: 128 random bits, as hex. */
export function randomSalt(): string {
  return randomBytes(16).toString('hex');
}

/**
 * The request's splits checked and laid out as bucket ranges (null without `splits`); a missing
 * `split_salt` is picked at random. `percent` has at most two decimals: one bucket is 0.01 %.
 */
export function splitPlanOf(body: SplitFields, salt: () => string = randomSalt): SplitPlan | null {
  if (body.splits === undefined) {
    if (body.split_salt !== undefined) {
      throw invalidField('split_salt', 'salts the people of splits; add splits, or drop split_salt');
    }
    return null;
  }
  if (body.output !== 'people') {
    throw invalidField(
      'splits',
      'splits divide the people of a people export; add output: "people" (with unique_by or a profile), or drop splits',
    );
  }
  const parts = body.splits;
  if (parts.length < 2 || parts.length > MAX_SPLITS) {
    throw invalidField(
      'splits',
      `has ${parts.length} part${parts.length === 1 ? '' : 's'}; give 2 to ${MAX_SPLITS} (e.g. A 50 and B 50)`,
    );
  }
  const seen = new Set<string>();
  let from = 0;
  const splits = parts.map((part, i): SplitRange => {
    const field = `splits[${i}]`;
    if (!NAME.test(part.name)) {
      throw invalidField(
        `${field}.name`,
        `${JSON.stringify(part.name.slice(0, 40))} is not a folder name; use 1-32 letters, digits, "_" or "-"`,
      );
    }
    if (seen.has(part.name)) {
      throw invalidField(
        `${field}.name`,
        `"${part.name}" is the name of an earlier part; name each part once`,
      );
    }
    seen.add(part.name);
    const buckets = Math.round(part.percent * 100);
    if (!Number.isFinite(part.percent) || part.percent <= 0 || part.percent > 100) {
      throw invalidField(
        `${field}.percent`,
        `${part.percent} is not a share; use a number above 0, at most 100`,
      );
    }
    if (Math.abs(part.percent * 100 - buckets) > 1e-6) {
      throw invalidField(
        `${field}.percent`,
        `${part.percent} has more than two decimals; round it to 0.01 (one of ${SPLIT_BUCKETS} buckets)`,
      );
    }
    const range = { name: part.name, deliver: part.deliver ?? true, from, to: from + buckets };
    from += buckets;
    return range;
  });
  if (from !== SPLIT_BUCKETS) {
    throw invalidField('splits', `the percents add up to ${from / 100}; make them add up to exactly 100`);
  }
  if (!splits.some((split) => split.deliver)) {
    throw invalidField(
      'splits',
      'every part has deliver: false, so nothing would be exported; deliver at least one',
    );
  }
  return { salt: body.split_salt ?? salt(), splits };
}

/** A part's share of the people in percent, from its bucket range. */
export function percentOf(split: SplitRange): number {
  return (split.to - split.from) / 100;
}

/** The splits of a plan as the request view shows them (and as a body takes them back). */
export function splitsView(plan: SplitPlan | null | undefined): {
  splits: Array<{ name: string; percent: number; deliver: boolean }> | null;
  split_salt: string | null;
} {
  if (!plan) return { splits: null, split_salt: null };
  return {
    splits: plan.splits.map((split) => ({
      name: split.name,
      percent: percentOf(split),
      deliver: split.deliver,
    })),
    split_salt: plan.salt,
  };
}
