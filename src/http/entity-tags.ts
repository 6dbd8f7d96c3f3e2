import fresh from 'fresh';

/**
 * Whether a client that sent this `If-None-Match` already holds the representation tagged `etag`:
 * weak comparison, a list of tags, or `*` (RFC 9110 §13.1.2), as `fresh` decides it. Only
 * `If-None-Match` goes in, because `fresh` would also call any read sent with
 * `Cache-Control: no-cache` stale, and a client that polls with an ETag wants its 304 regardless.
 */
export function etagMatches(ifNoneMatch: string, etag: string): boolean {
  return fresh({ 'if-none-match': ifNoneMatch }, { etag });
}
