import type { ActivationProfileName } from '../contract/activation-profiles.ts';
import type { DataWarnings } from '../contract/task-schemas.ts';
import { activationProfile } from './profiles.ts';

/**
 * The warning of a profile export whose people are fewer than its platform's minimum audience: the
 * files are still written (the platform takes them, and more people may join later), but the
 * platform will not serve ads to the audience yet. None when the platform has no minimum or the
 * people reach it. `atMost`: `people` is an upper bound (an estimate's rows from footers), and the
 * warning is given only when even the bound falls short.
 */
export function minimumAudienceWarnings(
  name: ActivationProfileName,
  people: number,
  { atMost = false }: { atMost?: boolean } = {},
): DataWarnings {
  const { platform, minimumAudience } = activationProfile(name);
  if (minimumAudience === null || people >= minimumAudience) return [];
  const held = atMost
    ? `the segment reads ${people} rows, so it holds at most ${people} people`
    : `the segment holds ${people} people with a valid hashed e-mail`;
  return [
    {
      code: 'below_platform_minimum',
      field: 'profile',
      values: [name],
      truncated: false,
      people,
      minimum: minimumAudience,
      message: `${held}; ${platform} serves ads to an audience of at least ${minimumAudience} matched people, so widen the segment (more days, prefixes or scores, a looser filter)`,
    },
  ];
}
