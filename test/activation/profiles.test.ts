import { describe, expect, it } from 'vitest';
import { minimumAudienceWarnings } from '../../src/activation/profile-warnings.ts';
import { PROFILES } from '../../src/activation/profiles.ts';
import { ACTIVATION_PROFILES } from '../../src/contract/activation-profiles.ts';

/**
 * The profile table as data (each entry complete and sourced) and the minimum-audience warning:
 * pure functions, no DuckDB, no server.
 */
describe('the profile table', () => {
  it('has one entry per name the API takes, each a CSV template holding its identifier column', () => {
    expect(Object.keys(PROFILES).sort()).toEqual([...ACTIVATION_PROFILES].sort());
    for (const [name, profile] of Object.entries(PROFILES)) {
      expect(profile.format, name).toBe('csv');
      expect(profile.columns, name).toContain(profile.identifierColumn);
      expect(new Set(profile.columns).size, name).toBe(profile.columns.length);
      // CSV needs no quoting for these names: no comma, quote or line break.
      for (const column of profile.columns) expect(column, name).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(profile.encoding, name).toContain('{hex}');
      expect(profile.source.url, name).toMatch(/^https:\/\//);
      expect(profile.source.read, name).toBe('2026-12-06');
      for (const bound of [profile.maxRowsPerFile, profile.maxBytesPerFile, profile.minimumAudience]) {
        if (bound !== null) expect(Number.isInteger(bound) && bound > 0, name).toBe(true);
      }
    }
  });

  it('encodes UID2 as Base64 of the hash bytes, every other platform as the hex itself', () => {
    expect(PROFILES.uid2.encoding).toBe('to_base64(unhex({hex}))');
    for (const name of ACTIVATION_PROFILES.filter((n) => n !== 'uid2'))
      expect(PROFILES[name].encoding).toBe('{hex}');
  });
});

describe('the minimum-audience warning', () => {
  it('is given below the minimum only, naming the platform, the people and the minimum', () => {
    expect(minimumAudienceWarnings('linkedin_matched_audience', 300)).toEqual([]);
    const [warning] = minimumAudienceWarnings('linkedin_matched_audience', 299);
    expect(warning).toMatchObject({
      code: 'below_platform_minimum',
      field: 'profile',
      values: ['linkedin_matched_audience'],
      truncated: false,
      people: 299,
      minimum: 300,
    });
    expect(warning!.message).toMatch(/299 people .*LinkedIn.* at least 300/);
  });

  it('says "at most" for an upper bound, and is never given for a platform without a minimum', () => {
    expect(minimumAudienceWarnings('google_customer_match', 42, { atMost: true })[0]!.message).toMatch(
      /at most 42 people/,
    );
    expect(minimumAudienceWarnings('uid2', 0)).toEqual([]);
  });
});
