/**
 * The names of the activation profiles a people export can be written in (`profile`): each is one
 * ad platform's upload file. What each fixes (header, encoding, limits, minimum audience) is the
 * table in `src/activation/profiles.ts`, which has one entry per name here.
 */
export const ACTIVATION_PROFILES = [
  'google_customer_match',
  'meta_custom_audience',
  'linkedin_matched_audience',
  'uid2',
  'liveramp',
] as const;

export type ActivationProfileName = (typeof ACTIVATION_PROFILES)[number];
