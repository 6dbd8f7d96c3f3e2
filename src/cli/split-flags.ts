import type { Split } from '../client/index.ts';
import { UsageError } from './usage-error.ts';

/** What `--split` and `--split-salt` say: the parts of a people export, and their salt. */
export interface SplitOptions {
  split?: string;
  splitSalt?: string;
}

/** `--split`'s help: the syntax, with the example of an A/B test with a holdout. */
export const SPLIT_HELP =
  'split the people at random into parts NAME:PERCENT[:holdout], comma-separated, adding up to 100, ' +
  'e.g. A:45,B:45,control:10:holdout (a holdout is counted, never exported); makes a people export';
export const SPLIT_SALT_HELP =
  'with --split: the salt that assigns people to parts (default: a random one, shown with the task); ' +
  'the same salt makes the same split again';

/**
 * The parts `--split A:45,B:45,control:10:holdout` names. Refuses here what is not the syntax (exit
 * 2); what the API judges (the sum, the names, how many) it leaves to the API's 400.
 */
export function parseSplits(value: string): Split[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError('--split: give the parts, e.g. A:45,B:45,control:10:holdout');
  return items.map((item) => {
    const [name, percent, kind, ...rest] = item.split(':');
    const share = Number(percent);
    if (
      !name ||
      percent === undefined ||
      percent.trim() === '' ||
      !Number.isFinite(share) ||
      rest.length > 0
    ) {
      throw new UsageError(
        `--split: "${item}" is not NAME:PERCENT or NAME:PERCENT:holdout, e.g. A:45,B:45,control:10:holdout`,
      );
    }
    if (kind !== undefined && kind !== 'holdout') {
      throw new UsageError(`--split: "${item}" ends in "${kind}"; the only mark a part takes is :holdout`);
    }
    return { name, percent: share, ...(kind === 'holdout' ? { deliver: false } : {}) };
  });
}

/** The body fields of `--split` and `--split-salt`: splits make a people export. */
export function splitFields(options: SplitOptions) {
  if (options.split === undefined) {
    if (options.splitSalt !== undefined)
      throw new UsageError('--split-salt salts the parts of --split: add --split');
    return {};
  }
  return {
    output: 'people' as const,
    splits: parseSplits(options.split),
    ...(options.splitSalt !== undefined ? { split_salt: options.splitSalt } : {}),
  };
}
