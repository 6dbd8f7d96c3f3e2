/**
 * Activation profiles: the upload file of each ad platform, as data. An entry says what the file
 * holds (header, the identifier's column and encoding, format), how large one file may be, and how
 * many people the platform needs before it serves ads, with the document it was read from. Adding a
 * platform is one entry here (and its name in `contract/activation-profiles.ts`) and its tests; the
 * export code knows no platform by name.
 */
import type { ActivationProfileName } from '../contract/activation-profiles.ts';
import type { ProfileFile } from '../engine/profile-files.ts';

/** One platform's upload file and rules. */
export interface ActivationProfile extends ProfileFile {
  /** The platform, as people call it. */
  platform: string;
  /** People the platform needs in an audience before it serves ads to it; null: none documented. */
  minimumAudience: number | null;
  /** Where the rules were read, when, and what had to be assumed. */
  source: { url: string; read: string; note?: string };
}

/** Hex SHA-256 as it is (lower case): what most platforms take. */
const HEX = '{hex}';
/** Base64 of the 32 raw bytes of the SHA-256 (44 characters), not of its hex text. */
const BASE64_OF_BYTES = 'to_base64(unhex({hex}))';
const READ = '2026-12-06';

export const PROFILES: Readonly<Record<ActivationProfileName, ActivationProfile>> = {
  google_customer_match: {
    platform: 'Google Ads Customer Match',
    format: 'csv',
    compression: 'none',
    columns: ['Email'],
    identifierColumn: 'Email',
    encoding: HEX,
    maxRowsPerFile: null,
    maxBytesPerFile: 5_000_000_000,
    minimumAudience: 100,
    source: {
      url: 'https://support.google.com/adwords/answer/7476159 (hashed data: CSV, header "Email", SHA-256); https://support.google.com/adwords/answer/6276125 (5 GB a file); https://support.google.com/google-ads/answer/7476585 (100 active members on Display, Search and YouTube)',
      read: READ,
      note: 'Google lowered its minimum from 1,000 (Search, YouTube) to 100 on every network in December 2024 (ppc.land); the size page was read through a mirror, the 5 GB from an older AdWords page',
    },
  },
  meta_custom_audience: {
    platform: 'Meta (Facebook, Instagram) customer list Custom Audience',
    format: 'csv',
    compression: 'none',
    columns: ['email'],
    identifierColumn: 'email',
    encoding: HEX,
    maxRowsPerFile: null,
    maxBytesPerFile: null,
    minimumAudience: 100,
    source: {
      url: 'https://www.facebook.com/business/help/2082575038703844 (column header "email", lists of at least 100 people); https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences (SHA-256, normalised)',
      read: READ,
      note: 'No per-file limit for an Ads Manager upload was found; the API takes 10,000 records a request, which is not a file limit. The help page was read through a mirror',
    },
  },
  linkedin_matched_audience: {
    platform: 'LinkedIn Matched Audiences (contact list)',
    format: 'csv',
    compression: 'none',
    columns: ['email', 'firstname', 'lastname', 'jobtitle', 'employeecompany', 'country', 'googleaid'],
    identifierColumn: 'email',
    encoding: HEX,
    maxRowsPerFile: 300_000,
    maxBytesPerFile: 20_000_000,
    minimumAudience: 300,
    source: {
      url: 'https://www.linkedin.com/help/lms/answer/a1489764 (template headers kept, SHA-256 e-mails, 300 rows to upload, 300 matched members to serve, 20 MB or 300,000 records a list)',
      read: READ,
      note: "The template's column names are LinkedIn's contact list template as best known: the stored pages do not list them. The help page was read through mirrors",
    },
  },
  uid2: {
    platform: 'Unified ID 2.0 (The Trade Desk and other UID2 platforms)',
    format: 'csv',
    compression: 'none',
    columns: ['email_hash'],
    identifierColumn: 'email_hash',
    encoding: BASE64_OF_BYTES,
    maxRowsPerFile: 5_000,
    maxBytesPerFile: 1_000_000,
    minimumAudience: null,
    source: {
      url: 'https://unifiedid.com/docs/getting-started/gs-normalization-encoding (Base64 of the SHA-256 bytes, not of the hex); https://unifiedid.com/docs/endpoints/post-identity-map (email_hash, at most 5,000 items and 1 MB a request)',
      read: READ,
      note: 'Files are sized as one POST /identity/map batch each; no minimum audience is documented',
    },
  },
  liveramp: {
    platform: 'LiveRamp Connect',
    format: 'csv',
    compression: 'gzip',
    columns: ['EMAIL1_SHA-256'],
    identifierColumn: 'EMAIL1_SHA-256',
    encoding: HEX,
    maxRowsPerFile: 500_000_000,
    maxBytesPerFile: 50_000_000_000,
    minimumAudience: 25,
    source: {
      url: 'https://docs.liveramp.com/connect/en/hashing-identifiers.html (hash type in the header, as "EMAIL1_SHA-1"); https://docs.liveramp.com/connect/en/product-limits-and-guidelines.html (25 to 500,000,000 rows, 50 GB uncompressed a file); https://docs.liveramp.com/safe-haven/en/naming-files-for-uploading.html (compressed files)',
      read: READ,
      note: 'The header follows the documented EMAIL1_<hash type> pattern for SHA-256',
    },
  },
};

/** The profile of a name the request schema has checked. */
export function activationProfile(name: ActivationProfileName): ActivationProfile {
  return PROFILES[name];
}
