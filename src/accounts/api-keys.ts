import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'dlvr_';
/** Characters of the key shown in listings so a user can tell keys apart. */
const DISPLAY_LENGTH = API_KEY_PREFIX.length + 8;

export interface IssuedKey {
  apiKey: string;
  apiSecret: string;
  keyHash: string;
  keyPrefix: string;
  secretHash: string;
}

/** A new key (`dlvr_` + 32 random bytes) and secret; only their SHA-256 hashes are stored. */
export function issueKey(): IssuedKey {
  const apiKey = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  const apiSecret = randomBytes(32).toString('base64url');
  return {
    apiKey,
    apiSecret,
    keyHash: sha256(apiKey),
    keyPrefix: apiKey.slice(0, DISPLAY_LENGTH),
    secretHash: sha256(apiSecret),
  };
}

/** Keys carry 256 random bits, so a fast hash is enough (no password stretching needed). */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Cheap shape check before touching the store. */
export function looksLikeKey(value: string): boolean {
  return (
    value.startsWith(API_KEY_PREFIX) && value.length >= API_KEY_PREFIX.length + 43 && value.length <= 128
  );
}
